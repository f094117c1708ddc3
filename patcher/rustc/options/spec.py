"""`OptionSpec`: one record per way of loading a wasm proc-macro module.

Everything that differs between options (edits, flag, naming, compiletest mode, title)
is a field here, so the rest of the tool asks the registry (options/__init__.py)
instead of testing names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from patcher.engine.edits import Edit


@dataclass(frozen=True)
class OptionSpec:
    """One option: what it adds to the shared core, and how a user reaches it."""

    name: str  # the `--option` value; its patch is patches/option-<name>.patch
    title: str  # how reports name it, e.g. "A"
    summary: str  # one line: what the user passes and how macros reach the resolver
    edits: tuple[Edit, ...]  # applied after the core and the wasm-host edits
    load_flag: tuple[str, ...]  # rustc arguments loading a module; `{name}` and `{path}` are filled in
    macros_by_path: bool  # the module is a crate: `name::Macro`, re-exports and dependents work
    compiletest_mode: bool  # compiletest's wasm proc-macro mode (needs modules that are crates)

    def load_args(self, crate: str, module: Path | str) -> list[str]:
        """The rustc arguments that load `module` as the macro crate `crate`."""
        return [part.format(name=crate, path=module) for part in self.load_flag]

    @property
    def files(self) -> tuple[str, ...]:
        """The rustc files this option edits beyond the core."""
        return tuple(sorted({edit.file for edit in self.edits}))

    @property
    def crates(self) -> tuple[str, ...]:
        """The crates (e.g. `compiler/rustc_resolve`) this option edits beyond the core."""
        return tuple(sorted({c for c in map(crate_of, self.files) if c}))


def crate_of(path: str) -> str | None:
    """The compiler or library crate a checkout path belongs to, e.g. `compiler/rustc_metadata`."""
    parts = PurePosixPath(path).parts
    if parts[0] in ("compiler", "library") and len(parts) > 2:
        return "/".join(parts[:2])
    return None
