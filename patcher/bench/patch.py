"""`nox -s bench`: how fast the patcher applies an option on a provisioned checkout,
against `git apply` of the exported patch. Writes results/bench-patch.json.

Run it on a checkout with nothing applied (the bench reverts after itself)."""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from patcher.engine.tree import UPSTREAM_REF
from patcher.export import patch_path
from patcher.process import run_checked
from patcher.provision.checkout import rustc_workspace
from patcher.results import write_result
from patcher.rustc.options import DEFAULT_OPTION
from patcher.rustc.patchset import DEFAULT_SLOTS

RESULT = "bench-patch.json"  # in results/
ROUNDS = 5


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _git_apply(checkout: Path, patch: Path) -> None:
    run_checked(["git", "apply", str(patch)], "git apply", checkout)


def _git_reset(checkout: Path) -> None:
    run_checked(["git", "checkout", "-q", UPSTREAM_REF, "--", "."], "git checkout", checkout)
    run_checked(["git", "clean", "-qfd", "compiler", "library"], "git clean", checkout)


def run(checkout: Path, option: str = DEFAULT_OPTION) -> dict[str, object]:
    patch = patch_path(option)
    ws = rustc_workspace(checkout)
    ws.revert()
    apply_s, noop_s, revert_s, git_s = [], [], [], []
    for _ in range(ROUNDS):
        apply_s.append(_timed(lambda: rustc_workspace(checkout).apply(option, DEFAULT_SLOTS)))
        noop_s.append(_timed(lambda: rustc_workspace(checkout).apply(option, DEFAULT_SLOTS)))
        revert_s.append(_timed(lambda: rustc_workspace(checkout).revert()))
        git_s.append(_timed(lambda: _git_apply(checkout, patch)))
        _git_reset(checkout)
    median = statistics.median
    result: dict[str, object] = {
        "what": f"apply option {option} ({DEFAULT_SLOTS} slots/kind) to a provisioned rustc 1.95.0 checkout",
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
        "rounds": ROUNDS,
        "apply_seconds_median": round(median(apply_s), 3),
        "apply_seconds_max": round(max(apply_s), 3),
        "reapply_noop_seconds_median": round(median(noop_s), 3),
        "revert_seconds_median": round(median(revert_s), 3),
        "git_apply_seconds_median": round(median(git_s), 3),
        "ratio_apply_to_git_apply": round(median(apply_s) / median(git_s), 1),
        "goal": "apply under 2 s wall",
        "goal_met": max(apply_s) < 2.0,
    }
    write_result(RESULT, result)
    return result


def main(checkout: Path) -> int:
    """`python -m patcher bench`: apply, no-op, revert and `git apply`, timed (moves the checkout)."""
    print(json.dumps(run(checkout), indent=2))
    return 0
