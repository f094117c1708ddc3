"""The correctness gate: the crates option C touches, and the warnings of the build (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from patcher.build.check import crates_touched, files_edited, warnings_in_log
from patcher.engine.plan import State
from patcher.provision.checkout import rustc_workspace
from patcher.rustc.options import DEFAULT_OPTION

from .conftest import run_cli


def test_crates_touched_cover_every_edited_crate() -> None:
    assert crates_touched("c") == [
        "compiler/rustc",  # the wasm-host edits (patcher/rustc/wasm_host.py)
        "compiler/rustc_builtin_macros",
        "compiler/rustc_codegen_llvm",
        "compiler/rustc_codegen_ssa",
        "compiler/rustc_data_structures",
        "compiler/rustc_driver_impl",
        "compiler/rustc_interface",
        "compiler/rustc_llvm",  # the wasm host's in-process lld
        "compiler/rustc_metadata",
        "compiler/rustc_proc_macro",
        "compiler/rustc_session",
        "compiler/rustc_span",  # the wasm host's fatal-error hook
        "compiler/rustc_target",  # the proc-macro guest target
        "compiler/rustc_wasm_proc_macro",
        "library/std",  # the stdout/stderr sink of wasm targets without an OS; their randomness, libm
    ]
    assert "compiler/rustc_resolve" in crates_touched("b")


@pytest.mark.slow
def test_the_build_has_no_warning_on_a_patched_line(checkout: Path, tmp_path: Path) -> None:
    """The gate, from the full build (which proves more than `x.py check`, and which the
    slow tier needs anyway): no warning on a line the patches added, and no tracked file
    rewritten by the build (e.g. Cargo.lock). `nox -s check` runs `x.py check` itself."""
    built = run_cli("build", "--option", DEFAULT_OPTION, env={"RUSTC_WASM_RESULTS": str(tmp_path)})
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    log = checkout / "build" / "logs" / "build-native.log"
    assert warnings_in_log(checkout, log, files_edited(DEFAULT_OPTION)) == []
    ws = rustc_workspace(checkout)
    assert ws.foreign_changes(State.load(ws.git_dir), {}) == []


def test_warnings_on_lines_the_patches_added_are_found_and_upstreams_are_not() -> None:
    from patcher.build.check import warnings_in

    log = [
        "warning: unused variable: `x`\n",
        "  --> /src/rustc-1.95.0/compiler/rustc_metadata/src/creader.rs:918:13\n",
        "   |\n",
        "warning: unused import: `gcc`\n",
        "  --> src/bootstrap/src/core/builder/mod.rs:21:47\n",
        "warning: unexpected `cfg` condition value: `jemalloc`\n",
        "  --> compiler/rustc/src/main.rs:40:7\n",
        "warning: `rustc_metadata` (lib) generated 1 warning\n",
    ]
    added = {"compiler/rustc_metadata/src/creader.rs": {917, 918}, "compiler/rustc/src/main.rs": {43, 44}}
    assert warnings_in(log, added) == ["rustc_metadata/src/creader.rs: warning: unused variable: `x`"]
    assert warnings_in(log, {"compiler/rustc_metadata/src/creader.rs": {1, 2}}) == []


def test_added_lines_are_read_from_a_zero_context_diff() -> None:
    from patcher.build.check import parse_added_lines

    diff = """diff --git a/compiler/rustc/src/main.rs b/compiler/rustc/src/main.rs
--- a/compiler/rustc/src/main.rs
+++ b/compiler/rustc/src/main.rs
@@ -42,0 +43,5 @@ use std::process::ExitCode;
+// one
@@ -44 +49 @@ fn main() -> ExitCode {
-    old
+    new
diff --git a/compiler/rustc_session/src/output.rs b/compiler/rustc_session/src/output.rs
--- a/compiler/rustc_session/src/output.rs
+++ b/compiler/rustc_session/src/output.rs
@@ -50,2 +50,0 @@ fn f() {
"""
    assert parse_added_lines(diff) == {
        "compiler/rustc/src/main.rs": {43, 44, 45, 46, 47, 49},
        "compiler/rustc_session/src/output.rs": set(),
    }
