"""Expansion speed of real proc macros, wasm against native, with the patched compiler
in dist/native/ (writes results/bench-expansion.json):

- expansion: each workload of patcher/bench/workloads.py (serde_derive, clap_derive,
  thiserror-impl from the rustc checkout's vendor/, and the project's `describe`),
  compiled with `--emit=metadata -Ztime-passes` against the same dependencies built
  three ways: macros native as cargo builds them (its dev and release profiles both
  compile proc macros unoptimised), native optimised (opt-level 3, the floor), and
  wasm modules through `cargo wasm`, run by wasmtime with its compiled-code cache warm,
  by wasmtime with an empty cache (each module compiled by Cranelift first: the cold
  start), and by wasmi. Reported per workload: rustc's `expand_crate` time, the whole
  compile, and peak memory; medians of interleaved rounds.
  Goal: wasmtime's warm `expand_crate` at most cargo's default native macro's, and at
  most 1.5x the optimised one's.
- clean builds: a crate holding the serde workload, and a small binary using
  `describe`, built from scratch natively (cargo compiles syn and the macro first) and
  through `cargo wasm` with the modules already in the cache.
"""

from __future__ import annotations

import re
import shutil
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patcher.bench import workloads
from patcher.build.install import Installed, installed
from patcher.cargo.cache import CACHE_ENV
from patcher.environment import COMPILED_CACHE_ENV, ENGINE_ENV
from patcher.errors import PatcherError
from patcher.paths import REPO_ROOT, work_dir
from patcher.process import capture, measure
from patcher.results import write_result
from patcher.suite.cargo_workspace import cargo_command, write_vendored_config

BENCH_DIR = work_dir("bench") / "expansion"
RESULT = "bench-expansion.json"  # in results/
DESCRIBE = REPO_ROOT / "e2e" / "macros" / "describe"
ROUNDS = 3
GOAL_OVER_NATIVE = 1.0  # wasmtime, warm: expand_crate over cargo's default native macro, at most
GOAL_OVER_OPTIMISED = 1.5  # ... and over the optimised native macro

# The crates the workloads use; their macros are what is measured.
SERDE_DEP = 'serde = { version = "1.0.228", features = ["derive"] }\n'
DESCRIBE_DEP = f'describe = {{ path = "{DESCRIBE}" }}\n'
DEPENDENCIES = (
    SERDE_DEP + 'thiserror = "2.0.18"\nclap = { version = "=4.5.54", features = ["derive", "env"] }\n' + DESCRIBE_DEP
)
EXTERNS = ("serde", "thiserror", "clap", "describe")


@dataclass(frozen=True)
class CompileRoute:
    """One way of running the macros: how the dependencies are built (a cargo route and
    profile overrides; routes with the same `deps` share a build), and the engine the
    workload's compile asks for."""

    name: str
    cargo_route: str  # "native" or "wasm" (cargo_command)
    env: dict[str, str]
    deps: str  # the dependency build this route uses
    engine: str | None = None  # RUSTC_WASM_PROC_MACRO_ENGINE for the compile
    cold: bool = False  # an empty compiled-code cache for every compile


WARM_WASMTIME = CompileRoute("wasmtime", "wasm", {}, "wasm", engine="wasmtime")  # the default engine, its cache warm
ROUTES = (
    CompileRoute("native", "native", {}, "native"),
    CompileRoute("native_optimised", "native", {"CARGO_PROFILE_DEV_BUILD_OVERRIDE_OPT_LEVEL": "3"}, "native_optimised"),
    WARM_WASMTIME,
    CompileRoute("wasmtime_cold", "wasm", {}, "wasm", engine="wasmtime", cold=True),
    CompileRoute("wasmi", "wasm", {}, "wasm", engine="wasmi"),
)


def write_project(root: Path, name: str, lib: str, main: str | None = None, deps: str = DEPENDENCIES) -> Path:
    """A cargo package at `root` depending on `deps` (registry crates come from the
    checkout's vendor/: BENCH_DIR's `.cargo/config.toml`, as a user's offline set-up)."""
    shutil.rmtree(root, ignore_errors=True)
    (root / "src").mkdir(parents=True)
    (root / "Cargo.toml").write_text(
        f'[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n{deps}\n[workspace]\n'
    )
    (root / "src" / "lib.rs").write_text(lib)
    if main is not None:
        (root / "src" / "main.rs").write_text(main)
    return root


