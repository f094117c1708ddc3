"""A release tried as a new user would: the tarball unpacked and installed into an empty
prefix, with a HOME and PATH that hold neither this repository nor its .venv (rustup's
proxies in a CARGO_HOME of their own, then /usr/bin and /bin); `cargo +wasm-pm wasm
--strict build` of e2e/workspace, whose program must behave as the native build's;
sccache chained through a second clean build; and a second "machine" whose module cache
is a copy of the first's. Used by the slow test (tests/test_release.py) and by
`nox -s bench -- --only release`, which records the figures."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from patcher.build.install import Installed
from patcher.environment import MODULE_CACHE_ENV
from patcher.errors import PatcherError
from patcher.paths import REPO_ROOT
from patcher.release.toolchain import Release, make_release
from patcher.suite import cargo_workspace

TOOLCHAIN = "wasm-pm"
RUSTUP = Path(shutil.which("rustup") or Path.home() / ".cargo" / "bin" / "rustup")


def user_env(home: Path) -> dict[str, str]:
    """A user's environment under `home`: rustup's proxies in a CARGO_HOME of its own."""
    cargo_home = home / "cargo-home"
    (cargo_home / "bin").mkdir(parents=True, exist_ok=True)
    (home / "home").mkdir(exist_ok=True)
    for proxy in ("rustup", "cargo", "rustc") if RUSTUP.exists() else ():
        if not (cargo_home / "bin" / proxy).exists():
            shutil.copy2(RUSTUP, cargo_home / "bin" / proxy)
    return {
        "HOME": str(home / "home"),
        "CARGO_HOME": str(cargo_home),
        "RUSTUP_HOME": str(home / "rustup-home"),
        "PATH": f"{cargo_home / 'bin'}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
    }


class Trial:
    """Commands run as the user, each timed into `figures`."""

    def __init__(self) -> None:
        self.figures: dict[str, float] = {}

    def run(self, cmd: list[str], env: dict[str, str], cwd: Path | None = None, figure: str = "") -> str:
        """Run `cmd` (its seconds recorded as `figure`, if named); its output, or an error
        with its output's tail."""
        start = time.perf_counter()
        done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=3600)
        if figure:
            self.figures[figure] = round(time.perf_counter() - start, 1)
        if done.returncode != 0:
            raise PatcherError(f"`{' '.join(cmd)}` failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
        return done.stdout + done.stderr

    def install(self, release: Release, machine: Path, rustup: bool, figure: str = "") -> dict[str, str]:
        """Unpack and install the release on `machine`; the user's environment there."""
        env = user_env(machine)
        unpacked = machine / "download"
        unpacked.mkdir(parents=True)
        subprocess.run(["tar", "-xJf", str(release.tarball), "-C", str(unpacked)], check=True)
        (release_dir,) = unpacked.iterdir()
        prefix = machine / "toolchains" / TOOLCHAIN
        command = ["sh", str(release_dir / "install.sh"), "--prefix", str(prefix)]
        self.run([*command, *(["--rustup", TOOLCHAIN] if rustup else [])], env, figure=figure)
        leaks = [p for p in prefix.rglob("*") if p.is_symlink() and str(REPO_ROOT) in os.readlink(p)]
        if leaks:
            raise PatcherError(f"the installed toolchain links into this repository: {leaks}")
        if not rustup:  # where rustup is absent: the toolchain's bin/ on PATH
            env["PATH"] = f"{prefix / 'bin'}:/usr/bin:/bin"
        return env

    def same_behaviour(self, project: Path, native: str, wasm: str) -> None:
        for args in cargo_workspace.RUNS:
            ran = [subprocess.run([str(project / t / "debug" / "app"), *args], capture_output=True, text=True)
                   for t in (native, wasm)]  # fmt: skip
            got = [(r.returncode, r.stdout) for r in ran]
            if got[0] != got[1]:
                raise PatcherError(f"app {' '.join(args)}: {native} {got[0]!r}, {wasm} {got[1]!r}")


def try_release(compiler: Installed, vendor: Path, work: Path) -> dict[str, float]:
    """The whole trial; its figures (seconds, MiB, hits). Any failure is a PatcherError."""
    shutil.rmtree(work, ignore_errors=True)
    trial = Trial()
    start = time.perf_counter()
    release = make_release(compiler, work / "out")
    trial.figures["dist seconds"] = round(time.perf_counter() - start, 1)
    trial.figures["tarball MiB"] = round(release.tarball.stat().st_size / 2**20, 1)

    rustup = RUSTUP.exists()  # where rustup is absent, the toolchain goes on PATH
    env = trial.install(release, work / "machine-1", rustup=rustup, figure="install seconds")
    plus = [f"+{TOOLCHAIN}"] if rustup else []
    version = trial.run(["rustc", *plus, "-vV"], env)
    if "rustc-wasm-proc-macros" not in version:
        raise PatcherError(f"`rustc {' '.join(plus)} -vV` does not say what it is:\n{version}")
    project = cargo_workspace.copy_project(work / "machine-1" / "project", vendor)
    trial.run(["cargo", *plus, "build", "--target-dir", "t-native"], env, project, figure="native build seconds")
    cache = work / "machine-1" / "modules"
    wasm_env = {**env, MODULE_CACHE_ENV: str(cache)}
    wasm = ["cargo", *plus, "wasm", "--strict", "build"]
    trial.run([*wasm, "--target-dir", "t-wasm"], wasm_env, project, figure="cargo wasm seconds, module cache empty")
    trial.run([*wasm, "--target-dir", "t-wasm-2"], wasm_env, project, figure="cargo wasm seconds, module cache warm")
    trial.same_behaviour(project, "t-native", "t-wasm")

    # sccache, chained: a second clean build in a new target directory is served from it
    sccache = {**wasm_env, "RUSTC_WRAPPER": "sccache", "SCCACHE_DIR": str(work / "sccache")}
    subprocess.run(["sccache", "--stop-server"], env=sccache, capture_output=True)
    trial.run([*wasm, "--target-dir", "t-sccache-1"], sccache, project, figure="cargo wasm seconds, sccache cold")
    trial.run(["sccache", "--zero-stats"], sccache)
    trial.run([*wasm, "--target-dir", "t-sccache-2"], sccache, project, figure="cargo wasm seconds, sccache warm")
    stats = trial.run(["sccache", "--show-stats"], sccache)
    subprocess.run(["sccache", "--stop-server"], env=sccache, capture_output=True)
    for name in ("hits", "misses"):
        found = re.search(rf"^Cache {name}\s+(\d+)$", stats, re.MULTILINE)
        trial.figures[f"sccache {name}"] = int(found[1]) if found else 0
    if not trial.figures["sccache hits"]:
        raise PatcherError(f"sccache served nothing on the second build:\n{stats}")
    trial.same_behaviour(project, "t-wasm", "t-sccache-2")

    # a second machine, no rustup: the module cache copied from the first gives only hits
    other = work / "machine-2"
    other_env = trial.install(release, other, rustup=False)
    shutil.copytree(cache, other / "modules", ignore=shutil.ignore_patterns(".work"))
    other_env[MODULE_CACHE_ENV] = str(other / "modules")
    other_project = cargo_workspace.copy_project(other / "project", vendor)
    command = ["cargo", "wasm", "--strict", "build"]
    out = trial.run(command, other_env, other_project, figure="second machine seconds, module cache copied")
    if "to WebAssembly" in out:
        raise PatcherError(f"the second machine built modules the copied cache holds:\n{out[-3000:]}")
    return trial.figures
