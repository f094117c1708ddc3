"""Apply, revert, diff and inspect a patch set on a provisioned checkout.

The checkout's `upstream` ref is the pristine tree. The tool records what it wrote in
`.git/rustc-wasm-proc-macros-state.json`; any other difference from `upstream` is a
change the tool did not make, and the tool refuses to touch such a tree.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import git

from patcher.engine import plan as engine
from patcher.engine.edits import Edit
from patcher.engine.plan import Plan, State, make_plan, report_findings, sha256
from patcher.engine.tree import UPSTREAM_REF
from patcher.errors import PatcherError


@dataclass(frozen=True)
class PatchSet:
    """A family of patch sets over one source tree: its edits and template context for
    a variant (`option`) and a slot count. rustc's options A/B/C are one family, the
    LLVM porting patches (variant "wasi") another."""

    name: str
    edits: Callable[[str], list[Edit]]
    context: Callable[[str, int], dict[str, Any]]


def plan_pristine(patch_set: PatchSet, variant: str, slots: int, read: engine.ReadPristine, where: str) -> Plan:
    """The patch set's plan from the pristine text `read` gives (e.g. a checkout's git
    objects: no working tree involved); refuses a plan with findings."""
    plan = make_plan(patch_set.edits(variant), read, patch_set.context(variant, slots))
    if plan.findings:
        raise report_findings(plan.findings, f"{patch_set.name} patches ({variant}) on {where}")
    return plan


@dataclass
class ApplyReport:
    """What one write of a workspace did."""

    changed: list[str] = field(default_factory=list)  # files written or removed
    unchanged: list[str] = field(default_factory=list)  # already as the patch set wants
    seconds: float = 0.0


class Workspace:
    def __init__(self, repo: git.Repo, patch_set: PatchSet) -> None:
        self.root = Path(repo.working_dir)
        self.patch_set = patch_set
        self.repo = repo
        self.git_dir = Path(self.repo.git_dir)
        self.recovered = engine.recover(self.root, self.git_dir)
        self._upstream = self.repo.commit(UPSTREAM_REF)
        self._pristine: dict[str, bytes | None] = {}

    # -- reading ------------------------------------------------------------------
    def pristine(self, rel: str) -> bytes | None:
        if rel not in self._pristine:
            try:
                self._pristine[rel] = (self._upstream.tree / rel).data_stream.read()
            except KeyError:
                self._pristine[rel] = None
        return self._pristine[rel]

    def current(self, rel: str) -> bytes | None:
        path = self.root / rel
        return path.read_bytes() if path.is_file() else None

    def changed_files(self) -> list[str]:
        """Files that differ from `upstream`: modified, deleted, staged or untracked."""
        if self.repo.head.commit != self._upstream:
            raise PatcherError(
                f"{self.root}: HEAD is not `{UPSTREAM_REF}` any more (commits were made in the checkout).\n"
                f"  The tool keeps its changes uncommitted on top of `{UPSTREAM_REF}`; "
                f"run `git -C {self.root} reset --soft {UPSTREAM_REF}` to go back."
            )
        out = self.repo.git.status("--porcelain=v1", "-z", "--untracked-files=all", "--no-renames")
        return sorted({entry[3:] for entry in out.split("\0") if entry})

    def plan(self, option: str, slots: int) -> Plan:
        return plan_pristine(self.patch_set, option, slots, self.pristine, str(self.root))

    # -- guarding -----------------------------------------------------------------
    def foreign_changes(self, state: State, targets: dict[str, bytes | None]) -> list[str]:
        """Changed files the tool did not write. A file whose content is exactly what
        the requested patch set wants (e.g. after `git apply` of an exported patch)
        counts as the tool's."""
        foreign = []
        for rel in self.changed_files():
            data = self.current(rel)
            recorded = rel in state.files and state.files[rel] == (sha256(data) if data is not None else None)
            wanted = rel in targets and targets[rel] == data
            if not (recorded or wanted):
                foreign.append(rel)
        return foreign

    def _refuse_foreign(self, foreign: list[str]) -> None:
        if foreign:
            shown = "\n".join(f"  {f}" for f in foreign[:50])
            more = f"\n  ... and {len(foreign) - 50} more" if len(foreign) > 50 else ""
            raise PatcherError(
                f"{self.root} has changes this tool did not make; refusing to touch it:\n{shown}{more}\n"
                f"Commit or stash them elsewhere, or restore them with "
                f"`git -C {self.root} checkout {UPSTREAM_REF} -- <file>` (new files: delete them)."
            )

    # -- writing ------------------------------------------------------------------
    def _targets(self, state: State, option: str | None, slots: int) -> dict[str, bytes | None]:
        """Every file's wanted content: the patch set's, and pristine for files a
        previous application touched that this one does not. Refuses a tree with
        changes the tool did not make."""
        targets: dict[str, bytes | None] = {}
        if option is not None:
            targets.update(self.plan(option, slots).patched)
        for rel in state.files:
            targets.setdefault(rel, self.pristine(rel))
        self._refuse_foreign(self.foreign_changes(state, targets))
        return targets

    def _pending(self, targets: dict[str, bytes | None]) -> dict[str, tuple[bytes | None, bytes | None]]:
        """(current, wanted) of every target file whose content must change."""
        pending = {}
        for rel, wanted in sorted(targets.items()):
            current = self.current(rel)
            if current != wanted:
                pending[rel] = (current, wanted)
        return pending

    def write(self, option: str | None, slots: int) -> ApplyReport:
        start = time.perf_counter()
        targets = self._targets(State.load(self.git_dir), option, slots)
        to_write = {rel: wanted for rel, (_, wanted) in self._pending(targets).items()}
        if to_write:
            engine.write_atomically(self.root, self.git_dir, to_write)
        new_state = State(option, slots if option else None)
        if option is not None:
            new_state.files = {
                rel: (sha256(d) if d is not None else None) for rel, d in targets.items() if d != self.pristine(rel)
            }
        new_state.save(self.git_dir)
        return ApplyReport(sorted(to_write), sorted(set(targets) - set(to_write)), time.perf_counter() - start)

    def apply(self, option: str, slots: int) -> ApplyReport:
        return self.write(option, slots)

    def revert(self) -> ApplyReport:
        return self.write(None, 0)

    def dry_run(self, option: str, slots: int) -> str:
        targets = self._targets(State.load(self.git_dir), option, slots)
        return "".join(engine.unified_diff(rel, old, new) for rel, (old, new) in self._pending(targets).items())

    def status(self) -> dict[str, object]:
        state = State.load(self.git_dir)
        return {"option": state.option, "slots": state.slots, "files": sorted(state.files)}
