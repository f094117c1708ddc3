"""Rendering: slot functions for several slot counts, and what depends on --slots."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from patcher.engine import rust_syntax as rs
from patcher.engine.plan import make_plan
from patcher.engine.render import render_template
from patcher.rustc.options import names
from patcher.rustc.patchset import context, edits_for

Reader = Callable[[str], bytes | None]


@pytest.mark.parametrize("slots", [1, 7, 64, 256])
def test_slot_functions_per_kind(slots: int) -> None:
    text = render_template("runtime/slots.rs.j2", **context("c", slots))
    for kind in ("derive", "attr", "bang"):
        defined = re.findall(rf'extern "C" fn {kind}_slot_(\d+)\(', text)
        assert [int(n) for n in defined] == list(range(slots))
        table = re.search(rf"static {kind.upper()}_SLOTS: \[RawRun; SLOTS_PER_KIND\] = \[(.*?)\];", text, re.S)
        assert table is not None
        assert re.findall(rf"{kind}_slot_(\d+),", table.group(1)) == [str(n) for n in range(slots)]
    assert f"pub const SLOTS_PER_KIND: usize = {slots};" in text
    assert rs.parse_errors(rs.parse(text.encode())) == []


@pytest.mark.parametrize(
    "template",
    [
        "runtime/lib.rs.j2",
        "runtime/decls.rs.j2",
        "runtime/module.rs.j2",
        "runtime/registry.rs.j2",
        "proc_macro/relay.rs.j2",
    ],
)
def test_new_rust_files_parse_cleanly(template: str) -> None:
    text = render_template(template, **context("c", 64))
    assert rs.parse_errors(rs.parse(text.encode())) == []


def test_decls_format_is_one_version_in_runtime_and_harness() -> None:
    ctx = context("c", 64)
    runtime = render_template("runtime/decls.rs.j2", **ctx)
    harness = render_template("core/harness_section_fn.rs.j2", **ctx)
    version = ctx["decls_version"]
    assert f"pub const DECLS_VERSION: u32 = {version};" in runtime
    assert f'String::from("version:{version}\\n")' in harness


@pytest.mark.parametrize("option", names())
def test_slot_count_changes_only_slots_rs(pristine: Reader, option: str) -> None:
    few = make_plan(edits_for(option), pristine, context(option, 8)).patched
    many = make_plan(edits_for(option), pristine, context(option, 64)).patched
    assert few.keys() == many.keys()
    differing = sorted(f for f in few if few[f] != many[f])
    assert differing == ["compiler/rustc_wasm_proc_macro/src/slots.rs"]
