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
        return path, [*([parent] if parent else []), *imports_of(path, read(path))]

    return closure(names, visit)


def module_of(path: Path) -> str:
    """The dotted name of a `patcher` source file (`patcher/cargo/__init__.py`: `patcher.cargo`)."""
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, source: bytes) -> list[str]:
    """The `patcher` modules the file at `path` imports, function-level imports included.
    `from package import submodule` imports the submodule; the package itself only when a
    name it defines is imported (an import circle through a package's __init__ is real)."""
    name = module_of(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source, str(path))):
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
            modules = [f"{base}.{a.name}" for a in node.names if _module_path(f"{base}.{a.name}") is not None]
            found += modules if len(modules) == len(node.names) else [base, *modules]
    return found
