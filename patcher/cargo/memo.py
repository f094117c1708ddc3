"""The last plan of a `cargo wasm` command, reused while nothing it was made from has
changed: an incremental build then costs no `cargo metadata` and no cache walk.

A memo is named by the command's context (its arguments, directory, compiler build,
strict mode and cargo's environment) and records the size and mtime of every file the
plan was made from: manifests, Cargo.lock, cargo's configuration files, and the sources
of the path packages that macros are compiled from. Any difference, a file appearing or
disappearing included, and the plan is made again.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

Stamp = list[int] | None  # [mtime_ns, size], or None: the file did not exist


def context_key(parts: list[object]) -> str:
    env = sorted((k, v) for k, v in os.environ.items() if k.startswith(("CARGO", "RUSTC_WASM")) and k != "CARGO")
    return hashlib.sha256(json.dumps([parts, env], default=str).encode()).hexdigest()[:24]


def stamp(path: Path) -> Stamp:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size]


def lookup(memo_dir: Path, key: str) -> Path | None:
    """The memo's plan, if every file it was made from is as it was."""
    try:
        memo = json.loads((memo_dir / f"{key}.json").read_text())
    except (OSError, ValueError):
        return None
    plan = Path(memo["plan"])
    if not plan.is_file() or any(stamp(Path(p)) != s for p, s in memo["files"].items()):
        return None
    return plan


def store(memo_dir: Path, key: str, plan: Path, files: list[Path]) -> None:
    memo_dir.mkdir(parents=True, exist_ok=True)
    partial = memo_dir / f"{key}.json.{os.getpid()}"
    partial.write_text(json.dumps({"plan": str(plan), "files": {str(p): stamp(p) for p in sorted(set(files))}}))
    os.replace(partial, memo_dir / f"{key}.json")


def config_files(cwd: Path) -> list[Path]:
    """cargo's configuration files for a command run in `cwd`."""
    home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    dirs = [d / ".cargo" for d in (cwd, *cwd.parents)] + [home]
    return [d / name for d in dirs for name in ("config", "config.toml")]
