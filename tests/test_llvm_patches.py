"""The LLVM porting patches against LLVM 22.1.8's pristine sources (extracted once from
Debian's orig tarball into the cache)."""

from __future__ import annotations

import difflib
import re

import pytest

from patcher import export
from patcher.engine.plan import make_plan
from patcher.llvm.patchset import SOURCE_DIRS, llvm_edits
from patcher.provision.llvm_source import pristine_reader


@pytest.fixture(scope="module")
def read():  # type: ignore[no-untyped-def]
    return pristine_reader(SOURCE_DIRS)


def test_every_anchor_is_found_once(read) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(llvm_edits(), read, {})
    assert [str(f) for f in plan.findings] == []
    assert len(plan.patched) == len({e.file for e in llvm_edits()})


def test_no_edit_is_already_upstream(read) -> None:  # type: ignore[no-untyped-def]
    for edit in llvm_edits():
        pristine = read(edit.file)
        assert pristine is None or not edit.probe(pristine), edit.label


def test_other_hosts_keep_every_line(read) -> None:  # type: ignore[no-untyped-def]
    """Only preprocessor conditions change; every other pristine line is still there."""
    plan = make_plan(llvm_edits(), read, {})
    for rel, patched in plan.patched.items():
        before = (plan.pristine[rel] or b"").decode().splitlines()
        after = patched.decode().splitlines()
        matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
        removed = [
            i for tag, i1, i2, _, _ in matcher.get_opcodes() if tag in ("replace", "delete") for i in range(i1, i2)
        ]
        for i in removed:
            in_condition = re.match(r" *#(if|elif)", before[i]) or (i > 0 and before[i - 1].endswith("\\"))
            assert in_condition, (rel, before[i])


def test_committed_patch_is_current() -> None:
    assert export.LLVM_PATCH.read_text() == export.llvm_diff(), "run `nox -s export`"


def test_upstream_moved_is_reported(read) -> None:  # type: ignore[no-untyped-def]
    def moved(rel: str) -> bytes | None:
        data = read(rel)
        return data.replace(b"getMainExecutable", b"getMainExecutablePath") if data else data

    plan = make_plan(llvm_edits(), moved, {})
    messages = [str(f) for f in plan.findings]
    assert len(messages) == 1
    assert messages[0].startswith("llvm/lib/Support/Unix/Path.inc: missing anchor `function getMainExecutable`")
