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

from patcher.build.process import capture
from patcher.cargo import modules, wrapper
from patcher.cargo.cache import BuildImpossible, ModuleCache, module_key
from patcher.cargo.graph import parse_metadata, read_graph
from patcher.cargo.plan import Module, Plan
from patcher.paths import REPO_ROOT
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


def _run_wrapper(args: list[str], plan: Plan, pkg: Path, tmp_path: Path) -> Any:
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
    plan = Plan(False, ("lib", ".so"), stand_ins=[str(pkg.resolve())], labels={str(pkg.resolve()): "syn v2"})
    proc = _run_wrapper(args, plan, pkg, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "syn v2 is used only by proc macros" in (out / "libsyn-5b1e.rlib").read_text()
    assert (out / "libsyn-5b1e.rmeta").exists()
    artifacts = [json.loads(line) for line in proc.stderr.splitlines()]
    assert [a["emit"] for a in artifacts] == ["metadata", "link"]
    assert f"{pkg / 'src' / 'lib.rs'}:" in (out / "syn-5b1e.d").read_text().splitlines()


def test_wrapper_puts_the_module_where_cargo_expects_the_proc_macro(tmp_path: Path) -> None:
    import hashlib

    pkg = tmp_path / "derive"
    pkg.mkdir()
    module = tmp_path / "module.wasm"
    module.write_bytes(WASM)
    out = tmp_path / "deps"
    out.mkdir()
    args = ["--crate-name", "derive", "--crate-type", "proc-macro", "--emit=dep-info,link", "--cfg", 'feature="a"']
    args += ["-C", "extra-filename=-77", "--out-dir", str(out)]
    sha = hashlib.sha256(WASM).hexdigest()
    plan = Plan(False, ("lib", ".so"), modules={str(pkg.resolve()): [Module(["a"], str(module), sha)]})
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


def test_shadow_manifest_keeps_the_resolved_dependencies(checkout: Path, tmp_path: Path) -> None:
    vendor_dir = checkout / "vendor"
    cargo = modules.cargo()
    args = ["--offline", *vendor.cargo_source_args(vendor_dir)]
    graph = read_graph(cargo, WORKSPACE / "Cargo.toml", args, tmp_path)
    macro = next(p for p in graph.proc_macros() if p.name == "ws-macros")
    manifest = modules.write_shadow(macro.meta, tmp_path / "shadow", WORKSPACE / "Cargo.lock")
    doc = tomllib.loads(manifest.read_text())
    assert doc["lib"] == {
        "name": "ws_macros",
        "path": str(WORKSPACE / "macros" / "src" / "lib.rs"),
        "proc-macro": False,
    }
    assert doc["dependencies"]["syn"]["features"] == ["full"]  # inherited from the workspace
    assert doc["package"]["edition"] == "2021"
    shadow = read_graph(cargo, manifest, args, tmp_path)
    # the project's Cargo.lock chose the versions
    assert {p.name: p.version for p in shadow.packages.values()}["syn"] == _versions(graph)["syn"]


def _versions(graph: Any) -> dict[str, str]:
    return {p.name: p.version for p in graph.packages.values()}


def test_commands_that_build_more_than_a_macros_library_keep_its_dependencies_native() -> None:
    from patcher.cargo.front import native_deps_for

    assert native_deps_for(["build", "--release"]) == "none"
    assert native_deps_for(["check", "-p", "app"]) == "none"
    assert native_deps_for(["test"]) == "members"  # the workspace's macro crates have tests
    assert native_deps_for(["build", "--all-targets"]) == "members"
    assert native_deps_for(["doc"]) == "all"  # rustdoc reads every crate of the graph