class ExpansionBench:
    def __init__(self, compiler: Installed, checkout: Path):
        self.compiler = compiler
        self.cache = BENCH_DIR / "module-cache"  # kept between runs; keyed by compiler build
        write_vendored_config(BENCH_DIR, checkout / "vendor")

    def compiled_cache(self, route: CompileRoute) -> Path:
        """wasmtime's compiled-code cache for `route`: shared and warm, or emptied (cold)."""
        if not route.cold:
            return BENCH_DIR / "compiled-cache"
        cold = BENCH_DIR / "compiled-cache-cold"
        shutil.rmtree(cold, ignore_errors=True)
        return cold

    def cargo(self, route: CompileRoute, project: Path, target: Path, args: list[str]) -> float:
        cmd, env, unset = cargo_command(self.compiler, route.cargo_route, args, target)
        env |= {CACHE_ENV: str(self.cache), **route.env}
        start = time.perf_counter()
        proc = capture(cmd, cwd=project, env=env, unset=unset)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise PatcherError(f"cargo {' '.join(args)} in {project} ({route.name}) failed:\n{proc.stderr[-3000:]}")
        return seconds

    def dependencies(self, project: Path, route: CompileRoute) -> Path:
        """`project`'s dependencies built by `route`; returns their deps/ directory."""
        target = BENCH_DIR / f"target-{route.deps}"
        self.cargo(route, project, target, ["build"])
        return target / "debug" / "deps"

    def expand(self, workload: workloads.Workload, deps: Path, route: CompileRoute) -> dict[str, float]:
        """One compile of the workload against `deps`: expand_crate, total, peak."""
        source = BENCH_DIR / f"{workload.name}.rs"
        cmd = [*timed_metadata_build(self.compiler, source), "-L", f"dependency={deps}"]
        for name in EXTERNS:
            cmd += ["--extern", f"{name}={artifact(deps, name)}"]
        env = {"RUSTC_BOOTSTRAP": "1", COMPILED_CACHE_ENV: str(self.compiled_cache(route))}
        if route.engine:
            env[ENGINE_ENV] = route.engine
        run = measure(cmd, env=env)
        if run.returncode != 0:
            raise PatcherError(f"benchmark compile of {source} failed:\n{run.stderr[-3000:]}")
        return {"expand_s": pass_seconds(run.stderr, "expand_crate"), "total_s": run.seconds, "peak_mib": run.peak_mib}


def timed_metadata_build(compiler: Installed, source: Path) -> list[str]:
    """rustc checking the library `source` (`--emit=metadata`, next to it) with its
    passes timed (`-Ztime-passes`: needs RUSTC_BOOTSTRAP=1)."""
    cmd = [str(compiler.rustc), "--edition", "2021", "--crate-type", "lib", "-Ztime-passes", "--emit", "metadata"]
    return [*cmd, "-o", str(source.with_suffix(".rmeta")), str(source)]


def artifact(deps: Path, crate: str) -> Path:
    """The library cargo built for `crate` (rlib, or proc macro: native or module)."""
    found = sorted(deps.glob(f"lib{crate}-*.rlib")) or sorted(deps.glob(f"lib{crate}-*.so"))
    if len(found) != 1:
        raise PatcherError(f"expected one library for {crate} in {deps}, found {[p.name for p in found]}")
    return found[0]


def pass_seconds(time_passes: str, name: str) -> float:
    m = re.search(rf"time:\s+([0-9.]+);[^\n]*\s{name}$", time_passes, re.MULTILINE)
    if not m:
        raise PatcherError(f"no {name} timing in -Ztime-passes output:\n{time_passes[-2000:]}")
    return float(m.group(1))


