"""The correctness gate: `x.py check` of every crate an option's patch set touches."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

from .errors import PatcherError
from .patchset import edits_for

# library/proc_macro is compiled into the compiler as rustc_proc_macro.
PATH_TO_CHECK_TARGET = {"library/proc_macro": "compiler/rustc_proc_macro"}


def crates_touched(option: str) -> list[str]:
    """x.py paths of the crates an option edits, e.g. `compiler/rustc_metadata`."""
    crates = set()
    for edit in edits_for(option):
        parts = Path(edit.file).parts
        if parts[0] in ("compiler", "library") and len(parts) > 2:
            crate = "/".join(parts[:2])
            crates.add(PATH_TO_CHECK_TARGET.get(crate, crate))
    return sorted(crates)


def x_check(checkout: Path, paths: list[str], log: Path | None = None) -> float:
    """Run `./x.py check` on `paths` (plus std's proc_macro, the guest side);
    return the wall time. Fails with the tail of the log."""
    cmd = [sys.executable, "x.py", "check", *paths, "library/proc_macro"]
    print(f"$ {' '.join(cmd[1:])}  (in {checkout})", flush=True)
    start = time.perf_counter()
    env = {**os.environ, "RUST_BACKTRACE": "0"}
    with subprocess.Popen(
        cmd, cwd=checkout, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as proc:
        assert proc.stdout is not None
        tail: deque[str] = deque(maxlen=60)
        out = log.open("w", buffering=1) if log else None
        for line in proc.stdout:
            if out:
                out.write(line)
            tail.append(line)
            if line.startswith(("error", "Checking stage", "Build completed")):
                print(line, end="", flush=True)
        if out:
            out.close()
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise PatcherError(f"x.py check failed (exit {proc.returncode}) after {elapsed:.0f} s:\n{''.join(tail)}")
    return elapsed
