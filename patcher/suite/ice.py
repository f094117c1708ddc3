"""Telling a compiler crash (an ICE) from an ordinary error, wherever a suite runs rustc.

rustc 1.95 announces a crash three ways: the panic line (`thread 'rustc' (12345) panicked
at ...`: the thread id in parentheses is new since 1.89), the banner `error: the compiler
unexpectedly panicked. this is a bug.`, and, on a nightly-like compiler (RUSTC_BOOTSTRAP
set, as the suites do), a `rustc-ice-<date>-<pid>.txt` report written to the working
directory (or where RUSTC_ICE says). A crash must be caught by any of them: a crash in a
proc macro's relay can print its report and still exit 1.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

# `(?: \(\d+\))?`: 1.95 prints the thread id; older compilers do not.
PANIC_LINE = re.compile(r"thread '[^']*'(?: \(\d+\))? panicked at ")
TEXT_MARKERS = ("internal compiler error", "the compiler unexpectedly panicked")
REPORT_GLOB = "rustc-ice-*.txt"


def marker_in(stderr: str) -> str:
    """The first sign of a compiler crash in `stderr`, or ""."""
    if found := PANIC_LINE.search(stderr):
        return found.group(0).strip()
    return next((m for m in TEXT_MARKERS if m in stderr), "")


def reports_in(directory: Path) -> list[Path]:
    """The ICE report files rustc left in `directory`."""
    return sorted(directory.glob(REPORT_GLOB)) if directory.is_dir() else []


def crash(stderr: str, *directories: Path, keep: Path | None = None) -> str:
    """What says the compiler crashed ("" when nothing does): a marker in `stderr`, or
    a report file in one of `directories`. Report files are moved to `keep` (so that the
    next run's check starts clean), or removed."""
    reports = [report for directory in directories for report in reports_in(directory)]
    for report in reports:
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            shutil.move(report, keep / report.name)
        else:
            report.unlink()
    marker = marker_in(stderr)
    if not marker and not reports:
        return ""
    found = [f"`{marker}` in stderr"] if marker else []
    found += [f"{report.name} written" for report in reports]
    return f"the compiler crashed ({'; '.join(found)}):\n{stderr[-3000:]}"


class IceWatch:
    """The working directory a suite runs the compiler in, checked after every run.

    Direct runs start in `cwd` (rustc's default place for a report); cargo runs pass
    `env()` (RUSTC_ICE, so that crates compiled in their own directories report here too).
    Reports found are kept in `kept` for a look afterwards."""

    def __init__(self, work: Path) -> None:
        self.cwd = work / "cwd"
        self.kept = work / "ice-reports"
        self.cwd.mkdir(parents=True, exist_ok=True)
        for stale in reports_in(self.cwd):  # an earlier run's, already reported by it
            stale.unlink()

    def env(self) -> dict[str, str]:
        return {"RUSTC_ICE": str(self.cwd)}

    def crash(self, stderr: str) -> str:
        return crash(stderr, self.cwd, keep=self.kept)
