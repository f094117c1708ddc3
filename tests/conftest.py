"""Fixtures: the real rustc 1.95.0 checkout (provisioned on first use), left as found."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from patcher.engine.plan import State
from patcher.engine.workspace import Workspace
from patcher.paths import REPO_ROOT, checkout_dir
from patcher.provision.checkout import ensure_checkout
from patcher.provision.sources import DEFAULT_VERSION, source_for


@pytest.fixture(scope="session")
def checkout() -> Path:
    path = checkout_dir()
    ensure_checkout(source_for(DEFAULT_VERSION), path)
    return path


@pytest.fixture
def workspace(checkout: Path) -> Iterator[Workspace]:
    """The checkout, reverted to pristine for the test and restored to the option the
    developer had applied (if any) afterwards."""
    ws = Workspace(checkout)
    before = State.load(ws.git_dir)
    ws.revert()
    assert ws.changed_files() == [], "the checkout has changes the tool did not make"
    yield ws
    ws = Workspace(checkout)
    ws.revert()
    if before.option is not None and before.slots is not None:
        ws.apply(before.option, before.slots)


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "patcher", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
