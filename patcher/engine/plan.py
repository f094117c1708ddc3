"""The engine shared by every edit: plan a patch set against the pristine tree, check
it, and write it all-or-nothing.

Planning always starts from the pristine text (the `upstream` ref), so applying is a
pure function of (rustc version, option, slot count): idempotent by construction, and
switching options or slot counts rewrites only the files whose text changes.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from patcher.engine import rust_syntax as rs
from patcher.engine.edits import Edit, Finding, Splice
from patcher.environment import CRASH_AFTER_ENV
from patcher.errors import PatcherError

ReadPristine = Callable[[str], "bytes | None"]


@dataclass
class Plan:
    """Patched contents of every file the patch set touches (None: file absent)."""

    pristine: dict[str, bytes | None] = field(default_factory=dict)
    patched: dict[str, bytes] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    applied_labels: dict[str, list[str]] = field(default_factory=dict)


def make_plan(edits: Iterable[Edit], read_pristine: ReadPristine, context: dict[str, Any]) -> Plan:
    plan = Plan()
    by_file: dict[str, list[Edit]] = {}
    for edit in edits:
        by_file.setdefault(edit.file, []).append(edit)
    for file, file_edits in by_file.items():
        source = read_pristine(file)
        plan.pristine[file] = source
        splices: list[tuple[Splice, Edit]] = []
        for edit in file_edits:
            found, findings = edit.splices(source, context)
            plan.findings.extend(findings)
            splices.extend((s, edit) for s in found)
        if any(f.file == file for f in plan.findings):
            continue
        patched = _splice(source or b"", splices, file, plan.findings)
        if patched is None:
            continue
        _check_patched(file, source, patched, file_edits, plan.findings)
        plan.patched[file] = patched
        plan.applied_labels[file] = [e.label for e in file_edits]
    return plan


def _splice(source: bytes, splices: list[tuple[Splice, Edit]], file: str, findings: list[Finding]) -> bytes | None:
    ordered = sorted(splices, key=lambda se: (se[0].start, se[0].end))
    for (a, ea), (b, eb) in itertools.pairwise(ordered):
        if b.start < a.end:
            findings.append(Finding("conflict", file, eb.label, f"overlaps the edit `{ea.label}`"))
            return None
    out = source
    for splice, _ in reversed(ordered):
        out = out[: splice.start] + splice.text + out[splice.end :]
    return out


def _check_patched(
    file: str, pristine: bytes | None, patched: bytes, edits: list[Edit], findings: list[Finding]
) -> None:
    """Every edit must be recognisable afterwards, and a Rust edit must not add parse
    errors (rustc's `default_field_values` syntax already makes tree-sitter-rust 0.24
    report some errors in a few pristine files: those are allowed, new ones are not)."""
    if file.endswith(".rs"):
        before = rs.parse_errors(rs.parse(pristine)) if pristine is not None else []
        after = rs.parse_errors(rs.parse(patched))
        if len(after) > len(before):
            old = {(e.line, e.column) for e in before}
            new = [e for e in after if (e.line, e.column) not in old] or after
            where = ", ".join(f"line {e.line}:{e.column} ({e.kind})" for e in new[:5])
            findings.append(
                Finding(
                    "parse-error",
                    file,
                    "patched file",
                    f"{len(before)} parse errors before the edits, {len(after)} after: {where}",
                )
            )
    for edit in edits:
        if not edit.probe(patched):
            findings.append(Finding("probe", file, edit.label, "the edit is not recognisable in the patched file"))


def report_findings(findings: list[Finding], what: str) -> PatcherError:
    missing = sum(f.kind == "missing" for f in findings)
    lines = [f"{what}: {len(findings)} problem(s), {missing} missing anchor(s); nothing was written."]
    lines += [str(f) for f in findings]
    lines.append(
        "Upstream moved? Update the anchor queries in patcher/rustc/patchset.py (rustc) or "
        "patcher/llvm/patchset.py (LLVM); see docs/architecture.md."
    )
    return PatcherError("\n".join(lines))


# --- the working tree -------------------------------------------------------------

STATE_FILE = "rustc-wasm-proc-macros-state.json"
JOURNAL_FILE = "rustc-wasm-proc-macros-journal.json"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class State:
    """What the tool last wrote: the option, the slot count, and the sha256 of each
    file it changed (None for a file its patch set deletes)."""

    option: str | None = None
    slots: int | None = None
    files: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def load(cls, git_dir: Path) -> State:
        path = git_dir / STATE_FILE
        if not path.exists():
            return cls()
        data = json.loads(path.read_text())
        return cls(data.get("option"), data.get("slots"), data.get("files", {}))

    def save(self, git_dir: Path) -> None:
        path = git_dir / STATE_FILE
        if not self.files:
            path.unlink(missing_ok=True)
            return
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"option": self.option, "slots": self.slots, "files": self.files}, indent=1))
        tmp.replace(path)


# Test hook: crash (os._exit) after this many files were replaced, to prove recovery.


def write_atomically(root: Path, git_dir: Path, targets: dict[str, bytes | None]) -> None:
    """Make every file in `targets` hold its content (None: delete it), or none of them.

    New contents are staged next to their files first; a journal in .git records the
    backups while files are swapped, so an interruption at any point is rolled back by
    `recover()` on the next run.
    """
    staged: dict[str, Path] = {}
    try:
        for rel, data in targets.items():
            if data is None:
                continue
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".rwpm-new")
            tmp.write_bytes(data)
            if path.exists():
                os.chmod(tmp, path.stat().st_mode & 0o7777)
            staged[rel] = tmp
    except OSError as exc:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        raise PatcherError(f"could not stage the patched files ({exc}); nothing was changed") from None

    journal = {"files": {rel: (root / rel).exists() for rel in targets}}
    journal_path = git_dir / JOURNAL_FILE
    journal_path.write_text(json.dumps(journal))
    crash_after = int(os.environ.get(CRASH_AFTER_ENV, "-1"))
    try:
        for done, rel in enumerate(targets):
            if done == crash_after:
                os._exit(70)
            path = root / rel
            backup = path.with_name(path.name + ".rwpm-old")
            if path.exists() and not backup.exists():
                os.link(path, backup)  # a hard link: the backup costs no copy
            if rel in staged:
                os.replace(staged[rel], path)
            else:
                path.unlink(missing_ok=True)
    except BaseException:
        recover(root, git_dir)
        raise
    _finish(root, git_dir, journal["files"])


def _finish(root: Path, git_dir: Path, files: dict[str, bool]) -> None:
    for rel in files:
        (root / rel).with_name(Path(rel).name + ".rwpm-old").unlink(missing_ok=True)
        (root / rel).with_name(Path(rel).name + ".rwpm-new").unlink(missing_ok=True)
    (git_dir / JOURNAL_FILE).unlink(missing_ok=True)


def recover(root: Path, git_dir: Path) -> bool:
    """Roll back an interrupted write. Returns True if there was one."""
    journal_path = git_dir / JOURNAL_FILE
    if not journal_path.exists():
        return False
    files: dict[str, bool] = json.loads(journal_path.read_text())["files"]
    for rel, existed in files.items():
        path = root / rel
        backup = path.with_name(path.name + ".rwpm-old")
        if backup.exists():
            os.replace(backup, path)
        elif not existed:
            path.unlink(missing_ok=True)
        path.with_name(path.name + ".rwpm-new").unlink(missing_ok=True)
    journal_path.unlink()
    return True


def unified_diff(file: str, before: bytes | None, after: bytes | None) -> str:
    a = (before or b"").decode("utf-8", "replace").splitlines(keepends=True)
    b = (after or b"").decode("utf-8", "replace").splitlines(keepends=True)
    old = f"a/{file}" if before is not None else "/dev/null"
    new = f"b/{file}" if after is not None else "/dev/null"
    return "".join(difflib.unified_diff(a, b, old, new))
