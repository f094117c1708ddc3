"""What a wasm-host step reads, as digests for its fingerprint (stages.Step), derived from
the step's own code and data rather than listed by hand, so that no change is missed:

- `planned`: the files a patch set writes, planned from the pristine text (as export does;
  the working tree is not read or written);
- `rendered`: text the step generates (bootstrap.toml, wrappers, llvm-config);
- `templates`: the templates it renders, with every template they import or include;
- `modules`: the `patcher` modules whose code it runs, with everything they import from
  `patcher` (followed through the import statements, function-level ones included);
- `files`: other repository files it reads (a directory: every file under it).

A named input that does not exist is an error, never skipped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from jinja2 import meta

from patcher import code
from patcher.engine.edits import Edit
from patcher.engine.plan import Plan
from patcher.engine.render import environment
from patcher.errors import PatcherError
from patcher.paths import REPO_ROOT, TEMPLATES_DIR


def read(path: Path) -> bytes:
    """Every input file is read here (tests replace it to simulate an edited file)."""
    return path.read_bytes()


def _digest(entries: Iterable[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for name, data in sorted(entries):
        digest.update(name.encode() + b"\0" + len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()[:16]


def _rel(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def _hash_files(paths: Iterable[Path]) -> str:
    return _digest((_rel(path), read(path)) for path in paths)


# -- planned and rendered output ---------------------------------------------------------
def planned(plan: Plan) -> str:
    """The patched contents of every file the plan writes."""
    return _digest((rel, data) for rel, data in plan.patched.items())


def rendered(texts: Mapping[str, str]) -> str:
    """Generated files, by name (their paths) and text."""
    return _digest((name, text.encode()) for name, text in texts.items())


# -- templates ------------------------------------------------------------------------------
def edit_templates(edits: Iterable[Edit]) -> list[str]:
    """The templates a patch set's edits render."""
    names = {getattr(edit, "template", None) for edit in edits}
    return sorted(name for name in names if isinstance(name, str))


def template_files(*names: str) -> list[Path]:
    """`names` and every template they import, include or extend, transitively."""
    env = environment()

    def visit(name: str) -> tuple[Path, list[str]]:
        path = TEMPLATES_DIR / name
        if not path.is_file():
            raise PatcherError(f"step input: no template {name} in {TEMPLATES_DIR}")
        refs = list(meta.find_referenced_templates(env.parse(read(path).decode())))
        if None in refs:
            raise PatcherError(f"step input: {name} includes a template by a computed name; name it literally")
        return path, [ref for ref in refs if ref is not None]

    return code.closure(names, visit)


def templates(*names: str) -> str:
    return _hash_files(template_files(*names))


# -- Python modules -------------------------------------------------------------------------
def module_files(*names: str) -> list[Path]:
    """The source files of modules `names` and every `patcher` module they import (code.py),
    read through `read`."""
    return code.module_files(*names, read=lambda path: read(path))


def modules(*names: str) -> str:
    return _hash_files(module_files(*names))


# -- other files ----------------------------------------------------------------------------
def files(*rels: str) -> str:
    """Repository files (relative to the repository); a directory stands for every file under it."""
    found: list[Path] = []
    for rel in rels:
        path = REPO_ROOT / rel
        if path.is_dir():
            inside = [f for f in sorted(path.rglob("*")) if f.is_file() and "__pycache__" not in f.parts]
            if not inside:
                raise PatcherError(f"step input: {rel} is an empty directory")
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            raise PatcherError(f"step input: {rel} does not exist")
    return _hash_files(found)
