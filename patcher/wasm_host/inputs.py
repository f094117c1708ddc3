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

import ast
import hashlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from jinja2 import meta

from patcher.engine.edits import Edit
from patcher.engine.plan import Plan
from patcher.engine.render import environment
from patcher.errors import PatcherError
from patcher.paths import REPO_ROOT, TEMPLATES_DIR

PACKAGE = "patcher"


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


def _closure(names: Iterable[str], visit: Callable[[str], tuple[Path, list[str]]]) -> list[Path]:
    """The files of `names` and of everything they refer to, transitively: `visit(name)`
    gives a name's file and the names it refers to."""
    seen: dict[str, Path] = {}
    todo = list(names)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen[name], refs = visit(name)
            todo += refs
    return sorted(seen.values())


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

    return _closure(names, visit)


def templates(*names: str) -> str:
    return _hash_files(template_files(*names))


# -- Python modules -------------------------------------------------------------------------
def _module_path(name: str) -> Path | None:
    base = REPO_ROOT.joinpath(*name.split("."))
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return None


def _ours(name: str | None) -> bool:
    return name is not None and (name == PACKAGE or name.startswith(PACKAGE + "."))


def module_files(*names: str) -> list[Path]:
    """The source files of modules `names` (inside `patcher`), their packages, and every
    `patcher` module they import, transitively."""

    def visit(name: str) -> tuple[Path, list[str]]:
        if not _ours(name):
            raise PatcherError(f"step input: {name} is not a module of the `{PACKAGE}` package")
        path = _module_path(name)
        if path is None:
            raise PatcherError(f"step input: no module {name} (looked for {name.replace('.', '/')}.py)")
        parent = name.rpartition(".")[0]
        package = name if path.name == "__init__.py" else parent
        return path, [*([parent] if parent else []), *_imports(ast.parse(read(path), str(path)), package)]

    return _closure(names, visit)


def _imports(tree: ast.AST, package: str) -> list[str]:
    """The `patcher` modules that `tree` (a module of `package`) imports."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _ours(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            if not _ours(base):
                continue
            found.append(base)
            # `from package import submodule`
            found += [f"{base}.{a.name}" for a in node.names if _module_path(f"{base}.{a.name}") is not None]
    return found


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
