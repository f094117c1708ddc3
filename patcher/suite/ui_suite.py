"""rustc's own proc-macro UI suite (`tests/ui/proc-macro`) through compiletest.

`x.py test tests/ui/proc-macro --stage 1` with the patched stage1 compiler; in the wasm
mode (the default) compiletest's edit (templates/compiletest/) compiles every proc-macro
crate a test builds for wasm32-unknown-unknown and hands the test the module, so a test
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
from patcher.build.process import run_logged
from patcher.errors import PatcherError
from patcher.paths import REPO_ROOT
from patcher.rustc.patchset import COMPILETEST_ENV
from patcher.suite.e2e import ICE_MARKERS

SUITE = "tests/ui/proc-macro"
WASM_TARGET = "wasm32-unknown-unknown"
RESULTS = REPO_ROOT / "results" / "ui-proc-macro.json"
LOG_DIR = REPO_ROOT / "build" / "ui"
FAILURE_LINES = 40  # of compiletest's report of a failure, kept in the results
# Why a test cannot pass with wasm proc macros, for the failures that are understood.
KNOWN_CAUSES: dict[str, str] = {
    "nonfatal-parsing.rs": (
        "the macro catches its own panics with std::panic::catch_unwind; wasm32-unknown-unknown has no "
        "unwinding (panic=abort) and wasmi 1.1 no exception handling, so the first caught panic ends the "
        "expansion, reported as the macro's panic with its message"
    ),
}

_OUTCOME = re.compile(r"^test \[ui\] (?P<name>\S+) \.\.\. (?P<outcome>ok|FAILED|ignored)(?:, (?P<why>.*))?$")
_FAILURE_HEADER = re.compile(r"^---- \[ui\] (?P<name>\S+) stdout ----$")


@dataclass
class TestResult:
    name: str
    outcome: str  # "passed", "failed", "ignored"
    detail: str = ""  # why ignored, or the start of compiletest's failure report
    cause: str = ""
    ice: bool = False  # the compiler crashed: never acceptable, whatever compiletest counts


@dataclass
class SuiteRun:
    mode: str
    seconds: float
    tests: list[TestResult] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(test.outcome == outcome for test in self.tests)

    def unexplained(self) -> list[str]:
        """The failures a run should not have: without a known cause (KNOWN_CAUSES), or an ICE."""
        return [t.name for t in self.tests if t.outcome == "failed" and (t.ice or not t.cause)]

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
        if match := _FAILURE_HEADER.match(line):
            current = reports.setdefault(match["name"], [])
            continue
        if current is not None:
            if line.startswith(("failures:", "---- ")) or line.startswith("test result:"):
                current = None
            elif len(current) < FAILURE_LINES:
                current.append(line)
    for test in run.tests:
        if test.outcome == "failed":
            test.detail = "\n".join(reports.get(test.name, [])).strip()
            base = test.name.split("#")[0].rsplit("/", 1)[-1]
            test.cause = KNOWN_CAUSES.get(base, "")
            test.ice = any(marker in test.detail for marker in ICE_MARKERS)
    return run


def write_results(run: SuiteRun, path: Path = RESULTS) -> Path:
    """Record `run` under its mode, keeping the other mode's last run."""
    results = json.loads(path.read_text()) if path.exists() else {}
    results[run.mode] = {
        "date": time.strftime("%Y-%m-%d"),
        **run.summary(),
        "tests": [{k: v for k, v in vars(test).items() if v} for test in sorted(run.tests, key=lambda t: t.name)],
    }
    path.write_text(json.dumps(results, indent=2) + "\n")
    return path


def run_suite(checkout: Path, native: bool, log: Path, extra: list[str]) -> SuiteRun:
    """`x.py test` of the suite with the already built stage1 compiler; the run's outcomes."""
    # The auxiliaries link for wasm with rust-lld, which a Debian-based stage1 lacks; x.py
    # test assembles the stage1 sysroot afresh, so it is found on PATH instead.
    tools = link_rust_lld(LOG_DIR / "bin")
    # compiletest clears a test's auxiliary directory only for `aux-build` tests: the other
    # mode's modules or dylibs left there would make two candidates for one crate.
    shutil.rmtree(checkout / "build" / host_triple() / "test" / "ui", ignore_errors=True)
    mode = "native" if native else "wasm"
    paths = [arg for arg in extra if arg.startswith("tests/")] or [SUITE]  # one test, or the suite
    cmd = [
        sys.executable, "x.py", "test", *paths, "--stage", "1", "--force-rerun", "--no-fail-fast",
        "--set", "rust.verbose-tests=true", *(arg for arg in extra if not arg.startswith("tests/")),
    ]  # fmt: skip
    env = {"PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"}
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
