"""The UI-suite runner's reading of compiletest's verbose output (the suite itself runs in
the slow tier, `nox -s ui`)."""

from __future__ import annotations

import json
from pathlib import Path

from patcher.suite import ui_suite

LOG = """\
running 4 tests
test [ui] tests/ui/proc-macro/attr-args.rs ... ok
test [ui] tests/ui/proc-macro/nonfatal-parsing.rs ... FAILED
test [ui] tests/ui/proc-macro/expand-expr.rs ... ok
test [ui] tests/ui/proc-macro/crt-static.rs#x ... ignored, only executed when the target is musl

failures:

---- [ui] tests/ui/proc-macro/nonfatal-parsing.rs stdout ----

error: 1 diagnostic in stderr differs
+error: proc macro panicked
-error: aborting

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
        "error: 1 diagnostic in stderr differs",
        "+error: proc macro panicked",
        "-error: aborting",
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
