"""rustc's own proc-macro UI suite (`tests/ui/proc-macro`) through compiletest.

`x.py test tests/ui/proc-macro --stage 1` with the patched stage1 compiler; in the wasm
mode (the default) compiletest's edit (templates/compiletest/) compiles every proc-macro
crate a test builds for the guest target (wasm32-procmacro) and hands the test the module, so a test
passes exactly when its output equals upstream's committed expectation. `--native` runs
the same suite with native proc macros: the baseline.

Results: per test (and revision) passed / failed / ignored, and for each failure the
first lines compiletest showed for it, go to results/ui-proc-macro.json under the mode.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from patcher.build.install import link_rust_lld
from patcher.build.native import host_triple
from patcher.environment import COMPILETEST_ENV, ENGINE_ENV, WASMTIME_LIBRARY_ENV
from patcher.errors import PatcherError
from patcher.paths import XPyBuild, work_dir
from patcher.process import run_logged
from patcher.results import results_dir, stamp
from patcher.rustc.abi import GUEST_TARGET
from patcher.suite import ice

SUITE = "tests/ui/proc-macro"
WASM_TARGET = GUEST_TARGET
RESULTS = "ui-proc-macro.json"  # in results/
LOG_DIR = work_dir("ui")
FAILURE_LINES = 40  # of compiletest's report of a failure, kept in the results


@dataclass(frozen=True)
class KnownFailure:
    """A failure whose cause is understood: excused only when compiletest's report of it
    holds every one of `texts` (the same failure, not any failure of the same test)."""

    cause: str
    texts: tuple[str, ...]


KNOWN_FAILURES: dict[str, KnownFailure] = {
    "tests/ui/proc-macro/nonfatal-parsing.rs": KnownFailure(
        "the macro catches its own panics with std::panic::catch_unwind; the guest target has no "
        "unwinding (guests are built with panic=abort, and wasmi 1.1 has no exception handling), so under "
        "either engine the first caught panic ends the expansion, reported as the macro's panic with its message",
        # where upstream expects the first non-fatal literal error, the macro's panic instead
        ("-\terror: invalid digit for a base 2 literal", "+\terror: proc macro panicked"),
    ),
}
# The whole suite's outcome per mode (passed, failed, ignored): any other count is a
# regression (or an improvement to record here), even when every failure is explained.
EXPECTED_COUNTS: dict[str, tuple[int, int, int]] = {
    "native": (244, 0, 3),
    "wasm": (243, 1, 3),  # the compiler's default engine
    "wasm-wasmi": (243, 1, 3),
    "wasm-wasmtime": (243, 1, 3),
}
# compiletest's own words when the compiler exits 101 or dies by a signal
COMPILETEST_CRASH = ("compiler encountered internal error", "compiler terminated by signal")

_OUTCOME = re.compile(r"^test \[ui\] (?P<name>\S+) \.\.\. (?P<outcome>ok|FAILED|ignored)(?:, (?P<why>.*))?$")
_FAILURE_HEADER = re.compile(r"^---- \[ui\] (?P<name>\S+) stdout ----$")
_SUMMARY = re.compile(r"^test result: \S+\. (?P<passed>\d+) passed; (?P<failed>\d+) failed; (?P<ignored>\d+) ignored;")


@dataclass
class TestResult:
    name: str
    outcome: str  # "passed", "failed", "ignored"
    detail: str = ""  # why ignored, or the start of compiletest's failure report
    cause: str = ""  # a known failure's cause (KNOWN_FAILURES), when its report matches
    ice: bool = False  # the compiler crashed: never acceptable, whatever compiletest counts


@dataclass
class SuiteRun:
    mode: str
    seconds: float
    tests: list[TestResult] = field(default_factory=list)
    # compiletest's closing line(s): (passed, failed, ignored); none when the run stopped early
    summaries: list[tuple[int, int, int]] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(test.outcome == outcome for test in self.tests)

    @property
    def counts(self) -> tuple[int, int, int]:
        return self.count("passed"), self.count("failed"), self.count("ignored")

    def unexplained(self) -> list[str]:
        """The failures a run should not have: not a known failure (KNOWN_FAILURES), or an ICE."""
        return [t.name for t in self.tests if t.outcome == "failed" and (t.ice or not t.cause)]

    def problems(self, whole_suite: bool = True) -> list[str]:
        """Why this run is not the suite's expected result: it stopped before its summary,
        its outcomes do not add up to the summary, a failure is unexplained or an ICE, or
        (for the whole suite) its counts differ from EXPECTED_COUNTS."""
        found = [f"{name}: failed without a known cause, or the compiler crashed" for name in self.unexplained()]
        if not self.summaries:
            found.append("compiletest's summary line (`test result: ...`) never came: the run stopped part way")
            return found
        summed = tuple(sum(s[i] for s in self.summaries) for i in range(3))
        if summed != self.counts:
            found.append(f"the summary says {summed} (passed, failed, ignored), the test lines {self.counts}")
        expected = EXPECTED_COUNTS[self.mode]
        if whole_suite and self.counts != expected:
            found.append(f"{self.mode}: {self.counts} (passed, failed, ignored), expected {expected}")
        return found

    @property
    def pass_rate(self) -> float:
        ran = self.count("passed") + self.count("failed")
        return self.count("passed") / ran if ran else 0.0

    def summary(self) -> dict[str, object]:
        return {
            "passed": self.count("passed"),
            "failed": self.count("failed"),
            "ignored": self.count("ignored"),
            "pass_rate": round(self.pass_rate, 4),
            "ices": sum(test.ice for test in self.tests),
            "seconds": round(self.seconds),
        }


def parse_log(text: str, mode: str, seconds: float) -> SuiteRun:
    """The per-test outcomes of a verbose compiletest run, with each failure's report."""
    run = SuiteRun(mode, seconds)
    reports: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if match := _OUTCOME.match(line):
            outcome = {"ok": "passed", "FAILED": "failed", "ignored": "ignored"}[match["outcome"]]
            run.tests.append(TestResult(match["name"], outcome, match["why"] or ""))
            continue
        if match := _SUMMARY.match(line):
            run.summaries.append((int(match["passed"]), int(match["failed"]), int(match["ignored"])))
        if match := _FAILURE_HEADER.match(line):
            current = reports.setdefault(match["name"], [])
            continue
        if current is not None:
            if line.startswith(("failures:", "---- ")) or line.startswith("test result:"):
                current = None
            else:
                current.append(line)
    for test in run.tests:
        if test.outcome == "failed":
            report = "\n".join(reports.get(test.name, [])).strip()
            test.detail = "\n".join(report.splitlines()[:FAILURE_LINES])
            known = KNOWN_FAILURES.get(test.name.split("#")[0])
            test.cause = known.cause if known and all(text in report for text in known.texts) else ""
            test.ice = bool(ice.marker_in(report)) or any(text in report for text in COMPILETEST_CRASH)
    return run


