"""Apply, reapply, revert, switch, dry run, dirty trees and interrupted writes, on the
real checkout."""

from __future__ import annotations

import pytest

from patcher.engine.workspace import Workspace
from patcher.environment import CRASH_AFTER_ENV
from patcher.errors import PatcherError
from patcher.provision.checkout import rustc_workspace

from .conftest import run_cli


def test_apply_reapply_revert(workspace: Workspace) -> None:
    first = workspace.apply("c", 64)
    assert "compiler/rustc_metadata/src/creader.rs" in first.changed
    assert "compiler/rustc_wasm_proc_macro/src/slots.rs" in first.changed
    assert set(workspace.changed_files()) >= {"compiler/rustc_metadata/src/creader.rs"}

    again = workspace.apply("c", 64)
    assert again.changed == []  # a reported no-op

    back = workspace.revert()
    assert set(back.changed) == set(first.changed)
    assert workspace.changed_files() == []


def test_switching_options_rewrites_only_what_differs(workspace: Workspace) -> None:
    workspace.apply("a", 64)
    switch = workspace.apply("c", 64)
    assert switch.changed == ["compiler/rustc_session/src/config.rs"]
    switch = workspace.apply("b", 64)
    assert "compiler/rustc_metadata/src/locator.rs" in switch.changed  # A's loader edit reverted
    assert "compiler/rustc_resolve/src/lib.rs" in switch.changed
    workspace.revert()
    assert workspace.changed_files() == []


def test_slots_change_rewrites_only_slots_rs(workspace: Workspace) -> None:
    workspace.apply("c", 64)
    assert workspace.apply("c", 16).changed == ["compiler/rustc_wasm_proc_macro/src/slots.rs"]


def test_dirty_checkout_refused_with_file_list(workspace: Workspace) -> None:
    victim = workspace.root / "compiler/rustc_span/src/lib.rs"
    stray = workspace.root / "compiler/stray.txt"
    original = victim.read_bytes()
    try:
        victim.write_bytes(original + b"\n// a local change\n")
        stray.write_text("not the tool's")
        with pytest.raises(PatcherError) as err:
            workspace.apply("c", 64)
        message = str(err.value)
        assert "compiler/rustc_span/src/lib.rs" in message and "compiler/stray.txt" in message
        assert "did not make" in message
        assert workspace.changed_files() == ["compiler/rustc_span/src/lib.rs", "compiler/stray.txt"]
    finally:
        victim.write_bytes(original)
        stray.unlink()


def test_hand_edited_patched_file_is_refused(workspace: Workspace) -> None:
    workspace.apply("c", 64)
    creader = workspace.root / "compiler/rustc_metadata/src/creader.rs"
    patched = creader.read_bytes()
    try:
        creader.write_bytes(patched.replace(b"rustc-wasm-proc-macros:", b"edited by hand:"))
        with pytest.raises(PatcherError, match=r"creader\.rs"):
            workspace.revert()
    finally:
        creader.write_bytes(patched)


def test_dry_run_shows_diff_and_writes_nothing(workspace: Workspace) -> None:
    result = run_cli("patch", "--option", "c", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "+++ b/compiler/rustc_metadata/src/creader.rs" in result.stdout
    assert "--- /dev/null" in result.stdout  # new files
    assert workspace.changed_files() == []


def test_interrupted_apply_leaves_tree_unchanged(workspace: Workspace) -> None:
    crashed = run_cli("patch", "--option", "c", env={CRASH_AFTER_ENV: "3"})
    assert crashed.returncode == 70  # died in the middle of swapping files
    assert workspace.changed_files() != []  # some files were swapped before the crash

    after = run_cli("status")
    assert after.returncode == 0, after.stderr
    assert "interrupted" in after.stdout
    assert rustc_workspace(workspace.root).changed_files() == []


def test_failure_during_write_rolls_back(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    import patcher.engine.plan as engine

    real_replace = os.replace
    calls = {"n": 0}

    def flaky(src: str, dst: str) -> None:
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(engine.os, "replace", flaky)
    with pytest.raises(OSError, match="disk full"):
        workspace.apply("c", 64)
    monkeypatch.setattr(engine.os, "replace", real_replace)
    assert workspace.changed_files() == []


def test_cli_reports_errors_without_traceback(workspace: Workspace) -> None:
    result = run_cli("--rust-version", "9.9.9", "patch")
    assert result.returncode == 1
    assert "unknown rustc version '9.9.9'" in result.stderr
    assert "Traceback" not in result.stderr
