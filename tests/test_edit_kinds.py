"""Each Rust and Cargo edit kind on a few lines: the text in, the edited text out, and
its probe recognising the result. WidenCfg's are in test_widen_cfg.py, the C++ kinds' in
test_cpp_edits.py, the whole-checkout tests in test_apply.py."""

from __future__ import annotations

from typing import Any

import pytest

from patcher.engine import rust_syntax as rs
from patcher.engine.edits import (
    Anchor,
    CargoCheckCfg,
    CargoDependency,
    CargoLockPackage,
    CargoTargetDependency,
    CargoTargetFeatures,
    Edit,
    LockedPackage,
    Position,
    RustInsert,
    SortedStringEntries,
    TokenTreeEntry,
    fn_named,
)

TEMPLATE = "guest_target/stage0_missing_target.rs.j2"  # one line: `"{{ guest_target }}", // ...`
CONTEXT = {"guest_target": "new"}
LINE = '"new", // rustc-wasm-proc-macros: the proc-macro guest target'


def apply(edit: Edit, before: str, context: dict[str, Any] | None = None) -> str:
    splices, findings = edit.splices(before.encode(), context or CONTEXT)
    assert findings == []
    after = before.encode()
    for splice in sorted(splices, key=lambda s: s.start, reverse=True):
        after = after[: splice.start] + splice.text + after[splice.end :]
    assert edit.probe(after), "the probe does not recognise the edit"
    return after.decode()


RUST = """\
/// Docs.
#[inline]
fn target() -> u32 {
    1
}
"""
PROBE = '((string_literal (string_content) @s) @probe (#eq? @s "new"))'


def insert(position: Position) -> RustInsert:
    return RustInsert("lib.rs", Anchor(fn_named("target"), "fn target", ("target",)), position, TEMPLATE, PROBE)


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        (Position.BEFORE, f"{LINE}\n{RUST}"),  # above the attributes and doc comments
        (Position.AFTER, f"{RUST}{LINE}\n"),
        (Position.BODY_START, RUST.replace("{\n", f"{{\n    {LINE}\n")),
        (Position.BODY_END, RUST.replace("    1\n", f"    1\n    {LINE}\n")),
        (Position.REPLACE, RUST.replace("fn target() -> u32 {\n    1\n}", LINE)),
    ],
)
def test_rust_insert_at_each_position(position: Position, expected: str) -> None:
    assert apply(insert(position), RUST) == expected


def test_a_missing_anchor_names_where_its_names_still_appear() -> None:
    edit = RustInsert("lib.rs", Anchor(fn_named("gone"), "fn gone", ("gone",)), Position.AFTER, TEMPLATE, PROBE)
    (finding,) = edit.splices(b"// gone is mentioned here\nfn other() {}\n", CONTEXT)[1]
    assert finding.kind == "missing" and "`gone` still appears as text at line(s) 1" in finding.detail


def test_an_anchor_not_as_expected_is_a_conflict() -> None:
    anchor = Anchor(fn_named("target"), "fn target", ("target",), expect=r"-> u64")
    (finding,) = RustInsert("lib.rs", anchor, Position.AFTER, TEMPLATE, PROBE).splices(RUST.encode(), CONTEXT)[1]
    assert finding.kind == "conflict" and "expected (regex): -> u64" in finding.detail


def test_token_tree_entry_goes_after_the_named_entry() -> None:
    source = "options! {\n    a: bool = (false, parse_bool),\n    b: u32 = (0, parse_u32),\n}\n"
    anchor = Anchor("((macro_invocation (token_tree) @anchor))", "options!", ("options",))
    template = "core/z_proc_macro_wasm_only.rs.j2"  # `proc_macro_wasm_only: bool = (false, ...),`
    edit = TokenTreeEntry("options.rs", anchor, after_entry="a", new_entry="proc_macro_wasm_only", template=template)
    after = apply(edit, source)
    assert after.splitlines()[2].startswith("    proc_macro_wasm_only: bool = (false, parse_bool")
    assert after.splitlines()[-2] == "    b: u32 = (0, parse_u32),"


