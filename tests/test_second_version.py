"""--rust-version 1.90.0: the same patch set either applies by structure or is refused
with the complete list of differing anchors, writing nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from patcher.engine.workspace import Workspace
from patcher.paths import checkout_dir
from patcher.provision.checkout import ensure_checkout
from patcher.provision.sources import source_for
from patcher.rustc.options import names

from .conftest import run_cli


@pytest.fixture(scope="module")
def checkout_190() -> Path:
    path = checkout_dir("1.90.0")
    ensure_checkout(source_for("1.90.0"), path)
    return path


@pytest.mark.parametrize("option", names())
def test_190_applies_or_reports_every_anchor_without_writing(checkout_190: Path, option: str) -> None:
    ws = Workspace(checkout_190)
    ws.revert()
    result = run_cli("--rust-version", "1.90.0", "patch", "--option", option)
    if result.returncode == 0:
        assert ws.changed_files() != []
        ws.revert()
    else:
        assert result.returncode == 1
        assert "nothing was written" in result.stderr
        assert "Traceback" not in result.stderr
        assert Workspace(checkout_190).changed_files() == []  # the no-write guarantee
    assert Workspace(checkout_190).changed_files() == []
