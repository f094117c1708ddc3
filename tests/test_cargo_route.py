"""The cargo route's parts that need no compiler: the graph's sets, the module cache, the
wrapper's answers to cargo, and shadow manifests from cargo metadata."""

from __future__ import annotations

import concurrent.futures
import json
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

from patcher.cargo import front, modules, wrapper
from patcher.cargo.cache import BuildImpossible, ModuleCache, module_key
from patcher.cargo.graph import parse_metadata, read_graph
from patcher.cargo.plan import Module, WrapperPlan
from patcher.cargo.units import UnitGraph, read_unit_graph, unit_graph_command
from patcher.paths import REPO_ROOT
from patcher.process import capture
from patcher.provision import vendor

WASM = b"\0asm\1\0\0\0"
WORKSPACE = REPO_ROOT / "e2e" / "workspace"


def _package(name: str, kind: str = "lib", root: str = "/src") -> dict[str, Any]:
    return {
        "id": name,
        "name": name,
        "version": "1.0.0",
        "source": "registry+https://github.com/rust-lang/crates.io-index",
        "manifest_path": f"{root}/{name}/Cargo.toml",
        "targets": [{"kind": [kind], "name": name, "src_path": f"{root}/{name}/src/lib.rs"}],
    }


def _metadata(edges: dict[str, list[tuple[str, str | None]]], macros: set[str], members: list[str]) -> dict[str, Any]:
    names = set(edges) | {dep for deps in edges.values() for dep, _ in deps}
    return {
        "workspace_root": "/nonexistent",
        "target_directory": "/nonexistent/target",
        "workspace_members": members,
        "packages": [_package(n, "proc-macro" if n in macros else "lib") for n in sorted(names)],
        "resolve": {
            "nodes": [
                {"id": n, "features": [], "deps": [{"pkg": d, "dep_kinds": [{"kind": k}]} for d, k in edges.get(n, [])]}
                for n in sorted(names)
            ]
        },
    }


def test_stand_ins_are_what_only_wasm_macros_need() -> None:
    graph = parse_metadata(
        _metadata(
            {
                "app": [("lib", None), ("derive", None), ("helper", "build")],
                "lib": [("derive", None), ("memchr", None)],
                "derive": [("syn", None), ("quote", None)],
                "quote": [("proc-macro2", None)],
                "syn": [("proc-macro2", None)],
                "helper": [("quote", None)],  # a build script's dependency: native
            },
            macros={"derive"},
            members=["app"],
        )
    )
    assert [p.name for p in graph.proc_macros()] == ["derive"]
    assert [p.name for p in graph.stand_ins({"derive"})] == ["syn"]
    assert {"quote", "proc-macro2", "helper", "memchr", "derive"} <= graph.native({"derive"})
    # a macro kept native needs its dependencies natively
    assert graph.stand_ins(set()) == []


def test_a_macro_reached_only_through_a_wasm_macro_is_a_stand_in() -> None:
    graph = parse_metadata(
        _metadata(
            {"app": [("outer", None)], "outer": [("darling", None)], "darling": [("darling_macro", None)]},
            macros={"outer", "darling_macro"},
            members=["app"],
        )
    )
    assert [p.name for p in graph.stand_ins({"outer"})] == ["darling", "darling_macro"]


def test_cache_builds_once_then_hits_and_rebuilds_a_corrupt_entry(tmp_path: Path) -> None:
    cache = ModuleCache(tmp_path / "cache")
    builds: list[Path] = []

    def build(out: Path) -> None:
        builds.append(out)
        out.write_bytes(WASM + b"module")

    key = module_key({"crate": "x"})
    first = cache.get_or_build(key, {"crate": "x"}, build)
    assert first.built and first.module is not None and first.module.read_bytes() == WASM + b"module"
    again = cache.get_or_build(key, {"crate": "x"}, build)
    assert not again.built and again.sha256 == first.sha256 and len(builds) == 1
    assert first.module is not None
    first.module.write_bytes(WASM)  # truncated: never loaded, rebuilt
    rebuilt = cache.get_or_build(key, {"crate": "x"}, build)
    assert rebuilt.built and len(builds) == 2
    assert rebuilt.module is not None
    rebuilt.module.write_bytes(WASM + b"MODULE")  # same size, one byte flipped: rebuilt too
    again = cache.get_or_build(key, {"crate": "x"}, build)
    assert again.built and len(builds) == 3 and again.module is not None
    assert again.module.read_bytes() == WASM + b"module"
    assert cache.entries() == [tmp_path / "cache" / key]


