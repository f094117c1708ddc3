"""`cargo wasm <command> [args]`: cargo's own command, with every proc macro of the
project's graph compiled to WebAssembly (through the module cache) and run by the
patched rustc's interpreter. Cargo and the project's files are not changed.

    cargo wasm build --release
    cargo wasm --strict test          # refuse every native proc macro
    cargo wasm --keep-native foo build  # foo's proc macros stay native

Before cargo runs, the project's graph is read (`cargo metadata`), each proc macro's
module is taken from the cache or built (its own proc-macro dependencies first, the same
way), and a plan is written for the wrapper that cargo then calls for every crate.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tomllib
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from patcher.build.install import INSTALL_MARKER, Installed, installed
from patcher.cargo import memo, modules, wrapper
from patcher.cargo.cache import Hit, ModuleCache, module_key
from patcher.cargo.graph import Graph, Package, read_graph
from patcher.cargo.plan import PLAN_ENV, Module, WrapperPlan
from patcher.cargo.units import MacroUnit, UnitGraph, read_unit_graph, unit_graph_command
from patcher.environment import DIST_ENV, KEEP_NATIVE_ENV, STRICT_ENV, USER_WRAPPER_ENV
from patcher.errors import PatcherError
from patcher.paths import dist_dir
from patcher.process import environment
from patcher.rustc.abi import DECLS_VERSION

HOST_DYLIB = ("lib", ".so")  # where cargo expects a proc macro on this (Linux) host
# cargo options that shape the graph, given to `cargo metadata` too (and to module
# builds: --config, --offline)
GRAPH_FLAGS = ("--manifest-path", "--features", "-F", "--config", "-Z")
GRAPH_SWITCHES = ("--all-features", "--no-default-features", "--offline", "--frozen", "--locked")
MODULE_BUILD_FLAGS = ("--config", "-Z", "-j", "--jobs")
MODULE_BUILD_SWITCHES = ("--offline",)


@dataclass(frozen=True)
class Route:
    """What every cargo command of one `cargo wasm` run shares."""

    compiler: Installed
    cargo: str
    module_args: tuple[str, ...]  # --config/--offline, for the module builds
    cwd: Path  # cargo's configuration is found from here, for module builds too
    cache: ModuleCache
    strict: bool
    keep_native: frozenset[str]  # crate names

    @property
    def work(self) -> Path:
        return self.cache.root / ".work"


def main(argv: list[str]) -> int:
    args = argv[1:]
    if args[:1] == ["wasm"]:  # run as `cargo wasm ...`, cargo passes its subcommand's name
        args = args[1:]
    strict = os.environ.get(STRICT_ENV, "") not in ("", "0")
    keep = {n for n in os.environ.get(KEEP_NATIVE_ENV, "").split(",") if n}
    while args and args[0] in ("--strict", "--keep-native"):
        if args[0] == "--strict":
            strict, args = True, args[1:]
        elif len(args) > 1:
            keep |= {n for n in args[1].split(",") if n}
            args = args[2:]
        else:
            raise PatcherError("--keep-native needs crate names: `cargo wasm --keep-native a,b build`")
    if not args or args[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    if strict and keep:
        raise PatcherError(f"--strict refuses every native proc macro; drop it or --keep-native {','.join(keep)}")
    route = make_route(args, strict, frozenset(n.replace("-", "_") for n in keep))
    print(f"{'Engine':>12} {modules.engine_line(route.compiler)}", file=sys.stderr, flush=True)
    plan = current_plan(route, args)
    for label, reason in sorted(WrapperPlan.read(plan).native.items()):  # every run, not only when planned
        print(f"warning: proc macro {label} runs natively, not sandboxed: {reason}", file=sys.stderr)
    remove_stale_stand_ins(plan, _target_dirs(args, route))
    env = cargo_env(route, plan)
    if (rustdoc := route.compiler.sysroot / "bin" / "rustdoc").exists():
        env["RUSTDOC"] = str(rustdoc)  # doctests load the modules too
    return os.spawnvpe(os.P_WAIT, route.cargo, [route.cargo, *args], environment(env))


def current_plan(route: Route, args: list[str]) -> Path:
    """The plan for this command: the memo's while its inputs are unchanged (memo.py),
    else made from the project's graph, filling the cache."""
    key = memo.context_key([args, str(route.cwd), route.compiler.build_id, route.strict, sorted(route.keep_native)])
    plan = memo.lookup(route.work / "memo", key)
    if plan is not None:
        return plan
    require_crate_modules(route.compiler)
    graph = read_graph(route.cargo, None, _graph_args(args[1:]), route.cwd)
    command = unit_graph_command(args)
    units = read_unit_graph(route.cargo, command, route.cwd) if command else None
    plan = write_plan(plan_for(graph, route, native_deps_for(args), units), route)
    memo.store(route.work / "memo", key, plan, plan_inputs(graph, route))
    return plan


