"""patches/option-*.patch: current, and `git apply` of each reproduces the tool's tree."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import git
import pytest

from patcher.engine.tree import UPSTREAM_REF
from patcher.export import diff_for, patch_path, tree_for
from patcher.rustc.options import all_options, names


@pytest.fixture(scope="module")
def repo(checkout: Path) -> git.Repo:
    return git.Repo(checkout)


@pytest.mark.parametrize("option", names())
def test_exported_patch_is_current(repo: git.Repo, option: str) -> None:
    committed = patch_path(option)
    assert committed.exists(), f"{committed} missing: run `nox -s export`"
    assert committed.read_text() == diff_for(repo, option), f"{committed.name} is stale: run `nox -s export`"


@pytest.mark.parametrize("option", names())
def test_git_apply_reproduces_the_tools_result(repo: git.Repo, option: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(tmp) / "index")}
        subprocess.run(["git", "read-tree", UPSTREAM_REF], cwd=repo.working_dir, env=env, check=True)
        subprocess.run(["git", "apply", "--cached", str(patch_path(option))], cwd=repo.working_dir, env=env, check=True)
        applied = subprocess.run(
            ["git", "write-tree"], cwd=repo.working_dir, env=env, check=True, capture_output=True, text=True
        ).stdout.strip()
    assert applied == tree_for(repo, option)


def test_patches_differ_by_option() -> None:
    """Each patch touches the files its option's record names, and no other option's
    (files the core edits too, like the `-Z` table, are in every patch)."""
    from patcher.rustc.patchset import CORE

    specs = all_options()
    patches = {spec.name: patch_path(spec.name).read_text() for spec in specs}
    option_files = {f for spec in specs for f in spec.files} - {e.file for e in CORE}
    for spec in specs:
        for rel in option_files:
            assert (f"diff --git a/{rel} " in patches[spec.name]) == (rel in spec.files), (spec.name, rel)
    assert '"wasm-proc-macro"' in patches["c"] and '"wasm-proc-macro"' not in patches["a"]


def test_config_llvm_toml_matches_its_template() -> None:
    import tomllib

    from patcher.export import CONFIG_LLVM, render_config_llvm

    assert CONFIG_LLVM.read_text() == render_config_llvm(), "config.llvm.toml is stale: run `nox -s export`"
    config = tomllib.loads(CONFIG_LLVM.read_text())
    assert config["build"]["host"] == ["wasm32-wasip1-threads"]
    assert config["llvm"]["link-shared"] is False
