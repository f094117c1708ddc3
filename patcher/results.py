"""The measured figures kept in the repository (results/): only the commands that measure
write them, each file stamped with the date and the command that wrote it; tests point
$RUSTC_WASM_RESULTS elsewhere. The docs' figures are generated from these files
(patcher/doc_blocks.py), never typed in."""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from pathlib import Path

from patcher.environment import RESULTS_ENV
from patcher.paths import RESULTS_DIR


def results_dir() -> Path:
    """results/, or $RUSTC_WASM_RESULTS (the slow tests' scratch directory)."""
    override = os.environ.get(RESULTS_ENV)
    return Path(override) if override else RESULTS_DIR


def command() -> str:
    """The command line of this process, as a user would type it (`python -m patcher ...`)."""
    args = [*sys.argv]
    if args and Path(args[0]).name == "__main__.py" and Path(args[0]).parent.name == "patcher":
        args = ["python", "-m", "patcher", *args[1:]]
    elif args and args[0].endswith(("pytest", "py.test")):
        args = ["pytest", *args[1:]]
    return shlex.join(args)


def stamp() -> dict[str, str]:
    """What every results file records of its own making."""
    return {"date": time.strftime("%Y-%m-%d"), "command": command()}


def write_result(name: str, data: dict[str, object]) -> Path:
    """results/<name>, JSON, stamped (date and command first)."""
    path = results_dir() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**stamp(), **data}, indent=2) + "\n")
    return path


def append_result(path: Path, entry: dict[str, object]) -> Path:
    """Append `entry`, stamped, to the JSON list of a results file kept in the repository."""
    runs = json.loads(path.read_text()) if path.exists() else []
    runs.append({**entry, **stamp()})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(runs, indent=2) + "\n")
    return path
