"""A cargo project's resolved graph, read from `cargo metadata` and Cargo.lock, and the
two sets the wasm route needs from it:

- the proc-macro packages, which are compiled to WebAssembly modules;
- the stand-ins: packages that only those proc macros need on the host (syn, quote,
  proc-macro2, ...). Once every macro that needs them runs from a module, nothing native
  uses them, so cargo's units for them are answered without compiling (wrapper.py).

A package is needed natively when a workspace member reaches it through normal, dev or
build dependencies without passing through a proc macro that runs from wasm (a proc
macro's own build script and build-dependencies stay native).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from patcher.cargo.units import MacroUnit
from patcher.cargo.wrapper import package_files
from patcher.errors import PatcherError
from patcher.process import capture


@dataclass(frozen=True)
class Package:
    id: str
    name: str
    version: str
    source: str | None  # None for path packages
    manifest_path: Path
    lib_name: str | None  # the library target's crate name
    proc_macro: bool
    features: tuple[str, ...] = ()
    checksum: str | None = None  # Cargo.lock's, for registry packages
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)  # cargo metadata's entry

    @property
    def root(self) -> Path:
        return self.manifest_path.parent

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"


@dataclass(frozen=True)
class Dep:
    pkg: str
    kinds: frozenset[str]  # "normal", "dev", "build"
    name: str = ""  # the extern crate name it is used under


@dataclass
class Graph:
    packages: dict[str, Package]
    deps: dict[str, list[Dep]]
    members: list[str]
    workspace_root: Path
    target_dir: Path
    _digests: dict[str, str] = field(default_factory=dict)

    def proc_macros(self) -> list[Package]:
        """Proc-macro packages reachable from the members, in a stable order."""
        reach = self._closure(self.members, ("normal", "dev", "build"), stop=set())
        return sorted((self.packages[i] for i in reach if self.packages[i].proc_macro), key=lambda p: p.id)

    def native(self, wasm_macros: set[str]) -> set[str]:
        """Packages some native unit needs: reached from the members without passing
        through the normal dependencies of a macro in `wasm_macros`."""
        return self._closure(self.members, ("normal", "dev", "build"), stop=wasm_macros)

    def stand_ins(self, wasm_macros: set[str]) -> list[Package]:
        """Packages needed only by the macros in `wasm_macros`."""
        reach = self._closure(list(wasm_macros), ("normal",), stop=set()) - set(wasm_macros)
        native = self.native(wasm_macros)
        return sorted((self.packages[i] for i in reach - native), key=lambda p: p.id)

    def closure_of(self, pkg_id: str) -> list[Package]:
        """`pkg_id` and what its build can read: normal and build dependencies, transitively."""
        return sorted(
            (self.packages[i] for i in self._closure([pkg_id], ("normal", "build"), set())), key=lambda p: p.id
        )

    def digest(self, pkg: Package) -> str:
        """What identifies the package's sources: Cargo.lock's checksum for a registry
        package, the commit in a git source id, a hash of the files of a path package."""
        if pkg.checksum:
            return pkg.checksum
        if pkg.source and pkg.source.startswith("git+"):
            return pkg.source
        if pkg.id not in self._digests:
            self._digests[pkg.id] = tree_digest(pkg.root)
        return self._digests[pkg.id]

    def macro_units(self) -> list[MacroUnit]:
        """The proc macros as `cargo metadata` knows them, for commands without a unit
        graph: every macro of the graph, with the one feature set metadata gives a package."""
        out = []
        for pkg in self.proc_macros():
            normal = [d for d in self.deps.get(pkg.id, []) if "normal" in d.kinds]
            deps = tuple(sorted((d.name, d.pkg, self.packages[d.pkg].features) for d in normal))
            reach = self._closure([d.pkg for d in normal if not self.packages[d.pkg].proc_macro], ("normal",), set())
            libraries = tuple(sorted((i, self.packages[i].features) for i in reach if not self.packages[i].proc_macro))
            out.append(MacroUnit(pkg.id, pkg.features, libraries, deps))
        return out

    def _closure(self, roots: Iterable[str], kinds: tuple[str, ...], stop: set[str]) -> set[str]:
        """Packages reachable from `roots` by edges of `kinds`; through a package in
        `stop`, only its build-dependencies are followed (its build script is native)."""
        seen: set[str] = set()
        todo = list(roots)
        while todo:
            pkg = todo.pop()
            if pkg in seen:
                continue
            seen.add(pkg)
            for dep in self.deps.get(pkg, []):
                allowed = {"build"} if pkg in stop else set(kinds)
                if dep.kinds & allowed:
                    todo.append(dep.pkg)
        return seen


def read_graph(cargo: str, manifest: Path | None, args: list[str], cwd: Path) -> Graph:
    """`cargo metadata` of the project `cargo` would build from `cwd` with `args`
    (feature selections, --config, --offline, ...)."""
    cmd = [cargo, "metadata", "--format-version", "1", *args]
    if manifest is not None:
        cmd += ["--manifest-path", str(manifest)]
    proc = capture(cmd, cwd=cwd)
    if proc.returncode != 0:
        raise PatcherError(f"`cargo metadata` failed in {cwd}:\n{proc.stderr.strip()[-3000:]}")
    return parse_metadata(json.loads(proc.stdout))


def parse_metadata(meta: dict[str, Any]) -> Graph:
    root = Path(meta["workspace_root"])
    checksums = _lock_checksums(root / "Cargo.lock")
    resolve = meta.get("resolve") or {}
    features = {node["id"]: tuple(sorted(node.get("features", []))) for node in resolve.get("nodes", [])}
    packages = {}
    for raw in meta["packages"]:
        lib = next((t for t in raw["targets"] if {"lib", "rlib", "proc-macro"} & set(t["kind"])), None)
        packages[raw["id"]] = Package(
            id=raw["id"],
            name=raw["name"],
            version=raw["version"],
            source=raw.get("source"),
            manifest_path=Path(raw["manifest_path"]),
            lib_name=lib["name"].replace("-", "_") if lib else None,
            proc_macro=bool(lib and "proc-macro" in lib["kind"]),
            features=features.get(raw["id"], ()),
            checksum=checksums.get((raw["name"], raw["version"], raw.get("source"))),
            meta=raw,
        )
    deps = {
        node["id"]: [
            Dep(
                d["pkg"],
                frozenset(k["kind"] or "normal" for k in d.get("dep_kinds", [{"kind": None}])),
                d.get("name", ""),
            )
            for d in node.get("deps", [])
        ]
        for node in resolve.get("nodes", [])
    }
    return Graph(packages, deps, list(meta["workspace_members"]), root, Path(meta["target_directory"]))


def _lock_checksums(lock: Path) -> dict[tuple[str, str, str | None], str]:
    try:
        doc = tomllib.loads(lock.read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    return {
        (p["name"], p["version"], p.get("source")): p["checksum"] for p in doc.get("package", []) if "checksum" in p
    }


def tree_digest(root: Path) -> str:
    """sha256 over the relative paths and contents of the files under `root`."""
    h = hashlib.sha256()
    for path in map(Path, package_files(str(root))):
        h.update(str(path.relative_to(root)).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()
