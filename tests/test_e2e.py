"""The end-to-end tier, as CI runs it: build the default option's compiler (resuming
any earlier build), then the e2e suite against it (slow: about 20 minutes cold)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from patcher.e2e import RESULTS_DIR
from patcher.patchset import DEFAULT_OPTION

from .conftest import run_cli


@pytest.mark.slow
def test_default_option_builds_and_passes_the_e2e_suite(checkout: Path) -> None:
    # the build applies the option itself and leaves it applied (no revert: that would
    # touch every patched file and cost a rebuild)
    built = run_cli("build", "--option", DEFAULT_OPTION)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    suite = run_cli("e2e", "--option", DEFAULT_OPTION)
    assert suite.returncode == 0, suite.stdout[-6000:] + suite.stderr[-3000:]
    results = json.loads((RESULTS_DIR / f"e2e-native-option-{DEFAULT_OPTION}.json").read_text())
    assert results["passed"] == results["total"] >= 20
