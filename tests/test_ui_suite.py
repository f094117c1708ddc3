"""The UI-suite runner's reading of compiletest's verbose output (the suite itself runs in
the slow tier, `nox -s ui`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from patcher.suite import ui_suite

LOG = """\
running 4 tests
test [ui] tests/ui/proc-macro/attr-args.rs ... ok
test [ui] tests/ui/proc-macro/nonfatal-parsing.rs ... FAILED
test [ui] tests/ui/proc-macro/expand-expr.rs ... ok
test [ui] tests/ui/proc-macro/crt-static.rs#x ... ignored, only executed when the target is musl

failures:

---- [ui] tests/ui/proc-macro/nonfatal-parsing.rs stdout ----

diff of stderr:
-	error: invalid digit for a base 2 literal
+	error: proc macro panicked

---- [ui] tests/ui/proc-macro/other.rs stdout ----
unrelated

failures:
    [ui] tests/ui/proc-macro/nonfatal-parsing.rs

test result: FAILED. 2 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out
"""


def test_parse_log_reads_outcomes_and_failure_reports() -> None:
    run = ui_suite.parse_log(LOG, "wasm", 12.0)
    outcomes = {t.name: t.outcome for t in run.tests}
    assert outcomes == {
        "tests/ui/proc-macro/attr-args.rs": "passed",
        "tests/ui/proc-macro/nonfatal-parsing.rs": "failed",
        "tests/ui/proc-macro/expand-expr.rs": "passed",
        "tests/ui/proc-macro/crt-static.rs#x": "ignored",
    }
    failed = next(t for t in run.tests if t.outcome == "failed")
    assert failed.detail.splitlines() == [
        "diff of stderr:",
        "-\terror: invalid digit for a base 2 literal",
        "+\terror: proc macro panicked",
    ]
    assert "catch_unwind" in failed.cause
    ignored = next(t for t in run.tests if t.outcome == "ignored")
    assert ignored.detail == "only executed when the target is musl"
    assert (run.count("passed"), run.count("failed"), run.count("ignored")) == (2, 1, 1)
    assert run.pass_rate == 2 / 3
    assert run.unexplained() == []  # nonfatal-parsing's cause is known
    failed.cause = ""
    assert run.unexplained() == ["tests/ui/proc-macro/nonfatal-parsing.rs"]


def test_results_keep_the_other_mode(tmp_path: Path) -> None:
    path = tmp_path / "ui.json"
    ui_suite.write_results(ui_suite.parse_log(LOG, "native", 1.0), path)
    ui_suite.write_results(ui_suite.parse_log(LOG, "wasm", 2.0), path)
    data = json.loads(path.read_text())
    assert set(data) == {"native", "wasm"}
    assert data["wasm"]["failed"] == 1 and data["wasm"]["seconds"] == 2
    assert data["native"]["tests"][0]["name"] == "tests/ui/proc-macro/attr-args.rs"


def test_a_known_failure_is_excused_only_for_its_known_text() -> None:
    other = LOG.replace("+\terror: proc macro panicked", "+\terror: something else went wrong")
    run = ui_suite.parse_log(other, "wasm", 1.0)
    assert run.unexplained() == ["tests/ui/proc-macro/nonfatal-parsing.rs"]


def test_an_ice_anywhere_in_a_failure_report_counts() -> None:
    late = "\n".join(f"line {i}" for i in range(ui_suite.FAILURE_LINES + 20))
    for crash in (
        "thread 'rustc' (4242) panicked at compiler/rustc_expand/src/base.rs:1:1:",
        "error: the compiler unexpectedly panicked. this is a bug.",
        "error: compiler encountered internal error",
    ):
        text = LOG.replace("+\terror: proc macro panicked\n", f"+\terror: proc macro panicked\n{late}\n{crash}\n")
        run = ui_suite.parse_log(text, "wasm", 1.0)
        failed = next(t for t in run.tests if t.outcome == "failed")
        assert failed.ice and crash not in failed.detail, crash  # found past the kept lines
        assert run.unexplained() == ["tests/ui/proc-macro/nonfatal-parsing.rs"]


def test_a_run_must_reach_its_summary_with_the_expected_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    run = ui_suite.parse_log(LOG, "wasm", 1.0)
    monkeypatch.setitem(ui_suite.EXPECTED_COUNTS, "wasm", (2, 1, 1))
    assert run.problems() == []
    monkeypatch.setitem(ui_suite.EXPECTED_COUNTS, "wasm", (243, 1, 3))
    assert run.problems() == ["wasm: (2, 1, 1) (passed, failed, ignored), expected (243, 1, 3)"]
    assert run.problems(whole_suite=False) == []  # one test run alone
    stopped = ui_suite.parse_log(LOG.split("failures:")[0], "wasm", 1.0)
    assert any("never came" in problem for problem in stopped.problems(whole_suite=False))
    short = ui_suite.parse_log(LOG.replace("2 passed;", "3 passed;"), "wasm", 1.0)
    assert any("the summary says (3, 1, 1)" in problem for problem in short.problems(whole_suite=False))