def remove_stale_stand_ins(plan_path: Path, target_dirs: list[Path]) -> None:
    """Stand-ins of packages this plan compiles natively (an earlier command's plan did
    not) are removed: cargo sees their outputs missing and compiles the real crates."""
    stand_ins = set(WrapperPlan.read(plan_path).stand_ins)
    for target in target_dirs:
        for deps in [*target.glob("*/deps"), *target.glob("*/*/deps")]:
            for path in deps.glob("lib*"):
                if path.suffix not in (".rlib", ".rmeta", ".so") or path.stat().st_size > 4096:
                    continue
                lines = path.read_bytes().decode(errors="replace").splitlines()
                if lines and lines[0].startswith(wrapper.STAND_IN_MARK):
                    package = lines[-1].removeprefix("package: ")
                    if package not in stand_ins:
                        path.unlink()


def _target_dirs(args: list[str], route: Route) -> list[Path]:
    """Where cargo puts this command's outputs (the usual places; --target-dir first)."""
    selected = _select(args, ("--target-dir",), ())
    if selected:
        value = selected[0].split("=", 1)[1] if "=" in selected[0] else selected[1]
        return [route.cwd / value]
    if "CARGO_TARGET_DIR" in os.environ:
        return [route.cwd / os.environ["CARGO_TARGET_DIR"]]
    return [d / "target" for d in (route.cwd, *route.cwd.parents) if (d / "target").is_dir()][:1]


class NativeDeps(Enum):
    """Which macros' dependencies a cargo command also needs as native libraries."""

    NONE = "none"
    MEMBERS = "members"  # those of the workspace's own macro crates, built as test programs
    ALL = "all"  # those of every macro of the graph (rustdoc reads every crate)


def native_deps_for(args: list[str]) -> NativeDeps:
    """Which macros' dependencies a cargo command needs natively: documentation covers
    every crate of the graph; tests, benchmarks and `--all-targets` build the workspace's
    own macro crates as test programs."""
    command = args[0] if args else ""
    if command in ("doc", "rustdoc"):
        return NativeDeps.ALL
    targets = ("--all-targets", "--tests", "--test", "--benches", "--bench", "--examples", "--example")
    if command in ("test", "t", "bench", "clippy", "fix") or any(a.split("=")[0] in targets for a in args):
        return NativeDeps.MEMBERS
    return NativeDeps.NONE


def plan_inputs(graph: Graph, route: Route) -> list[Path]:
    """The files a plan of `graph` follows from."""
    files = [graph.workspace_root / "Cargo.toml", graph.workspace_root / "Cargo.lock", *memo.config_files(route.cwd)]
    path_packages = [p for p in graph.packages.values() if p.source is None]
    files += [p.manifest_path for p in path_packages]
    compiled = {q.id for p in graph.proc_macros() for q in graph.closure_of(p.id)}
    files += [Path(f) for p in path_packages if p.id in compiled for f in wrapper.package_files(str(p.root))]
    return files


def require_crate_modules(compiler: Installed) -> None:
    if not compiler.macros_by_path:
        raise PatcherError(
            f"{compiler.sysroot} was built with option {compiler.option}, whose modules are not crates; "
            f"`cargo wasm` needs option a or c: `nox -s build -- --option c`"
        )


