"""The pinned set-up: stage0 chosen by version, the hashed lock file, and CI running
exactly the README's two set-up commands."""

from __future__ import annotations

import re
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from patcher.errors import PatcherError
from patcher.paths import REPO_ROOT
from patcher.provision import stage0


@pytest.fixture
def fake_rustup(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A rustup whose toolchains (name -> `rustc -V`) the test sets."""
    toolchains: dict[str, str] = {}

    def capture(cmd: list[str], *args: object, **kwargs: object) -> subprocess.CompletedProcess[str]:
        if cmd[1:3] == ["toolchain", "list"]:
            out = "".join(f"{name}-x86_64-unknown-linux-gnu\n" for name in toolchains)
            return subprocess.CompletedProcess(cmd, 0, out, "")
        if cmd[1:3] == ["which", "--toolchain"]:
            name = cmd[3].removesuffix("-x86_64-unknown-linux-gnu")
            if name in toolchains:
                return subprocess.CompletedProcess(cmd, 0, f"/rustup/{name}/bin/rustc\n", "")
            return subprocess.CompletedProcess(cmd, 1, "", f"toolchain '{name}' is not installed")
        if cmd[1:] == ["-V"]:
            name = Path(cmd[0]).parent.parent.name
            return subprocess.CompletedProcess(cmd, 0, toolchains[name] + "\n", "")
        raise AssertionError(cmd)

    monkeypatch.setattr(stage0, "capture", capture)
    monkeypatch.setattr(stage0.shutil, "which", lambda name: f"/usr/bin/{name}")
    stage0.stage0_rustc.cache_clear()
    yield toolchains
    stage0.stage0_rustc.cache_clear()


def test_stage0_is_found_by_version(fake_rustup: dict[str, str]) -> None:
    fake_rustup.update({"nightly": "rustc 1.97.0-nightly (abc 2026-05-01)", "stable": "rustc 1.95.0 (59807616e)"})
    assert stage0.stage0_rustc() == Path("/rustup/stable/bin/rustc")
    stage0.stage0_rustc.cache_clear()
    fake_rustup["1.95.0"] = "rustc 1.95.0 (59807616e)"
    assert stage0.stage0_rustc() == Path("/rustup/1.95.0/bin/rustc")


def test_stage0_of_another_version_is_refused(fake_rustup: dict[str, str]) -> None:
    fake_rustup.update({"stable": "rustc 1.96.0 (0123456 2026-05-28)", "nightly": "rustc 1.97.0-nightly (abc)"})
    with pytest.raises(PatcherError) as error:
        stage0.stage0_rustc()
    message = str(error.value)
    assert "no Rust 1.95.0 for stage0" in message
    assert "`stable`: rustc 1.96.0" in message and "`nightly-x86_64-unknown-linux-gnu`: rustc 1.97.0-nightly" in message
    assert "rustup toolchain install 1.95.0" in message


def _pins(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for req in requirements:
        name, _, version = req.partition("==")
        assert version, f"{req}: pyproject.toml pins every dependency exactly"
        pins[name.lower()] = version
    return pins


def test_the_lock_file_pins_pyproject_with_hashes() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    wanted = _pins([*project["dependencies"], *project["optional-dependencies"]["dev"]])
    wanted |= _pins(project["optional-dependencies"]["wasm-host"])
    lock = (REPO_ROOT / "requirements.lock").read_text()
    entries = re.findall(
        r"^([A-Za-z0-9_.-]+)==(\S+)(?: ;[^\\]*)? \\\n((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", lock, re.M
    )
    locked = {name.lower(): version for name, version, _ in entries}
    assert len(entries) == len(re.findall(r"^[A-Za-z0-9_.-]+==", lock, re.M)), "every locked package has hashes"
    assert {name: locked.get(name) for name in wanted} == wanted
    assert "setuptools" in locked  # the build backend of the editable install


def _commands(text: str) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def test_ci_runs_exactly_the_readme_set_up() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("## Set-up on a fresh machine", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    setup = _commands(block.group(1))
    assert setup == ["bash tools/setup.sh", ".venv/bin/nox -s tests"]
    ci = [c for c in _commands((REPO_ROOT / ".ci" / "run").read_text()) if not c.startswith(("set ", "cd "))]
    assert ci == setup
    assert "/.venv/" in (REPO_ROOT / ".gitignore").read_text().splitlines()


SNIPPET_IMPORT = re.compile(r"from (patcher(?:\.\w+)+) import (\w+)")


def test_shell_scripts_import_names_that_exist() -> None:
    """The scripts' `python -c` snippets name package paths that refactors move: a stale
    one broke CI's set-up while every Python test passed."""
    import importlib

    scripts = [*REPO_ROOT.glob("tools/**/*.sh"), *REPO_ROOT.glob(".ci/*")]
    found = [(script, *m.groups()) for script in scripts for m in SNIPPET_IMPORT.finditer(script.read_text())]
    assert found, "no snippets found: the pattern no longer matches the scripts"
    missing = [
        f"{script.relative_to(REPO_ROOT)}: {module}.{name}"
        for script, module, name in found
        if not hasattr(importlib.import_module(module), name)
    ]
    assert not missing
