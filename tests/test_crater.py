"""The compatibility run's parts that need no compiler: which vendored crates are cases,
how two expansions' first difference is shown, and how a failed module build is told."""

from __future__ import annotations

from pathlib import Path

from patcher.cargo.modules import first_error
from patcher.suite.crater import CaseResult, first_difference, inherent_cause, table, vendored_crates


def _crate(vendor: Path, name: str, body: str) -> None:
    (vendor / f"{name}-1.0.0").mkdir(parents=True)
    (vendor / f"{name}-1.0.0" / "Cargo.toml").write_text(f'[package]\nname = "{name}"\nversion = "1.0.0"\n{body}')


def test_cases_are_the_proc_macros_and_the_crates_that_use_one(tmp_path: Path) -> None:
    _crate(tmp_path, "derive", "[lib]\nproc-macro = true\n")
    _crate(tmp_path, "facade", '[dependencies]\nderive = { version = "1", optional = true }\n')
    _crate(tmp_path, "renamed", '[target.\'cfg(unix)\'.dependencies]\nd = { package = "derive", version = "1" }\n')
    _crate(tmp_path, "plain", '[dependencies]\nlibc = "0.2"\n')
    crates = vendored_crates(tmp_path)
    assert [(c.name, c.proc_macro, c.uses) for c in crates] == [
        ("derive", True, ()),
        ("facade", False, ("derive",)),
        ("renamed", False, ("derive",)),
    ]


def test_the_first_difference_is_a_short_diff_of_the_first_hunk() -> None:
    native = "\n".join(f"line {i}" for i in range(40))
    wasm = native.replace("line 5", "line five").replace("line 30", "line thirty")
    diff = first_difference(native, wasm)
    assert "-line 5" in diff and "+line five" in diff and "thirty" not in diff


def test_a_failed_module_build_names_the_error_its_place_and_cause() -> None:
    stderr = (
        "   Compiling strum_macros v0.24.3\n"
        "error[E0423]: expected function, found module `syn::parse`\n"
        "  --> src/macros/enum_iter.rs:10:5\n"
        "   |\n"
    )
    told = first_error(stderr)
    assert told.startswith("error[E0423]: expected function, found module `syn::parse`")
    assert "--> src/macros/enum_iter.rs:10:5" in told and "synstructure hide" in told


def test_non_passes_are_filed_under_an_inherent_cause_only_when_recognised() -> None:
    diff = "--- native\n+++ wasm\n@@ -1 +1 @@\n-__wbg_x_8fd26c61650c78b9\n+__wbg_x_1e3d40cce20cd539"
    differs = CaseResult("wasm-bindgen", "0.2", "consumer", [], "expansion-differs", diff)
    assert inherent_cause(differs) == "pointer width"
    differs.cause = inherent_cause(differs)
    assert inherent_cause(CaseResult("x", "1", "macro", [], "build-fail", "error[E0308]: mismatched types")) == ""
    rows = table([vars(differs), vars(CaseResult("y", "1", "macro", [], "pass"))]).splitlines()
    assert rows[2].startswith("| wasm-bindgen 0.2 | consumer |") and rows[3].startswith("| y 1 | macro |")
    assert "pointer width" in rows[2] and "`-__wbg_x_8fd26c61650c78b9`" in rows[2]


def test_a_macro_that_reads_files_is_told_as_host_access() -> None:
    stderr = (
        "error: proc-macro derive panicked\n"
        " --> src/grammar.rs:3:10\n"
        "  |\n"
        "3 | #[derive(Parser)]\n"
        "  |          ^^^^^^\n"
        "  |\n"
        '  = help: message: error opening "grammar.pest": operation not supported on this platform\n'
    )
    told = first_error(stderr)
    assert "--> src/grammar.rs:3:10" in told and "operation not supported" in told and "--keep-native" in told
    assert inherent_cause(CaseResult("handlebars", "6", "consumer", [], "build-fail", told)) == "host access"