def write_results(run: SuiteRun, path: Path | None = None) -> Path:
    """Record `run` under its mode, keeping the other mode's last run."""
    path = path or results_dir() / RESULTS
    results = json.loads(path.read_text()) if path.exists() else {}
    results[run.mode] = {
        **stamp(),
        **run.summary(),
        "tests": [{k: v for k, v in vars(test).items() if v} for test in sorted(run.tests, key=lambda t: t.name)],
    }
    path.write_text(json.dumps(results, indent=2) + "\n")
    return path


def mode_of(native: bool, engine: str | None) -> str:
    """The results' name of a run: `native`, `wasm` (the default engine) or `wasm-<engine>`."""
    return "native" if native else f"wasm-{engine}" if engine else "wasm"


def run_suite(
    checkout: Path, native: bool, log: Path, extra: list[str], engine: str | None = None, wasmtime: Path | None = None
) -> SuiteRun:
    """`x.py test` of the suite with the already built stage1 compiler; the run's outcomes.
    `engine` is asked of every compile; `wasmtime` is the engine's library (the stage1
    sysroot has none: `nox -s build` installs it in dist/)."""
    # The auxiliaries link for wasm with rust-lld, which a Debian-based stage1 lacks; x.py
    # test assembles the stage1 sysroot afresh, so it is found on PATH instead.
    tools = link_rust_lld(LOG_DIR / "bin")
    # compiletest clears a test's auxiliary directory only for `aux-build` tests: the other
    # mode's modules or dylibs left there would make two candidates for one crate.
    shutil.rmtree(XPyBuild(checkout).ui_tests(host_triple()), ignore_errors=True)
    mode = mode_of(native, engine)
    paths = [arg for arg in extra if arg.startswith("tests/")] or [SUITE]  # one test, or the suite
    cmd = [
        sys.executable, "x.py", "test", *paths, "--stage", "1", "--force-rerun", "--no-fail-fast",
        "--set", "rust.verbose-tests=true", *(arg for arg in extra if not arg.startswith("tests/")),
    ]  # fmt: skip
    env = {"PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"}
    if engine:
        env[ENGINE_ENV] = engine
    if wasmtime is not None:
        env[WASMTIME_LIBRARY_ENV] = str(wasmtime)
    if not native:
        env[COMPILETEST_ENV] = WASM_TARGET  # compiletest's mode, and std for it in the sysroot
    unset = (COMPILETEST_ENV,) if native else ()
    start = time.perf_counter()
    with contextlib.suppress(PatcherError):  # failing tests make x.py fail; the log says which
        run_logged(cmd, checkout, log, show=("test [ui]", "test result", "error"), env=env, unset=unset)
    run = parse_log(log.read_text(errors="replace"), mode, time.perf_counter() - start)
    if not run.tests:
        raise PatcherError(f"no test outcomes in {log}: compiletest did not run (see the log's end)")
    return run


def report(run: SuiteRun) -> str:
    lines = [
        f"{run.mode}: {run.count('passed')} passed, {run.count('failed')} failed, {run.count('ignored')} ignored "
        f"({run.pass_rate:.1%} of those run) in {run.seconds:.0f} s"
    ]
    for test in run.tests:
        if test.outcome == "failed":
            first = next((line for line in test.detail.splitlines() if line.strip()), "")
            lines.append(f"  FAILED {test.name}: {test.cause or first}")
    return "\n".join(lines)
