"""Anchors on the real rustc 1.95.0 source: each found exactly once, and every way an
anchor can go wrong reported clearly."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from patcher.engine import rust_syntax as rs
from patcher.engine.edits import RustInsert, TokenTreeEntry
from patcher.engine.plan import make_plan
from patcher.rustc.files import CREADER
from patcher.rustc.options import names
from patcher.rustc.patchset import context, edits_for

Reader = Callable[[str], bytes | None]


@pytest.mark.parametrize("option", names())
def test_every_anchor_found_exactly_once(pristine: Reader, option: str) -> None:
    for edit in edits_for(option):
        if not isinstance(edit, RustInsert | TokenTreeEntry):
            continue
        source = pristine(edit.file)
        assert source is not None, edit.file
        node, findings = edit.anchor.locate(edit.file, source, rs.parse(source))
        assert findings == [], findings
        assert node is not None


@pytest.mark.parametrize("option", names())
def test_plan_has_no_findings_and_probes_hold(pristine: Reader, option: str) -> None:
    plan = make_plan(edits_for(option), pristine, context(option, 64))
    assert plan.findings == []
    for edit in edits_for(option):
        assert edit.probe(plan.patched[edit.file]), edit.label


def _with_text_changed(pristine: Reader, file: str, old: bytes, new: bytes):  # type: ignore[no-untyped-def]
    def read(rel: str) -> bytes | None:
        data = pristine(rel)
        if rel == file and data is not None:
            assert old in data
            return data.replace(old, new)
        return data

    return read


def test_missing_anchor_reports_file_anchor_and_where_the_name_went(pristine: Reader) -> None:
    read = _with_text_changed(pristine, CREADER, b"fn dlsym_proc_macros(", b"fn dlsym_proc_macros_v2(")
    plan = make_plan(edits_for("c"), read, context("c", 64))
    [finding] = plan.findings
    assert finding.kind == "missing"
    assert finding.file == CREADER
    assert "dlsym_proc_macros" in finding.anchor
    assert "`CStore` still appears as text" in finding.detail
    assert CREADER not in plan.patched


def test_all_missing_anchors_reported_in_one_run(pristine: Reader) -> None:
    def read(rel: str) -> bytes | None:
        data = pristine(rel)
        if data is not None and rel.endswith("locator.rs"):
            data = data.replace(b"dll_prefix", b"dylib_prefix").replace(b"fn crate_matches", b"fn crate_is_match")
        return data

    plan = make_plan(edits_for("a"), read, context("a", 64))
    assert {(f.kind, f.file) for f in plan.findings} == {("missing", "compiler/rustc_metadata/src/locator.rs")}
    assert len(plan.findings) == 2


def test_conflict_shows_expected_and_found(pristine: Reader) -> None:
    read = _with_text_changed(
        pristine,
        CREADER,
        b"    ) -> Result<&'static [ProcMacro], CrateError> {\n        let sym_name",
        b"    ) -> Result<Vec<ProcMacro>, CrateError> {\n        let sym_name",
    )
    plan = make_plan(edits_for("c"), read, context("c", 64))
    [finding] = plan.findings
    assert finding.kind == "conflict"
    assert "expected (regex)" in finding.detail and "found:" in finding.detail
    assert "fn dlsym_proc_macros(" in finding.detail


def test_ambiguous_anchor_reported(pristine: Reader) -> None:
    source = pristine(CREADER)
    assert source is not None
    twice = source + b"\nimpl CStore {\n    fn dlsym_proc_macros(&self, path: &Path) {}\n}\n"
    plan = make_plan(edits_for("c"), lambda rel: twice if rel == CREADER else pristine(rel), context("c", 64))
    assert [f.kind for f in plan.findings] == ["ambiguous"]


def test_edit_that_breaks_parsing_is_refused(pristine: Reader, monkeypatch: pytest.MonkeyPatch) -> None:
    import patcher.engine.edits as edits

    real = edits.render_template

    def broken(name: str, **ctx: object) -> str:
        text = real(name, **ctx)
        return text + "fn broken( {\n" if name == "core/creader_dlsym_wasm.rs.j2" else text

    monkeypatch.setattr(edits, "render_template", broken)
    plan = make_plan(edits_for("c"), pristine, context("c", 64))
    assert any(f.kind == "parse-error" and f.file == CREADER for f in plan.findings)


def test_known_default_field_values_errors_are_allowed(pristine: Reader) -> None:
    # tree-sitter-rust 0.24 cannot parse rustc's `field: T = default` syntax; the files
    # that use it carry parse errors before any edit, and patching them is still fine.
    source = pristine("compiler/rustc_resolve/src/lib.rs")
    assert source is not None
    assert rs.parse_errors(rs.parse(source)), "expected the known default_field_values parse errors"
    plan = make_plan(edits_for("b"), pristine, context("b", 64))
    assert "compiler/rustc_resolve/src/lib.rs" in plan.patched