def bench_expansion(bench: ExpansionBench, rounds: int) -> dict[str, object]:
    project = write_project(BENCH_DIR / "deps", "bench_deps", "")
    deps = {route.deps: bench.dependencies(project, route) for route in ROUTES}
    chosen = workloads.all_workloads()
    for workload in chosen:
        (BENCH_DIR / f"{workload.name}.rs").write_text(workload.source)
        bench.expand(workload, deps["wasm"], WARM_WASMTIME)  # fills wasmtime's compiled-code cache
    runs: dict[tuple[str, str], list[dict[str, float]]] = {}
    for round_ in range(rounds):  # interleaved: machine noise hits every route alike
        for workload in chosen:
            for route in ROUTES:
                measured = bench.expand(workload, deps[route.deps], route)
                runs.setdefault((workload.name, route.name), []).append(measured)
                print(f"round {round_ + 1}/{rounds} {workload.name} {route.name}: {measured}", flush=True)
    result: dict[str, object] = {}
    for workload in chosen:
        rows = {route.name: summary(runs[(workload.name, route.name)]) for route in ROUTES}
        expand = {name: float(row["expand_s"]) for name, row in rows.items()}
        wasm, floor, cargo_default = expand["wasmtime"], expand["native_optimised"], expand["native"]
        result[workload.name] = {
            "macro": workload.macro_crate,
            "input": workload.description,
            **rows,
            "expand_ratio_wasmtime_over_native": round(wasm / cargo_default, 2),
            "expand_ratio_wasmtime_over_native_optimised": round(wasm / floor, 2),
            "expand_ratio_wasmi_over_native_optimised": round(expand["wasmi"] / floor, 2),
            "cold_start_s": round(expand["wasmtime_cold"] - wasm, 3),
            "goal_met": wasm <= GOAL_OVER_NATIVE * cargo_default and wasm <= GOAL_OVER_OPTIMISED * floor,
        }
    return result


def summary(runs: list[dict[str, float]]) -> dict[str, Any]:
    """Medians of each measure, and every expand_crate time."""
    medians = {k: round(statistics.median(r[k] for r in runs), 3) for k in ("expand_s", "total_s", "peak_mib")}
    return {**medians, "expand_all_s": [round(r["expand_s"], 3) for r in runs]}


def bench_clean_builds(bench: ExpansionBench) -> dict[str, object]:
    """Clean builds of a serde-heavy library and of a small binary using `describe`."""
    serde = workloads.serde()
    describe_main = (
        f"use describe::Describe;\n{workloads.DESCRIBE_TRAIT}\n#[derive(Describe)]\n"
        'struct Point { x: i32, y: i32 }\n\nfn main() {\n    println!("{}", Point { x: 1, y: 2 }.describe());\n}\n'
    )
    projects = {
        "serde_workload_lib": write_project(BENCH_DIR / "clean-serde", "serde_workload", serde.source, deps=SERDE_DEP),
        "describe_bin": write_project(BENCH_DIR / "clean-describe", "uses_describe", "", describe_main, DESCRIBE_DEP),
    }
    result: dict[str, object] = {}
    for name, project in projects.items():
        seconds = {}
        for route in (r for r in ROUTES if r.name in ("native", "wasmtime")):  # cargo's native build, cargo wasm
            target = BENCH_DIR / f"clean-target-{route.name}"
            shutil.rmtree(target, ignore_errors=True)
            seconds[route.cargo_route] = round(bench.cargo(route, project, target, ["build"]), 2)
        result[name] = {
            "native_clean_build_s": seconds["native"],
            "wasm_clean_build_s": seconds["wasm"],
            "speedup_wasm_over_native": round(seconds["native"] / seconds["wasm"], 2),
        }
    return result


def main(checkout: Path, dist: Path, rounds: int = ROUNDS) -> int:
    """`python -m patcher bench --only expansion`."""
    try:
        compiler = installed(dist)
    except PatcherError as err:
        print(f"skipping expansion benchmarks: {err}")
        return 0
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    bench = ExpansionBench(compiler, checkout)
    result = {
        "compiler": str(compiler.sysroot),
        "rounds": rounds,
        "goal": (
            f"wasmtime's expand_crate (cache warm) at most {GOAL_OVER_NATIVE}x cargo's default native macro "
            f"and at most {GOAL_OVER_OPTIMISED}x the optimised native macro"
        ),
        "expansion": bench_expansion(bench, rounds),
        "clean_build": bench_clean_builds(bench),
    }
    out = write_result(RESULT, result)
    print(out.read_text())
    return 0
