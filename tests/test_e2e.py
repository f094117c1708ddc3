"""The end-to-end tier, as CI runs it: build the default option's compiler (resuming
any earlier build), then the e2e suite against it, and rustc's proc-macro UI suite (slow:
about 40 minutes cold). Each asserts the exact suite: every expected case by name, every
count as recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from patcher.rustc.options import DEFAULT_OPTION
from patcher.suite import bridge_fuzz, expected, ui_suite
from patcher.suite.expected import expected_cases

from .conftest import run_cli


@pytest.mark.slow
def test_default_option_builds_and_passes_the_e2e_suite(checkout: Path, tmp_path: Path) -> None:
    # the build applies the option itself and leaves it applied (no revert: that would
    # touch every patched file and cost a rebuild); figures go to tmp_path, not results/
    env = {"RUSTC_WASM_RESULTS": str(tmp_path)}
    built = run_cli("build", "--option", DEFAULT_OPTION, env=env)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    # the compiler's default engine (wasmtime, with its own cases), then wasmi
    for engine, results_name in ((None, ""), ("wasmi", "-engine-wasmi")):
        suite = run_cli("e2e", "--option", DEFAULT_OPTION, *(["--engine", engine] if engine else []), env=env)
        assert suite.returncode == 0, suite.stdout[-6000:] + suite.stderr[-3000:]
        results = json.loads((tmp_path / f"e2e-native-option-{DEFAULT_OPTION}{results_name}.json").read_text())
        ran = sorted(case["case"] for case in results["cases"])
        want = expected_cases(DEFAULT_OPTION, "native", engine)
        assert ran == want, expected.differences(ran, DEFAULT_OPTION, "native", engine)
        failed = [case["case"] for case in results["cases"] if not case["passed"]]
        assert failed == [] and results["passed"] == results["total"] == len(ran), suite.stdout[-6000:]


@pytest.mark.slow
def test_bridge_fuzzer_never_crashes_the_compiler(checkout: Path, tmp_path: Path) -> None:
    # after the build above: the default count of fuzzed expansions through each engine;
    # every compiler run ends in expansions or clean errors (the CLI fails otherwise)
    env = {"RUSTC_WASM_RESULTS": str(tmp_path)}
    proc = run_cli("fuzz", env=env)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    data = json.loads((tmp_path / "bridge-fuzz.json").read_text())
    assert [run["engine"] for run in data["engines"]] == list(bridge_fuzz.ENGINES)
    for run in data["engines"]:
        assert run["problems"] == [] and run["cases"] == bridge_fuzz.DEFAULT_CASES
        # the mutations reached the server, and it refused malformed ones as such
        assert run["messages"] > bridge_fuzz.DEFAULT_CASES * bridge_fuzz.DEFAULT_MESSAGES // 2
        assert run["errors_by_kind"].get("malformed request", 0) > 0, run


@pytest.mark.slow
def test_rustc_proc_macro_ui_suite_passes_with_wasm_proc_macros(checkout: Path, tmp_path: Path) -> None:
    # after the build above: the suite through compiletest, natively (the baseline) and
    # with every proc macro compiled to wasm, under the default engine and under wasmi;
    # results go to a scratch file, not results/
    results = tmp_path / "ui-proc-macro.json"
    env = {"RUSTC_WASM_RESULTS": str(tmp_path)}  # the build's duration, too
    runs = {
        "native": run_cli("ui", "--native", "--results", str(results), env=env),
        "wasm": run_cli("ui", "--results", str(results), env=env),
        "wasm-wasmi": run_cli("ui", "--engine", "wasmi", "--results", str(results), env=env),
    }
    data = json.loads(results.read_text())
    for mode, proc in runs.items():
        assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]  # summary reached, counts exact
        counts = (data[mode]["passed"], data[mode]["failed"], data[mode]["ignored"])
        assert counts == ui_suite.EXPECTED_COUNTS[mode], proc.stdout[-6000:]
        assert data[mode]["ices"] == 0, proc.stdout[-6000:]
        if mode != "native":
            known = {t["name"] for t in data[mode]["tests"] if t["outcome"] == "failed" and t.get("cause")}
            assert known == set(ui_suite.KNOWN_FAILURES), proc.stdout[-6000:]