def test_sorted_string_entries_keep_the_order() -> None:
    source = 'const LIST: &[&str] = &[\n    "alpha",\n    "gamma",\n];\n'
    anchor = Anchor(
        "((const_item value: (reference_expression value: (array_expression) @anchor)))", "const LIST", ("LIST",)
    )
    after = apply(SortedStringEntries("list.rs", anchor, ("beta", "zeta")), source)
    assert [line.strip() for line in after.splitlines()[1:5]] == ['"alpha",', '"beta",', '"gamma",', '"zeta",']


MANIFEST = '[package]\nname = "c"\n\n[dependencies]\nalpha = "1"\nzeta = "1"\n'


def test_cargo_dependency_in_alphabetical_order() -> None:
    after = apply(CargoDependency("Cargo.toml", "mid", '{ path = "../mid" }'), MANIFEST)
    assert after.endswith('alpha = "1"\nmid = { path = "../mid" }\nzeta = "1"\n')


def test_cargo_target_dependency_moves_under_a_cfg() -> None:
    after = apply(CargoTargetDependency("Cargo.toml", "zeta", 'cfg(not(target_family = "wasm"))'), MANIFEST)
    assert after.endswith('alpha = "1"\n\n[target.\'cfg(not(target_family = "wasm"))\'.dependencies]\nzeta = "1"\n')


def test_cargo_target_features_only_where_the_cfg_holds() -> None:
    edit = CargoTargetFeatures("Cargo.toml", "alpha", 'cfg(target_feature = "atomics")', ("sync",))
    after = apply(edit, MANIFEST)
    assert after.endswith('[target.\'cfg(target_feature = "atomics")\'.dependencies]\n'
                          'alpha = { version = "1", features = ["sync"] }\n')  # fmt: skip


def test_cargo_lock_package_in_cargos_order_with_its_dependents() -> None:
    lock = (
        'version = 4\n\n[[package]]\nname = "app"\nversion = "0.1.0"\ndependencies = [\n "zlib",\n]\n\n'
        '[[package]]\nname = "zlib"\nversion = "1.0.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n'
    )
    edit = CargoLockPackage("Cargo.lock", (LockedPackage("mid", "0.0.0"),), ("app",))
    after = apply(edit, lock)
    names = [line for line in after.splitlines() if line.startswith("name = ")]
    assert names == ['name = "app"', 'name = "mid"', 'name = "zlib"']
    assert 'name = "app"\nversion = "0.1.0"\ndependencies = [\n "mid",\n "zlib",\n]' in after


def test_cargo_check_cfg_appends_a_lints_table() -> None:
    after = apply(CargoCheckCfg("Cargo.toml", 'cfg(target_os, values("new"))'), MANIFEST)
    assert after.endswith(
        '\n[lints.rust]\nunexpected_cfgs = { level = "warn", check-cfg = [\'cfg(target_os, values("new"))\'] }\n'
    )


def test_cargo_check_cfg_leaves_an_existing_lints_table_to_a_person() -> None:
    (finding,) = CargoCheckCfg("Cargo.toml", "cfg(x)").splices(f"{MANIFEST}[lints.rust]\n".encode(), CONTEXT)[1]
    assert finding.kind == "conflict" and "its own [lints]" in finding.detail


def test_an_anchor_on_exact_text_survives_upstream_reformatting() -> None:
    """`#eq?` on several tokens compares the tokens, not the spacing: rustfmt reflowing a
    call or an attribute over lines leaves the anchor where it was."""
    anchor = Anchor('((inner_attribute_item) @anchor (#eq? @anchor "#![feature(rustc_attrs)]"))', "feature", ("x",))
    edit = RustInsert("lib.rs", anchor, Position.BEFORE, TEMPLATE, PROBE)
    for source in ("#![feature(rustc_attrs)]\n", "#![feature(\n    rustc_attrs\n)]\n"):
        assert apply(edit, source) == f"{LINE}\n{source}"
    (finding,) = edit.splices(b"#![feature(rustc_attrs_2)]\n", CONTEXT)[1]  # other tokens: not the anchor
    assert finding.kind == "missing"
    assert rs.spacing_tolerant('(#eq? @n "name")') == '(#eq? @n "name")'  # one token: unchanged
    assert rs._tokens_regex("(le usize)") == r"^\(\s*le\s+usize\s*\)$"  # two words keep a space
