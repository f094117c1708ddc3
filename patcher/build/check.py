"""The correctness gate: `x.py check` of every crate an option's patch set touches."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from patcher.engine.tree import UPSTREAM_REF
from patcher.errors import PatcherError
from patcher.paths import XPyBuild
from patcher.process import run_logged
from patcher.provision.checkout import open_repo
from patcher.rustc.options import crate_of
from patcher.rustc.patchset import edits_for

# library/proc_macro is compiled into the compiler as rustc_proc_macro; compiler-builtins
# is checked as part of std.
PATH_TO_CHECK_TARGET = {
    "library/proc_macro": "compiler/rustc_proc_macro",
    "library/compiler-builtins": "library/std",
}


def files_edited(option: str) -> list[str]:
    return sorted({edit.file for edit in edits_for(option) if edit.file.endswith(".rs")})


def crates_touched(option: str) -> list[str]:
    """x.py paths of the crates an option edits, e.g. `compiler/rustc_metadata`."""
    crates = {crate_of(edit.file) for edit in edits_for(option)}
    return sorted({PATH_TO_CHECK_TARGET.get(c, c) for c in crates if c})


def x_check(checkout: Path, paths: list[str], edited: list[str], log: Path | None = None) -> float:
    """Run `./x.py check` on `paths` (plus std's proc_macro, the guest side), its output
    to `log` (default: the checkout's build/logs/check.log); return the wall time. Fails
    with the tail of the log on errors, and on any warning located in an `edited` file
    (the patched compiler must build with deny-warnings)."""
    cmd = [sys.executable, "x.py", "check", *paths, "library/proc_macro"]
    log = log or XPyBuild(checkout).log("check")
    elapsed = run_logged(cmd, checkout, log, show=("error", "Checking stage", "Build completed"))
    ours = warnings_in_log(checkout, log, edited)
    if ours:
        shown = "\n".join(ours[:20])
        raise PatcherError(f"x.py check passed, but with warnings in patched files (deny-warnings fails):\n{shown}")
    return elapsed


def warnings_in_log(checkout: Path, log: Path, edited: list[str]) -> list[str]:
    """The warnings of an x.py log (a check's or a build's: cargo replays the warnings of
    crates it does not recompile) on lines the patches added."""
    lines = log.read_text(errors="replace").splitlines(keepends=True)
    return warnings_in(lines, lines_added(checkout, edited))


def lines_added(checkout: Path, files: list[str]) -> dict[str, set[int]]:
    """The line numbers, per file, that the working tree has and `upstream` does not;
    every line of a file the patches created."""
    repo = open_repo(checkout)
    added = parse_added_lines(repo.git.diff("-U0", UPSTREAM_REF, "--", *files))
    upstream_files = set(repo.git.ls_tree("-r", "--name-only", UPSTREAM_REF, "--", *files).splitlines())
    for new in set(files) - upstream_files:
        text = (checkout / new).read_text(errors="replace") if (checkout / new).is_file() else ""
        added[new] = set(range(1, text.count("\n") + 2))
    return added


def parse_added_lines(diff: str) -> dict[str, set[int]]:
    """Added line numbers per file from a `git diff -U0`."""
    added: dict[str, set[int]] = {}
    current: set[int] = set()
    for line in diff.splitlines():
        if line.startswith("+++ "):
            current = added.setdefault(line[4:].removeprefix("b/"), set())
        elif hunk := re.match(r"@@ -\S+ \+(\d+)(?:,(\d+))? @@", line):
            start, count = int(hunk[1]), int(hunk[2] or 1)
            current.update(range(start, start + count))
    return added


def warnings_in(lines: list[str], added: dict[str, set[int]]) -> list[str]:
    """`warning: ...` diagnostics whose primary location is a line the patches added;
    upstream's own warnings (e.g. rustc-main's unknown `jemalloc` feature) are not ours."""
    found = []
    for i, line in enumerate(lines):
        if not line.startswith("warning:"):
            continue
        location = next((lines[j] for j in range(i + 1, min(i + 4, len(lines))) if "--> " in lines[j]), "")
        where = re.search(r"--> (.+):(\d+):\d+\s*$", location)
        if not where:
            continue
        path, number = where[1].strip(), int(where[2])
        if any(path.endswith(rel) and number in numbers for rel, numbers in added.items()):
            found.append(f"{path.split('/compiler/')[-1]}: {line.strip()}")
    return found
