"""Telling a compiler crash from an error: each of rustc 1.95's three signs is caught."""

from __future__ import annotations

from pathlib import Path

from patcher.suite import ice

PANIC_195 = "thread 'rustc' (123456) panicked at compiler/rustc_expand/src/proc_macro.rs:10:5:\nboom\n"
BANNER = "error: the compiler unexpectedly panicked. this is a bug.\n"


def test_each_sign_of_a_crash_is_found(tmp_path: Path) -> None:
    assert ice.marker_in(PANIC_195) == "thread 'rustc' (123456) panicked at"
    assert ice.marker_in("thread 'rustc' panicked at src/main.rs:1:1:\n")  # before 1.89
    assert ice.marker_in(BANNER) == "the compiler unexpectedly panicked"
    assert ice.marker_in("error: internal compiler error: unexpected\n")
    # an error of the program's, or a macro's panic reported as an error, is no crash
    assert ice.marker_in("error: proc macro panicked\n  = help: message: boom\n") == ""
    assert ice.crash("error[E0425]: cannot find value\n", tmp_path) == ""


def test_a_report_file_alone_is_a_crash_and_is_moved_aside(tmp_path: Path) -> None:
    work, kept = tmp_path / "cwd", tmp_path / "kept"
    work.mkdir()
    (work / "rustc-ice-2026-12-05T01_00_00-42.txt").write_text("thread 'rustc' panicked\n")
    found = ice.crash("error: could not compile\n", work, keep=kept)
    assert "rustc-ice-2026-12-05T01_00_00-42.txt written" in found
    assert ice.reports_in(work) == [] and len(ice.reports_in(kept)) == 1
    assert ice.crash("error: could not compile\n", work, keep=kept) == ""  # the next run starts clean


def test_the_watch_gives_cargo_runs_its_directory(tmp_path: Path) -> None:
    watch = ice.IceWatch(tmp_path)
    assert watch.env() == {"RUSTC_ICE": str(watch.cwd)}
    (watch.cwd / "rustc-ice-x.txt").write_text("")
    assert "rustc-ice-x.txt written" in watch.crash("")
    assert (watch.kept / "rustc-ice-x.txt").exists()
