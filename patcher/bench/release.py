"""The release, measured as a new user meets it (patcher/release/trial.py): tarball size,
install time, cold and warm builds of e2e/workspace with and without sccache, and a second
machine with a copied module cache. Writes results/bench-release.json."""

from __future__ import annotations

from pathlib import Path

from patcher.build.install import installed
from patcher.paths import work_dir
from patcher.release.trial import try_release
from patcher.results import write_result

RESULTS = "bench-release.json"


def main(checkout: Path, dist: Path) -> int:
    figures = try_release(installed(dist), checkout / "vendor", work_dir("bench") / "release")
    path = write_result(RESULTS, {"project": "e2e/workspace", "figures": figures})
    for name, value in figures.items():
        print(f"{name:48} {value}")
    print(f"results: {path}")
    return 0
