"""The measured figures kept in the repository (results/): only sessions that measure write them."""

from __future__ import annotations

import json
import time
from pathlib import Path

from patcher.paths import REPO_ROOT

RESULTS_DIR = REPO_ROOT / "results"


def append_result(path: Path, entry: dict[str, object]) -> Path:
    """Append `entry`, dated, to the JSON list of a results file kept in the repository."""
    runs = json.loads(path.read_text()) if path.exists() else []
    runs.append({**entry, "date": time.strftime("%Y-%m-%d")})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(runs, indent=2) + "\n")
    return path
