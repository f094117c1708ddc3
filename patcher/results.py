"""The measured figures kept in the repository (results/): only sessions that measure write
them; tests point $RUSTC_WASM_RESULTS elsewhere."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from patcher.paths import REPO_ROOT


def results_dir() -> Path:
    """results/, or $RUSTC_WASM_RESULTS (the slow tests' scratch directory)."""
    override = os.environ.get("RUSTC_WASM_RESULTS")
    return Path(override) if override else REPO_ROOT / "results"


def append_result(path: Path, entry: dict[str, object]) -> Path:
    """Append `entry`, dated, to the JSON list of a results file kept in the repository."""
    runs = json.loads(path.read_text()) if path.exists() else []
    runs.append({**entry, "date": time.strftime("%Y-%m-%d")})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(runs, indent=2) + "\n")
    return path
