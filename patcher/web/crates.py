"""The crates the playground offers: serde (derive), serde_json, thiserror and clap
(derive), at e2e/workspace's versions from the checkout's vendor/ (web/crates/Cargo.toml).

They are built for the page's target by the native patched compiler of the same build,
against rustc.wasm's own std (`--sysroot` of the wasm install), so rustc.wasm reads their
metadata; their proc macros become modules by the project's own route (`cargo wasm
--strict`, the module cache), each where cargo puts the proc macro's library, which is
where rustc finds it next to the libraries that use it. Everything lands in one
directory, the page's /crates, each module renamed `lib<name>-<hash>.wasm`: rustc.wasm's
host names a dynamic library `.wasm`, and the patched locator takes a module by that
suffix on any host (a `.so` file is found by the native compiler only)."""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from patcher.build.install import Installed
from patcher.cargo import modules
from patcher.environment import DIST_ENV
from patcher.errors import PatcherError
from patcher.paths import REPO_ROOT, work_dir
from patcher.process import capture
from patcher.suite import cargo_workspace
from patcher.wasm_binary import is_module_file

SOURCE = REPO_ROOT / "web" / "crates"
OFFERED = ("serde", "serde_json", "thiserror", "clap")  # what a program may `use`


@dataclass(frozen=True)
class CrateSet:
    directory: Path  # every library and macro module the offered crates need
    externs: dict[str, str]  # offered crate -> its file name in `directory`
    versions: dict[str, str]  # offered crate -> version

    @property
    def files(self) -> list[Path]:
        return sorted(p for p in self.directory.iterdir() if p.is_file())

    def args(self, where: str) -> list[str]:
        """rustc's arguments for programs using the crates, found under `where`."""
        externs = [f"--extern={name}={where}/{file}" for name, file in self.externs.items()]
        return ["-L", f"dependency={where}", *externs]


def build_crates(native: Installed, wasm: Installed, target: str, vendor: Path) -> CrateSet:
    """Build the offered crates for `target` (see the module's docstring)."""
    work = work_dir("web-crates")  # not under the site, which build_site writes afresh
    project = work / "project"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(SOURCE, project)
    cargo_workspace.write_vendored_config(project, vendor)
    env = {
        "CARGO": modules.cargo(),
        DIST_ENV: str(native.sysroot),
        "CARGO_TARGET_DIR": str(work / "target"),
        "RUSTFLAGS": f"--sysroot {wasm.sysroot}",  # with --target: target units only, not macros
    }
    cmd = [sys.executable, "-m", "patcher.cargo.front", "--strict", "build", "--release", "--target", target,
           "--message-format", "json-render-diagnostics"]  # fmt: skip
    done = capture(cmd, cwd=project, env=env, unset=("RUSTC_WRAPPER", "RUSTC_BOOTSTRAP"))
    if done.returncode != 0:
        raise PatcherError(f"building the playground's crates failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
    return collect(done.stdout, target, work / f"out-{wasm.build_id or 'unversioned'}")


def collect(messages: str, target: str, out: Path) -> CrateSet:
    """The libraries built for `target` and the macro modules of cargo's artifact messages,
    copied into `out` (not the stand-ins for the macros' own dependencies, built for the host)."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    externs, versions = {}, {}
    for line in messages.splitlines():
        if not line.startswith("{"):
            continue
        message = json.loads(line)
        if message.get("reason") != "compiler-artifact" or message["target"]["name"] == "playground_crates":
            continue
        name, version = message["target"]["name"], message["package_id"].rsplit("@", 1)[-1]
        for file in map(Path, message["filenames"]):
            if file.suffix == ".rlib" and target in file.parts:
                shutil.copy2(file, out / file.name)
                if name in OFFERED:
                    externs[name], versions[name] = file.name, version
            elif file.suffix == ".so" and is_module_file(file):
                shutil.copy2(file, out / f"{file.stem}.wasm")
    missing = [name for name in OFFERED if name not in externs]
    if missing:
        raise PatcherError(f"the playground's crates build gave no library for {', '.join(missing)}")
    if not any(p.suffix == ".wasm" for p in out.iterdir()):
        raise PatcherError("the playground's crates build left no proc-macro module (serde_derive, clap_derive, ...)")
    return CrateSet(out, {n: externs[n] for n in OFFERED}, {n: versions[n] for n in OFFERED})