def test_cache_remembers_a_crate_that_cannot_be_built_for_wasm(tmp_path: Path) -> None:
    cache = ModuleCache(tmp_path)
    calls = []

    def build(out: Path) -> None:
        calls.append(out)
        raise BuildImpossible("it links a C library")

    assert cache.get_or_build("k", {}, build).reason == "it links a C library"
    hit = cache.get_or_build("k", {}, build)
    assert hit.module is None and hit.reason == "it links a C library" and len(calls) == 1


def test_a_failed_build_leaves_no_entry(tmp_path: Path) -> None:
    cache = ModuleCache(tmp_path)

    def build(out: Path) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError):
        cache.get_or_build("k", {}, build)
    assert cache.lookup("k") is None and cache.entries() == []


def test_concurrent_builds_of_one_key_build_it_once(tmp_path: Path) -> None:
    builds = []

    def build(out: Path) -> None:
        builds.append(out)
        time.sleep(0.3)
        out.write_bytes(WASM)

    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(ModuleCache(tmp_path).get_or_build, "k", {}, build) for _ in range(3)]
        results = [future.result(timeout=30) for future in futures]  # raises a builder's exception
    assert len(results) == 3 and all(r.module is not None for r in results)
    assert len(builds) == 1 and len({r.sha256 for r in results}) == 1
    assert sum(r.built for r in results) == 1  # one built it, two waited and found it


CARGO_ARGS = [
    "--crate-name",
    "syn",
    "--edition=2021",
    "/v/syn/src/lib.rs",
    "--error-format=json",
    "--json=diagnostic-rendered-ansi,artifacts,future-incompat",
    "--crate-type",
    "lib",
    "--emit=dep-info,metadata,link",
    "-C",
    "embed-bitcode=no",
    "--cfg",
    'feature="full"',
    "--cfg",
    'feature="parsing"',
    "-C",
    "metadata=0af5",
    "-C",
    "extra-filename=-5b1e",
    "--out-dir",
    "/t/deps",
]


def test_wrapper_reads_the_unit_from_cargos_command_line() -> None:
    unit = wrapper.parse_unit(CARGO_ARGS)
    assert unit is not None
    assert (unit.crate_name, unit.crate_types, unit.extra_filename) == ("syn", ["lib"], "-5b1e")
    assert unit.emit == ["dep-info", "metadata", "link"] and unit.features == ["full", "parsing"]
    assert unit.json_artifacts and unit.file("lib", ".rlib") == "/t/deps/libsyn-5b1e.rlib"
    assert wrapper.parse_unit(["-vV"]) is None


def _run_wrapper(args: list[str], plan: WrapperPlan, pkg: Path, tmp_path: Path) -> Any:
    plan_path = plan.write(tmp_path / "plan.json")
    return capture(
        [sys.executable, "-S", "-E", str(Path(wrapper.__file__)), "/nonexistent/rustc", *args],
        cwd=REPO_ROOT,
        env={"RUSTC_WASM_PLAN": str(plan_path), "CARGO_MANIFEST_DIR": str(pkg), "PYTHONPATH": str(REPO_ROOT)},
    )


