"""Options are records in a registry: adding one is a record (and its templates), nothing else."""

from __future__ import annotations

from pathlib import Path

import git

from patcher.cli import build_parser
from patcher.engine.edits import NewFile
from patcher.export import export_option
from patcher.rustc.options import OptionSpec, all_options, get, names, register, unregister
from patcher.suite.e2e import MacroFlags

NEW_FILE = "compiler/rustc_wasm_proc_macro/src/option_z.rs"


def test_builtin_options() -> None:
    assert names() == ["a", "b", "c"]
    assert [get(n).load_args("m", "m.wasm") for n in names()] == [
        ["--extern", "m=m.wasm"],
        ["-Zwasm-proc-macro=m.wasm"],
        ["--wasm-proc-macro", "m=m.wasm"],
    ]
    assert [spec.name for spec in all_options() if not spec.macros_by_path] == ["b"]
    assert get("b").crates == ("compiler/rustc_metadata", "compiler/rustc_resolve", "compiler/rustc_session")


def test_a_throwaway_option_registers_and_exports(checkout: Path, tmp_path: Path) -> None:
    spec = OptionSpec(
        name="z",
        title="Z",
        summary="a test's option: the core plus one new file",
        edits=(NewFile(NEW_FILE, "runtime/limits.rs.j2"),),
        load_flag=("--z-proc-macro", "{name}={path}"),
        macros_by_path=True,
        compiletest_mode=False,
    )
    builtin = all_options()
    register(spec)
    try:
        assert "z" in names()
        assert build_parser().parse_args(["patch", "--option", "z"]).option == "z"
        assert MacroFlags("z").args("m", Path("m.wasm")) == ["--z-proc-macro", "m=m.wasm"]
        patch = export_option(git.Repo(checkout), "z", tmp_path)
        text = patch.read_text()
    finally:
        unregister("z")
    assert names() == ["a", "b", "c"]
    assert patch == tmp_path / "option-z.patch"
    assert f"diff --git a/{NEW_FILE} " in text
    assert "diff --git a/compiler/rustc_wasm_proc_macro/src/slots.rs " in text  # the core
    assert "src/tools/compiletest" not in text
    from patcher.rustc.patchset import CORE

    core_files = {e.file for e in CORE}
    for other in builtin:
        assert not [rel for rel in other.files if f"diff --git a/{rel} " in text and rel not in core_files], other.name