def make_route(args: list[str], strict: bool, keep: frozenset[str]) -> Route:
    dist = Path(os.environ[DIST_ENV]) if DIST_ENV in os.environ else dist_dir("native")
    if (dist / "bin" / "rustc").exists() and not (dist / INSTALL_MARKER).exists():
        raise PatcherError(
            f"{dist} is a Rust toolchain without wasm proc-macro support (no {INSTALL_MARKER}): "
            f"point {DIST_ENV} at a rustc-wasm-proc-macros toolchain (an installed release, or dist/native/ "
            "after `nox -s build`)"
        )
    compiler = installed(dist)
    module_args = _select(args, MODULE_BUILD_FLAGS, MODULE_BUILD_SWITCHES)
    if "--frozen" in args:
        module_args.append("--offline")  # the shadow's lock is its own, so not --locked
    cargo = os.environ.get("CARGO") or shutil.which("cargo") or "cargo"
    return Route(compiler, cargo, tuple(module_args), Path.cwd(), ModuleCache(), strict, keep)


def module_of_crate(crate_dir: Path, compiler: Installed, cargo_args: list[str], out_dir: Path) -> Path:
    """`nox -s wasm-macro`: the module of the proc-macro crate at `crate_dir`, through the
    cache, copied to `out_dir/lib<name>.wasm`."""
    route = Route(compiler, modules.cargo(), tuple(cargo_args), crate_dir, ModuleCache(), False, frozenset())
    manifest = crate_dir / "Cargo.toml"
    graph = read_graph(route.cargo, manifest, cargo_args, crate_dir)
    member = next((graph.packages[m] for m in graph.members if graph.packages[m].root == crate_dir.resolve()), None)
    if member is None or not member.proc_macro:
        raise PatcherError(f"{crate_dir}: not a proc-macro crate (expected `[lib] proc-macro = true`)")
    command = ["build", "--lib", "--manifest-path", str(manifest), *cargo_args, "--unit-graph", "-Zunstable-options"]
    macro = next(m for m in read_unit_graph(route.cargo, command, crate_dir).macros() if m.pkg_id == member.id)
    hit = module_for(macro, graph, route)
    if hit.module is None:
        raise PatcherError(f"{member.label} cannot be compiled to WebAssembly: {hit.reason}")
    out = out_dir / f"lib{member.lib_name}.wasm"
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(hit.module, out)
    return out


def plan_for(
    graph: Graph, route: Route, native_deps: NativeDeps = NativeDeps.NONE, units: UnitGraph | None = None
) -> WrapperPlan:
    """Decide, for every proc macro the build uses (`units`, cargo's unit graph; without
    one, every macro of `graph`), wasm or native; fill the cache. With `native_deps`
    MEMBERS (or ALL), the dependencies of the workspace's own proc macros (or of
    every one) are compiled natively all the same, for the commands that build more of a
    macro crate than its library (its tests, its documentation)."""
    wasm: set[str] = set()
    modules_by_dir: dict[str, list[Module]] = {}
    native: dict[str, str] = {}
    for macro in units.macros() if units is not None else graph.macro_units():
        pkg = graph.packages[macro.pkg_id]
        if pkg.lib_name in route.keep_native:
            native[pkg.label] = "listed in --keep-native"
            continue
        hit = module_for(macro, graph, route)
        if hit.module is None:
            if route.strict:
                raise PatcherError(f"strict mode: proc macro {pkg.label} cannot run from WebAssembly: {hit.reason}")
            native[pkg.label] = f"{hit.reason}\n  (`cargo wasm --strict` refuses this; see docs/compatibility.md)"
            continue
        wasm.add(pkg.id)
        modules_by_dir.setdefault(_dir(pkg), []).append(Module(list(macro.features), str(hit.module), hit.sha256))
    if native_deps is NativeDeps.ALL:
        stand_ins = []
    else:
        members = set(graph.members) if native_deps is NativeDeps.MEMBERS else set()
        stand_ins = graph.stand_ins(wasm - members)
    labels = {_dir(p): p.label for p in [*(graph.packages[i] for i in wasm), *stand_ins]}
    return WrapperPlan(route.strict, HOST_DYLIB, modules_by_dir, [_dir(p) for p in stand_ins], labels, native)


