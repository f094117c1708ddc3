"""The end-to-end tier, as CI runs it: build the default option's compiler (resuming
any earlier build), then the e2e suite against it, and rustc's proc-macro UI suite (slow:
about 40 minutes cold). Each asserts the exact suite: every expected case by name, every
count as recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from patcher.rustc.options import DEFAULT_OPTION
from patcher.suite import expected, ui_suite
from patcher.suite.expected import expected_cases

from .conftest import run_cli


@pytest.mark.slow
def test_default_option_builds_and_passes_the_e2e_suite(checkout: Path, tmp_path: Path) -> None:
    # the build applies the option itself and leaves it applied (no revert: that would
    # touch every patched file and cost a rebuild); figures go to tmp_path, not results/
    env = {"RUSTC_WASM_RESULTS": str(tmp_path)}
    built = run_cli("build", "--option", DEFAULT_OPTION, env=env)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    suite = run_cli("e2e", "--option", DEFAULT_OPTION, env=env)
    assert suite.returncode == 0, suite.stdout[-6000:] + suite.stderr[-3000:]
    results = json.loads((tmp_path / f"e2e-native-option-{DEFAULT_OPTION}.json").read_text())
    ran = sorted(case["case"] for case in results["cases"])
    assert ran == expected_cases(DEFAULT_OPTION, "native"), expected.differences(ran, DEFAULT_OPTION, "native")
    failed = [case["case"] for case in results["cases"] if not case["passed"]]
    assert failed == [] and results["passed"] == results["total"] == len(ran), suite.stdout[-6000:]


@pytest.mark.slow
def test_rustc_proc_macro_ui_suite_passes_with_wasm_proc_macros(checkout: Path, tmp_path: Path) -> None:
    # after the build above: the suite through compiletest, natively (the baseline) and
    # with every proc macro compiled to wasm; results go to a scratch file, not results/
    results = tmp_path / "ui-proc-macro.json"
    env = {"RUSTC_WASM_RESULTS": str(tmp_path)}  # the build's duration, too
    native = run_cli("ui", "--native", "--results", str(results), env=env)
    assert native.returncode == 0, native.stdout[-6000:] + native.stderr[-3000:]
    wasm = run_cli("ui", "--results", str(results), env=env)
    assert wasm.returncode == 0, wasm.stdout[-6000:]  # every failure has a known cause
    data = json.loads(results.read_text())
    for mode, proc in (("native", native), ("wasm", wasm)):
        counts = (data[mode]["passed"], data[mode]["failed"], data[mode]["ignored"])
        assert counts == ui_suite.EXPECTED_COUNTS[mode], proc.stdout[-6000:]  # the summary was reached, too
        assert data[mode]["ices"] == 0, proc.stdout[-6000:]
    known = {t["name"] for t in data["wasm"]["tests"] if t["outcome"] == "failed" and t.get("cause")}
    assert known == set(ui_suite.KNOWN_FAILURES), wasm.stdout[-6000:]