def test_wrapper_answers_a_stand_in_without_compiling(tmp_path: Path) -> None:
    pkg = tmp_path / "syn"
    (pkg / "src").mkdir(parents=True)
    (pkg / "src" / "lib.rs").write_text("")
    out = tmp_path / "deps"
    out.mkdir()
    args = [*CARGO_ARGS[:-1], str(out)]
    plan = WrapperPlan(False, ("lib", ".so"), stand_ins=[str(pkg.resolve())], labels={str(pkg.resolve()): "syn v2"})
    proc = _run_wrapper(args, plan, pkg, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "syn v2 is used only by proc macros" in (out / "libsyn-5b1e.rlib").read_text()
    assert (out / "libsyn-5b1e.rmeta").exists()
    artifacts = [json.loads(line) for line in proc.stderr.splitlines()]
    assert [a["emit"] for a in artifacts] == ["metadata", "link"]
    assert f"{pkg / 'src' / 'lib.rs'}:" in (out / "syn-5b1e.d").read_text().splitlines()


def test_a_build_scripts_probe_is_compiled_for_real_not_stood_in(tmp_path: Path) -> None:
    """proc-macro2's build script compiles a probe through RUSTC_WRAPPER with its own
    package as CARGO_MANIFEST_DIR; a stand-in's success would make it enable nightly
    code. No `-C metadata`: not one of cargo's units, so the compiler answers."""
    pkg = tmp_path / "proc-macro2"
    pkg.mkdir()
    probe = ["--crate-name=proc_macro2", "--crate-type=lib", "--emit=dep-info,metadata", "--out-dir", str(tmp_path)]
    plan = WrapperPlan(False, ("lib", ".so"), stand_ins=[str(pkg.resolve())])
    proc = _run_wrapper([*probe, "probe.rs"], plan, pkg, tmp_path)
    assert proc.returncode != 0  # /nonexistent/rustc was run, and failed
    assert not (tmp_path / "libproc_macro2.rmeta").exists()


def test_wrapper_puts_the_module_where_cargo_expects_the_proc_macro(tmp_path: Path) -> None:
    import hashlib

    pkg = tmp_path / "derive"
    pkg.mkdir()
    module = tmp_path / "module.wasm"
    module.write_bytes(WASM)
    out = tmp_path / "deps"
    out.mkdir()
    args = ["--crate-name", "derive", "--crate-type", "proc-macro", "--emit=dep-info,link", "--cfg", 'feature="a"']
    args += ["-C", "metadata=77", "-C", "extra-filename=-77", "--out-dir", str(out)]
    sha = hashlib.sha256(WASM).hexdigest()
    plan = WrapperPlan(False, ("lib", ".so"), modules={str(pkg.resolve()): [Module(["a"], str(module), sha)]})
    proc = _run_wrapper(args, plan, pkg, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (out / "libderive-77.so").read_bytes() == WASM and (out / "derive-77.d").exists()
    # other features than the module's: refused, naming both
    proc = _run_wrapper([*args, "--cfg", 'feature="b"'], plan, pkg, tmp_path)
    assert proc.returncode == 1 and "['a', 'b']" in proc.stderr and "['a']" in proc.stderr
    # the module changed after the plan checked it (same size): refused, nothing written
    (out / "libderive-77.so").unlink()
    module.write_bytes(WASM[:-1] + b"X")
    proc = _run_wrapper(args, plan, pkg, tmp_path)
    assert proc.returncode == 1 and "changed since it was checked" in proc.stderr
    assert not (out / "libderive-77.so").exists()


def _resolved_project(checkout: Path, manifest: Path, cwd: Path) -> tuple[Any, Any, list[str]]:
    """The metadata graph and the `cargo build` unit graph of the project at `manifest`."""
    cargo = modules.cargo()
    args = ["--offline", *vendor.cargo_source_args(checkout / "vendor")]
    graph = read_graph(cargo, manifest, args, cwd)
    command = ["build", "--manifest-path", str(manifest), *args, "--unit-graph", "-Zunstable-options"]
    return graph, read_unit_graph(cargo, command, cwd), args


def _shadow_of(name: str, graph: Any, units: Any, shadow: Path) -> tuple[Path, Any]:
    macro = next(m for m in units.macros() if graph.packages[m.pkg_id].name == name)
    deps = {extern: front._resolved(graph, pid, features) for extern, pid, features in macro.deps}
    pkg = graph.packages[macro.pkg_id]
    return modules.write_shadow(pkg.meta, shadow, graph.workspace_root / "Cargo.lock", deps, macro.features), macro


def test_shadow_manifest_pins_what_the_project_resolved(checkout: Path, tmp_path: Path) -> None:
    graph, units, args = _resolved_project(checkout, WORKSPACE / "Cargo.toml", tmp_path)
    manifest, macro = _shadow_of("ws-macros", graph, units, tmp_path / "shadow")
    doc = tomllib.loads(manifest.read_text())
    assert doc["lib"] == {
        "name": "ws_macros",
        "path": str(WORKSPACE / "macros" / "src" / "lib.rs"),
        "proc-macro": False,
    }
    syn = doc["dependencies"]["syn"]
    assert syn["version"] == f"={_versions(graph)['syn']}" and syn["default-features"] is False
    # the features cargo resolved for syn in this build: the workspace's `full` and what
    # the other macros' requests added (unified), not only what ws-macros declares
    assert {"full", "derive", "parsing", "printing", "proc-macro"} <= set(syn["features"])
    assert syn["features"] == list(macro.features_of(next(pid for _, pid, _ in macro.deps if "#syn@" in pid)))
    assert doc["package"]["edition"] == "2021"
    shadow = read_graph(modules.cargo(), manifest, args, tmp_path)
    assert {p.name: p.version for p in shadow.packages.values()}["syn"] == _versions(graph)["syn"]


def test_shadow_of_pest_derive_resolves_only_what_the_project_used(checkout: Path, tmp_path: Path) -> None:
    """pest_derive declares a feature (`not-bootstrap-in-src`) whose optional dependency
    (`cargo`, through pest_meta) is not vendored: a shadow declaring every feature fails to
    resolve; one declaring what the project's build enabled resolves as the project did."""
    project = tmp_path / "uses_pest"
    (project / "src").mkdir(parents=True)
    (project / "Cargo.toml").write_text(
        '[package]\nname = "uses_pest"\nversion = "0.1.0"\nedition = "2021"\n\n'
        '[dependencies]\npest = "=2.8.5"\npest_derive = "=2.8.5"\n'
    )
    (project / "src" / "lib.rs").write_text("")
    cargo = modules.cargo()
    args = ["--offline", *vendor.cargo_source_args(checkout / "vendor")]
    locked = capture([cargo, "generate-lockfile", *args], cwd=project)
    assert locked.returncode == 0, locked.stderr
    graph, units, args = _resolved_project(checkout, project / "Cargo.toml", project)
    manifest, macro = _shadow_of("pest_derive", graph, units, tmp_path / "shadow")
    doc = tomllib.loads(manifest.read_text())
    assert doc["features"]["not-bootstrap-in-src"] == []  # declared, enabling nothing
    assert sorted(macro.features) == ["default", "std"]
    proc = capture([cargo, "metadata", "--format-version", "1", "--manifest-path", str(manifest), *args], cwd=project)
    assert proc.returncode == 0, proc.stderr
    resolved = {p["name"]: p["version"] for p in json.loads(proc.stdout)["packages"]}
    assert "cargo" not in resolved and resolved["pest_meta"] == "2.8.5"


def test_only_the_macros_the_build_uses_are_planned() -> None:
    """A unit graph lists the proc macros cargo compiles; metadata's other macros (other
    platforms, features nobody enabled) are not among them."""
    units = UnitGraph(
        [
            _unit("app", "lib", [1]),
            _unit("derive", "proc-macro", [2], features=["default"]),
            _unit("syn", "lib", [], features=["full", "parsing"]),
            _unit("derive", "proc-macro", [2], mode="test"),  # the macro crate's own tests
        ]
    )
    (macro,) = units.macros()
    assert macro.pkg_id == "derive" and macro.features == ("default",)
    assert macro.libraries == (("syn", ("full", "parsing")),)
    assert macro.deps == (("syn", "syn", ("full", "parsing")),)


def _unit(pkg: str, kind: str, deps: list[int], features: list[str] | None = None, mode: str = "build") -> dict:  # type: ignore[type-arg]
    return {
        "pkg_id": pkg,
        "target": {"kind": [kind], "crate_types": [kind], "name": pkg},
        "mode": mode,
        "features": features or [],
        "dependencies": [{"index": i, "extern_crate_name": ["app", "derive", "syn"][i]} for i in deps],
    }


def test_unit_graph_command_keeps_the_options_and_drops_what_follows_two_dashes() -> None:
    assert unit_graph_command(["test", "--release", "-p", "app", "--", "--nocapture"]) == [
        "test",
        "--release",
        "-p",
        "app",
        "--unit-graph",
        "-Zunstable-options",
    ]
    assert unit_graph_command(["clippy", "--all-targets"])[:2] == ["check", "--all-targets"]  # type: ignore[index]
    assert unit_graph_command(["tree"]) is None


def test_jobs_reach_the_module_builds() -> None:
    assert front._select(["build", "-j", "1", "--release"], front.MODULE_BUILD_FLAGS, ()) == ["-j", "1"]
    assert front._select(["build", "-j2"], front.MODULE_BUILD_FLAGS, ()) == ["-j2"]
    assert front._select(["build", "--jobs=3"], front.MODULE_BUILD_FLAGS, ()) == ["--jobs=3"]


def _versions(graph: Any) -> dict[str, str]:
    return {p.name: p.version for p in graph.packages.values()}


def test_commands_that_build_more_than_a_macros_library_keep_its_dependencies_native() -> None:
    from patcher.cargo.front import NativeDeps, native_deps_for

    assert native_deps_for(["build", "--release"]) is NativeDeps.NONE
    assert native_deps_for(["check", "-p", "app"]) is NativeDeps.NONE
    assert native_deps_for(["test"]) is NativeDeps.MEMBERS  # the workspace's macro crates have tests
    assert native_deps_for(["build", "--all-targets"]) is NativeDeps.MEMBERS
    assert native_deps_for(["doc"]) is NativeDeps.ALL  # rustdoc reads every crate of the graph
