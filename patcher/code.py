"""The package's own source: the files of `patcher` modules and of every `patcher` module
they import, transitively (function-level imports included). The wasm-host steps hash
them (wasm_host/inputs.py); the release ships cargo wasm's (release/toolchain.py)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from pathlib import Path

from patcher.errors import PatcherError
from patcher.paths import REPO_ROOT

PACKAGE = "patcher"


def closure(names: Iterable[str], visit: Callable[[str], tuple[Path, list[str]]]) -> list[Path]:
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


def _module_path(name: str) -> Path | None:
    base = REPO_ROOT.joinpath(*name.split("."))
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return None


def _ours(name: str | None) -> bool:
    return name is not None and (name == PACKAGE or name.startswith(PACKAGE + "."))


def module_files(*names: str, read: Callable[[Path], bytes] = Path.read_bytes) -> list[Path]:
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

    return closure(names, visit)


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