def module_for(macro: MacroUnit, graph: Graph, route: Route) -> Hit:
    """The module of `macro` (a proc macro with the features cargo resolved for it): from
    the cache, or built into it (its shadow's own proc macros first, by the same route)."""
    pkg = graph.packages[macro.pkg_id]
    parts = key_parts(macro, graph, route)
    key = module_key(parts)
    describe = {"crate": pkg.name, "version": pkg.version, "features": list(macro.features), "key": parts}

    def build(out: Path) -> None:
        print(
            f"   Compiling {pkg.label} to WebAssembly (module cache: {route.cache.root})", file=sys.stderr, flush=True
        )
        shadow = route.work / key
        target_dir = route.work / "target" / (route.compiler.build_id or "unknown")
        env = {"RUSTC": str(route.compiler.rustc), "CARGO_TARGET_DIR": str(target_dir)}
        manifest, shadow_units = shadow_build(macro, graph, route, shadow, env)
        nested = read_graph(route.cargo, manifest, list(route.module_args), route.cwd)
        env.update(cargo_env(route, write_plan(plan_for(nested, route, units=shadow_units), route)))
        cmd = [route.cargo, *route.module_args]
        artifact = modules.compile_shadow(manifest, pkg.lib_name or pkg.name, macro.features, cmd, route.cwd, env)
        shutil.copyfile(artifact, out)
        modules.precompile(route.compiler, out, pkg.lib_name or pkg.name)

    return route.cache.get_or_build(key, describe, build)


def shadow_build(
    macro: MacroUnit, graph: Graph, route: Route, shadow: Path, env: dict[str, str]
) -> tuple[Path, UnitGraph]:
    """The shadow manifest of `macro` and the unit graph of its wasm build. Its own
    dependencies are pinned to the project's versions and features; where the shadow's
    resolution would still give a library deeper down other features or another version
    than the project's build did, that library is pinned too."""
    pkg = graph.packages[macro.pkg_id]
    lock = graph.workspace_root / "Cargo.lock"
    deps = {name: _resolved(graph, pid, features) for name, pid, features in macro.deps}
    command = [*route.module_args, *modules.shadow_rustc_args(shadow / "Cargo.toml", macro.features)]
    command += ["--unit-graph", "-Zunstable-options"]
    manifest = modules.write_shadow(pkg.meta, shadow, lock, deps, macro.features)
    units = read_unit_graph(route.cargo, command, route.cwd, env)
    needed = _pins_needed(macro, graph, units.libraries(units.library_of(shadow)))
    if needed:
        pins = tuple(_resolved(graph, pid, features) for pid, features in needed)
        manifest = modules.write_shadow(pkg.meta, shadow, lock, deps, macro.features, pins)
        units = read_unit_graph(route.cargo, command, route.cwd, env)
    return manifest, units


def _pins_needed(
    macro: MacroUnit, graph: Graph, shadow_libraries: tuple[tuple[str, tuple[str, ...]], ...]
) -> list[tuple[str, tuple[str, ...]]]:
    """The libraries of the project's build of `macro` that the shadow's build resolves
    with fewer features, or at another version. (A library the shadow leaves out is
    another platform's dependency: wasm does not need it.)"""
    have = dict(shadow_libraries)
    names = {_id_name(pid) for pid in have}
    needed = []
    for pid, features in macro.libraries:
        if pid in have:
            if not set(features) <= set(have[pid]):
                needed.append((pid, features))
        elif graph.packages[pid].name in names:
            needed.append((pid, features))
    return needed


def _id_name(pkg_id: str) -> str:
    """The package name in a package id (`source#name@version`, or `path+file:///.../name#version`)."""
    url, _, fragment = pkg_id.partition("#")
    return fragment.split("@")[0] if "@" in fragment else url.rstrip("/").rsplit("/", 1)[-1]


def _resolved(graph: Graph, pkg_id: str, features: tuple[str, ...]) -> modules.Resolved:
    p = graph.packages[pkg_id]
    return modules.Resolved(p.name, p.version, p.source, p.root, features)


def key_parts(macro: MacroUnit, graph: Graph, route: Route) -> dict[str, Any]:
    """Everything that determines the module of `macro`: its sources, its features, and
    the version, sources and features of every library its build reads."""
    pkg = graph.packages[macro.pkg_id]
    return {
        "abi": DECLS_VERSION,
        "target": modules.WASM_TARGET,
        "compiler": route.compiler.build_id,
        "guest": modules.GUEST_PROFILE,
        "crate": [pkg.name, pkg.version, pkg.source, graph.digest(pkg)],
        "features": list(macro.features),
        "deps": [[p.name, p.version, p.source, graph.digest(p)] for p in graph.closure_of(pkg.id) if p.id != pkg.id],
        "resolved": [[pid, list(features)] for pid, features in macro.libraries],
    }


