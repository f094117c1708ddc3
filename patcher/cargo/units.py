"""What cargo will actually build for one command: its unit graph (`cargo <command>
--unit-graph`), read for the proc macros among the units and, for each, the exact
features of every library its build reads.

`cargo metadata` describes the whole resolved graph: dependencies for other platforms and
weakly enabled optional ones included, and one feature set per package. The unit graph is
what the command compiles, with the features cargo chose for each unit, so the modules
built from it are the macros the build uses, resolved as the project resolved them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patcher.errors import PatcherError
from patcher.process import capture

# the cargo commands with a unit graph, and the one that stands for those without
# (clippy and fix run `cargo check`)
COMPILING = {
    "build": "build",
    "b": "build",
    "check": "check",
    "c": "check",
    "clippy": "check",
    "fix": "check",
    "test": "test",
    "t": "test",
    "bench": "bench",
    "run": "run",
    "r": "run",
    "doc": "doc",
    "d": "doc",
    "rustc": "rustc",
    "rustdoc": "rustdoc",
}
# the options of `cargo wasm <command>` that a unit graph cannot take, dropped for it
NOT_FOR_UNIT_GRAPH = ("--open", "--no-run", "--timings")
LIBRARY_KINDS = {"lib", "rlib", "dylib", "proc-macro"}


@dataclass(frozen=True)
class MacroUnit:
    """A proc macro the build compiles, with its features and the exact features of each
    library in its build (by package id; nested proc macros are not in it: they run,
    they are not compiled into the module)."""

    pkg_id: str
    features: tuple[str, ...]
    libraries: tuple[tuple[str, tuple[str, ...]], ...]  # (package id, features), sorted
    deps: tuple[tuple[str, str, tuple[str, ...]], ...]  # its own dependencies: (extern name, package id, features)

    def features_of(self, pkg_id: str) -> tuple[str, ...] | None:
        return next((features for pid, features in self.libraries if pid == pkg_id), None)


@dataclass(frozen=True)
class UnitGraph:
    units: list[dict[str, Any]]

    def macros(self) -> list[MacroUnit]:
        """The proc macros compiled as libraries (not as test programs), one per distinct
        (package, features), in a stable order."""
        found = {}
        for unit in self.units:
            # proc macros run on the host (no platform); a shadow build's own library,
            # built as a proc macro for the guest target, is not one of them
            if "proc-macro" in unit["target"]["kind"] and unit["mode"] == "build" and unit.get("platform") is None:
                macro = self._macro(unit)
                found[(macro.pkg_id, macro.features)] = macro
        return [found[key] for key in sorted(found)]

    def _macro(self, unit: dict[str, Any]) -> MacroUnit:
        deps = tuple(
            sorted(
                (d["extern_crate_name"], dep["pkg_id"], tuple(sorted(dep["features"])))
                for d in unit["dependencies"]
                if (dep := self.units[d["index"]])["mode"] == "build" and set(dep["target"]["kind"]) & LIBRARY_KINDS
            )
        )
        features = tuple(sorted(unit["features"]))
        return MacroUnit(unit["pkg_id"], features, self.libraries(unit), deps)

    def libraries(self, unit: dict[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(package id, features) of every library `unit`'s build reads, transitively:
        not build scripts, not proc macros (they run in the compiler)."""
        found: dict[str, set[str]] = {}
        todo = [self.units[d["index"]] for d in self._library_deps(unit)]
        while todo:
            dep = todo.pop()
            if dep["pkg_id"] in found and found[dep["pkg_id"]] >= set(dep["features"]):
                continue
            # one package, one feature set per platform: a union only if cargo split them
            found.setdefault(dep["pkg_id"], set()).update(dep["features"])
            todo += [self.units[d["index"]] for d in self._library_deps(dep)]
        return tuple(sorted((pkg, tuple(sorted(features))) for pkg, features in found.items()))

    def _library_deps(self, unit: dict[str, Any]) -> list[dict[str, Any]]:
        """The dependencies of `unit` that are libraries compiled into it."""
        out = []
        for dep in unit["dependencies"]:
            target = self.units[dep["index"]]
            kinds = set(target["target"]["kind"])
            if target["mode"] == "build" and kinds & LIBRARY_KINDS and "proc-macro" not in kinds:
                out.append(dep)
        return out

    def library_of(self, package_dir: Path) -> dict[str, Any]:
        """The library unit of the package in `package_dir` (a shadow build's own)."""
        prefix = f"path+{package_dir.resolve().as_uri()}#"
        found = [
            u
            for u in self.units
            if u["pkg_id"].startswith(prefix) and u["mode"] == "build" and set(u["target"]["kind"]) & LIBRARY_KINDS
        ]
        if len(found) != 1:
            raise PatcherError(f"expected one library of {package_dir} in the unit graph, found {len(found)}")
        return found[0]


def unit_graph_command(args: list[str]) -> list[str] | None:
    """The cargo arguments that print the unit graph of the command `args` (its options
    kept, up to a `--`), or None when the command compiles nothing (metadata, tree, clean...)."""
    if not args or args[0] not in COMPILING:
        return None
    rest = args[1:]
    if "--" in rest:
        rest = rest[: rest.index("--")]
    kept = [a for a in rest if a.split("=", 1)[0] not in NOT_FOR_UNIT_GRAPH]
    return [COMPILING[args[0]], *kept, "--unit-graph", "-Zunstable-options"]


def read_unit_graph(cargo: str, args: list[str], cwd: Path, env: dict[str, str] | None = None) -> UnitGraph:
    """The unit graph of `cargo <args>` run in `cwd`. `--unit-graph` is unstable: cargo
    allows it with RUSTC_BOOTSTRAP=1, which here reaches only cargo's target probes
    (`rustc --print cfg`); nothing is compiled."""
    proc = capture([cargo, *args], cwd=cwd, env={**(env or {}), "RUSTC_BOOTSTRAP": "1"}, unset=("RUSTC_WRAPPER",))
    if proc.returncode != 0:
        raise PatcherError(f"`cargo {' '.join(args)}` failed in {cwd}:\n{proc.stderr.strip()[-3000:]}")
    try:
        graph = json.loads(proc.stdout)
    except ValueError:
        raise PatcherError(f"`cargo {' '.join(args)}` printed no unit graph:\n{proc.stdout[:500]}") from None
    if graph.get("version") != 1:
        raise PatcherError(f"cargo's unit graph has version {graph.get('version')}; this tool reads version 1")
    return UnitGraph(graph["units"])
