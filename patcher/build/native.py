"""Build the patched compiler with x.py and install it.

Native host: a stage1 rustc with std for the host and the wasm proc-macro targets,
copied to `dist/native/` with a `rust-lld` (Debian's lld) in its tools directory so
that wasm targets link out of the box. x.py keeps its outputs in the checkout's
`build/`, so an interrupted build resumes where it stopped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from patcher.errors import PatcherError
from patcher.paths import REPO_ROOT

WASM_TARGETS = ("wasm32-unknown-unknown",)
LLD_CANDIDATES = ("/usr/lib/llvm-22/bin/lld", "/usr/bin/ld.lld-22")
INSTALL_MARKER = "rustc-wasm-proc-macros.json"  # in an installed sysroot: what it was built from


@dataclass(frozen=True)
class Installed:
    sysroot: Path
    option: str
    slots: int
    build_id: str = ""  # changes with every install: artifacts of an older compiler are stale

    @property
    def rustc(self) -> Path:
        return self.sysroot / "bin" / "rustc"


def host_triple() -> str:
    out = subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout
    return next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("host: "))


def dist_dir(name: str = "native") -> Path:
    return REPO_ROOT / "dist" / name


def build_native(checkout: Path, option: str, slots: int, dist: Path, log: Path) -> float:
    """x.py build of stage1 rustc plus std for the host and WASM_TARGETS, installed to
    `dist`, its duration recorded; returns seconds. The option must be applied already."""
    host = host_triple()
    cmd = [sys.executable, "x.py", "build", "--stage", "1", "library", "--target", ",".join((host, *WASM_TARGETS))]
    seconds = run_logged(cmd, checkout, log)
    install(checkout / "build" / host / "stage1", dist, host, option, slots)
    record("native", option, slots, seconds)
    return seconds


X_PY_PROGRESS = ("Building", "Build completed", "Assembling", "error")


def run_logged(
    cmd: list[str],
    cwd: Path,
    log: Path,
    show: tuple[str, ...] = X_PY_PROGRESS,
    env: dict[str, str] | None = None,
    unset: tuple[str, ...] = (),
) -> float:
    """Run `cmd`, its output to `log`, the lines starting with `show` to the
    terminal; return seconds. `env` is added to the environment, `unset` removed."""
    log.parent.mkdir(parents=True, exist_ok=True)
    shown = " ".join(cmd[1:] if cmd[0] == sys.executable else cmd)
    print(f"$ {shown}  (in {cwd}; full log: {log})", flush=True)
    start = time.perf_counter()
    tail: list[str] = []
    with (
        log.open("w", buffering=1) as out,
        subprocess.Popen(
            cmd,
            cwd=cwd,
            env={k: v for k, v in {**os.environ, "RUST_BACKTRACE": "0", **(env or {})}.items() if k not in unset},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        ) as proc,
    ):
        assert proc.stdout is not None
        for line in proc.stdout:
            out.write(line)
            tail = [*tail[-59:], line]
            if line.startswith(show):
                print(f"[{time.perf_counter() - start:6.0f} s] {line}", end="", flush=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise PatcherError(
            f"`{shown}` failed (exit {proc.returncode}) after {seconds:.0f} s; "
            f"rerun to resume. Last lines of {log}:\n{''.join(tail)}"
        )
    return seconds


def install(stage: Path, dist: Path, host: str, option: str, slots: int) -> Installed:
    """Copy the stage1 sysroot to `dist` and give it a rust-lld for wasm links."""
    if not (stage / "bin" / "rustc").exists():
        raise PatcherError(f"no compiler at {stage}/bin/rustc: the build did not finish")
    staging = staging_dir(dist)
    shutil.copytree(stage, staging, symlinks=True)
    give_rust_lld(staging, host)
    build_id = publish(staging, dist, {"option": option, "slots": slots, "host": host})
    print(f"installed: {dist} (option {option}, {slots} slots per kind)", flush=True)
    return Installed(dist, option, slots, build_id)


def staging_dir(dist: Path) -> Path:
    """An empty directory beside `dist`, where an install is assembled before `publish`."""
    staging = dist.with_name(dist.name + ".rwpm-new")
    shutil.rmtree(staging, ignore_errors=True)
    return staging


def give_rust_lld(sysroot: Path, host: str) -> None:
    """A `rust-lld` (Debian's lld) in the sysroot's tools directory, for wasm links."""
    tools = sysroot / "lib" / "rustlib" / host / "bin"
    tools.mkdir(parents=True, exist_ok=True)
    lld = next((Path(p) for p in LLD_CANDIDATES if Path(p).exists()), None)
    if lld is None:
        raise PatcherError(f"no lld found ({', '.join(LLD_CANDIDATES)}): run `bash tools/install-deps.sh` (lld-22)")
    (tools / "rust-lld").unlink(missing_ok=True)
    (tools / "rust-lld").symlink_to(lld)


def publish(staging: Path, dist: Path, marker: dict[str, object]) -> str:
    """Mark `staging` with what it holds and a fresh build id, then put it in place of
    `dist` (artifacts built by an older compiler see the id change); returns the id."""
    build_id = f"{time.time_ns():x}"
    (staging / INSTALL_MARKER).write_text(json.dumps({**marker, "build_id": build_id}) + "\n")
    shutil.rmtree(dist, ignore_errors=True)
    staging.rename(dist)
    return build_id


def run_checked(cmd: list[str], what: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run `cmd` quietly; its stdout, or an error naming `what` with its stderr's tail."""
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if proc.returncode != 0:
        raise PatcherError(f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-4000:]}")
    return proc.stdout


def record(host: str, option: str, slots: int, seconds: float) -> Path:
    """Append this build's duration to results/builds.json."""
    entry = {"host": host, "option": option, "slots": slots, "seconds": round(seconds)}
    return append_result(REPO_ROOT / "results" / "builds.json", entry)


def append_result(path: Path, entry: dict[str, object]) -> Path:
    """Append `entry`, dated, to the JSON list of a results file kept in the repository."""
    runs = json.loads(path.read_text()) if path.exists() else []
    runs.append({**entry, "date": time.strftime("%Y-%m-%d")})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(runs, indent=2) + "\n")
    return path


def installed(dist: Path) -> Installed:
    """The compiler installed at `dist`, or a clear error saying how to build it."""
    try:
        meta = json.loads((dist / INSTALL_MARKER).read_text())
    except (OSError, ValueError):
        raise PatcherError(f"no patched compiler at {dist}: run `nox -s build` first") from None
    return Installed(dist, str(meta["option"]), int(meta["slots"]), str(meta.get("build_id", "")))