def cargo_env(route: Route, plan: Path) -> dict[str, str]:
    env = {
        "RUSTC": str(route.compiler.rustc),
        "RUSTC_WRAPPER": str(wrapper_script(route.work)),
        PLAN_ENV: str(plan),
    }
    user = user_wrapper(route.cwd)
    if user:  # chained: cargo wasm's wrapper calls it for every crate it compiles
        env[USER_WRAPPER_ENV] = user
    return env


def user_wrapper(cwd: Path) -> str | None:
    """The rustc wrapper the user configured (sccache, say), which cargo wasm's own
    replaces: $RUSTC_WRAPPER, $CARGO_BUILD_RUSTC_WRAPPER, else `build.rustc-wrapper` of
    the nearest cargo configuration that sets it (a path with a slash is relative to the
    directory holding that `.cargo/`, as cargo reads it). An empty value means none."""
    for variable in ("RUSTC_WRAPPER", "CARGO_BUILD_RUSTC_WRAPPER"):
        if variable in os.environ:
            value = os.environ[variable]
            return value if value and not _is_own_wrapper(value) else None
    for config in memo.config_files(cwd):
        try:
            value = tomllib.loads(config.read_text()).get("build", {}).get("rustc-wrapper")
        except (OSError, tomllib.TOMLDecodeError):
            continue
        if isinstance(value, str):
            if not value:
                return None
            return str(config.parent.parent / value) if "/" in value else value
    return None


def _is_own_wrapper(path: str) -> bool:
    """cargo wasm's wrapper, inherited by a nested cargo (a module build): not the user's."""
    return Path(path).name.startswith(WRAPPER_NAME)


def write_plan(plan: WrapperPlan, route: Route) -> Path:
    """Plans are named by their content: concurrent builds never overwrite each other's."""
    digest = hashlib.sha256(plan.to_json().encode()).hexdigest()[:24]
    return plan.write(route.work / "plans" / f"{digest}.json")


WRAPPER_NAME = "rustc-wrapper"


def wrapper_script(work: Path) -> Path:
    """The RUSTC_WRAPPER executable (cargo takes a path, not a command line), named by its
    text: toolchains sharing a module cache each have their own."""
    # -S -E: no site packages, no PYTHON* variables (startup in about 20 ms, not 90)
    text = f'#!/bin/sh\nexec "{sys.executable}" -S -E "{Path(wrapper.__file__).resolve()}" "$@"\n'
    script = work / f"{WRAPPER_NAME}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"
    if not script.exists() or script.read_text() != text:
        work.mkdir(parents=True, exist_ok=True)
        partial = script.with_name(f"{script.name}.{os.getpid()}")
        partial.write_text(text)
        partial.chmod(0o755)
        os.replace(partial, script)
    return script


def _dir(pkg: Package) -> str:
    return os.path.realpath(pkg.root)


def _select(args: list[str], flags: tuple[str, ...], switches: tuple[str, ...]) -> list[str]:
    """The `flags` (with their values, `--flag v`, `--flag=v`, or `-jN` for a short one)
    and `switches` in `args`, up to a `--` (what follows is for rustc or the test binary)."""
    out: list[str] = []
    i = 0
    while i < len(args) and args[i] != "--":
        arg = args[i]
        name = arg.split("=", 1)[0]
        short = len(arg) > 2 and not arg.startswith("--") and arg[:2] in flags
        if arg in switches or (name in flags and "=" in arg) or short:
            out.append(arg)
        elif arg in flags and i + 1 < len(args):
            out += [arg, args[i + 1]]
            i += 1
        i += 1
    return out


def _graph_args(args: list[str]) -> list[str]:
    return _select(args, GRAPH_FLAGS, GRAPH_SWITCHES)


def run(argv: list[str]) -> int:
    """`cargo wasm`, with its errors as one line each (also the installed toolchain's entry)."""
    try:
        return main(argv)
    except PatcherError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(run(sys.argv))
