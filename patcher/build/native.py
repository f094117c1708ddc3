"""Build the patched compiler with x.py and install it (patcher/build/install.py).

Native host: a stage1 rustc with std for the host and the wasm proc-macro targets,
copied to `dist/native/` with a `rust-lld` (Debian's lld) in its tools directory so
that wasm targets link out of the box. x.py keeps its outputs in the checkout's
`build/`, so an interrupted build resumes where it stopped.
"""

from __future__ import annotations

import sys
from pathlib import Path

from patcher.build.install import install
from patcher.paths import XPyBuild
from patcher.process import run_checked, run_logged
from patcher.results import append_result, results_dir
from patcher.rustc import options
from patcher.rustc.abi import GUEST_TARGET

# the proc-macro guest target, and wasm32-unknown-unknown for modules built before it
WASM_TARGETS = (GUEST_TARGET, "wasm32-unknown-unknown")
X_PY_PROGRESS = ("Building", "Build completed", "Assembling", "error")


def log_path(checkout: Path) -> Path:
    """The native build's x.py log."""
    return XPyBuild(checkout).log("build-native")


def host_triple() -> str:
    out = run_checked(["rustc", "-vV"], "asking rustc for the host triple")
    return next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("host: "))


def build_native(checkout: Path, option: str, slots: int, dist: Path, log: Path) -> float:
    """x.py build of stage1 rustc plus std for the host and WASM_TARGETS, and rustdoc
    (doctests of `cargo wasm test` load wasm macros too), installed to `dist`, its
    duration recorded; returns seconds. The option must be applied already."""
    host = host_triple()
    x_py = [sys.executable, "x.py", "build", "--stage", "1"]
    # two runs: with --target, x.py would also try to build rustdoc for the wasm targets;
    # rustdoc first, as assembling its sysroot drops the other targets' std
    seconds = run_logged([*x_py, "src/tools/rustdoc"], checkout, log, X_PY_PROGRESS)
    targets = ",".join((host, *WASM_TARGETS))
    seconds += run_logged([*x_py, "library", "--target", targets], checkout, log, X_PY_PROGRESS, append=True)
    install(XPyBuild(checkout).stage(host, 1), dist, host, option, slots, options.get(option).macros_by_path)
    record("native", option, slots, seconds)
    return seconds


def record(host: str, option: str, slots: int, seconds: float) -> Path:
    """Append this build's duration to results/builds.json."""
    entry = {"host": host, "option": option, "slots": slots, "seconds": round(seconds)}
    return append_result(results_dir() / "builds.json", entry)
