"""Fixtures: the real rustc 1.95.0 checkout (provisioned on first use), never written by
the fast tests. Plans read its pristine text from git; tests that apply work in a
scratch `git worktree` of it (sparse: the directories the patch sets edit)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import git
import pytest

from patcher.engine.plan import JOURNAL_FILE, STATE_FILE
from patcher.engine.tree import UPSTREAM_REF, upstream_reader
from patcher.engine.workspace import Workspace
from patcher.paths import REPO_ROOT, checkout_dir
from patcher.pins import DEFAULT_VERSION, source_for
from patcher.provision.checkout import ensure_checkout, rustc_workspace
from patcher.provision.vendor import EXTRA_CRATES

# what the scratch worktree checks out: every directory the patch sets edit, and the
# vendored crates `ensure_checkout` looks for
EDITED_DIRS = ("compiler", "library", "src/tools/compiletest", "src/tools/tidy")
SCRATCH_DIRS = (*EDITED_DIRS, *(f"vendor/{crate.dirname}" for crate in EXTRA_CRATES))


@pytest.fixture(scope="session")
def checkout() -> Path:
    path = checkout_dir()
    ensure_checkout(source_for(DEFAULT_VERSION), path)
    return path


@pytest.fixture(scope="session")
def pristine(checkout: Path) -> Callable[[str], bytes | None]:
    """The checkout's pristine files (ref `upstream`), read from git objects."""
    return upstream_reader(git.Repo(checkout))


@pytest.fixture(scope="session")
def scratch(checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A sparse `git worktree` of the checkout at `upstream`: tests apply here."""
    path = tmp_path_factory.mktemp("scratch") / "rust"
    _git(checkout, "worktree", "add", "-q", "--detach", "--no-checkout", str(path), UPSTREAM_REF)
    try:
        _git(path, "sparse-checkout", "set", "--cone", *SCRATCH_DIRS)
        _git(path, "checkout", "-q", UPSTREAM_REF)
        yield path
    finally:
        _git(checkout, "worktree", "remove", "--force", str(path))


@pytest.fixture
def workspace(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """The scratch worktree, pristine; `python -m patcher` (run_cli) targets it too."""
    _git(scratch, "reset", "-q", "--hard", UPSTREAM_REF)
    _git(scratch, "clean", "-qfd", "--", *EDITED_DIRS)
    git_dir = Path(git.Repo(scratch).git_dir)
    for name in (STATE_FILE, JOURNAL_FILE):
        (git_dir / name).unlink(missing_ok=True)
    monkeypatch.setenv("RUSTC_WASM_CHECKOUT", str(scratch))
    ws = rustc_workspace(scratch)
    assert ws.changed_files() == []
    yield ws


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "patcher", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
