"""The cargo route's benchmark (writes results/bench-cargo.json): e2e/workspace built
from scratch natively (the patched rustc, native proc macros: cargo compiles syn and
every macro), with `cargo wasm` and an empty module cache, and with `cargo wasm` and a
warm cache (no macro and no syn compiled); then an incremental rebuild after an edit of
the binary's source, native and wasm. Rounds are interleaved; medians are reported.

Goals: warm-cache wasm at least 2x faster than native; incremental wasm not slower.
"""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

from patcher.build.install import Installed, installed
from patcher.cargo.cache import CACHE_ENV
from patcher.errors import PatcherError
from patcher.paths import REPO_ROOT
from patcher.process import capture
from patcher.results import write_result
from patcher.suite.cargo_workspace import cargo_command, copy_project

BENCH_DIR = REPO_ROOT / "build" / "bench" / "cargo"
RESULT = "bench-cargo.json"  # in results/
ROUNDS = 3
EDITED = Path("app") / "src" / "main.rs"


class CargoBench:
    def __init__(self, compiler: Installed, checkout: Path):
        self.compiler = compiler
        self.project = copy_project(BENCH_DIR / "project", checkout / "vendor")
        self.warm_cache = BENCH_DIR / "cache-warm"

    def build(self, route: str, cache: Path | None = None, clean: bool = True) -> float:
        target = BENCH_DIR / f"target-{route}"
        if clean:
            shutil.rmtree(target, ignore_errors=True)
        cmd, env, unset = cargo_command(self.compiler, route, ["build"], target)
        if cache is not None:
            env[CACHE_ENV] = str(cache)
        start = time.perf_counter()
        proc = capture(cmd, cwd=self.project, env=env, unset=unset)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise PatcherError(f"benchmark build ({route}) failed:\n{proc.stderr[-3000:]}")
        return seconds

    def edit(self, round_: int) -> None:
        """A one-line change to the binary's source, different in every round."""
        path = self.project / EDITED
        text = path.read_text().split("\n// bench edit")[0]
        path.write_text(f"{text}\n// bench edit {round_} {time.time_ns()}\n")


def main(checkout: Path, dist: Path, rounds: int = ROUNDS) -> int:
    try:
        compiler = installed(dist)
    except PatcherError as err:
        print(f"cargo benchmark skipped: {err}")
        return 0
    bench = CargoBench(compiler, checkout)
    shutil.rmtree(bench.warm_cache, ignore_errors=True)
    bench.build("wasm", bench.warm_cache)  # fills the warm cache
    runs: dict[str, list[float]] = {k: [] for k in ("native", "wasm_cold", "wasm_warm", "native_incr", "wasm_incr")}
    for round_ in range(rounds):
        cold = BENCH_DIR / "cache-cold"
        shutil.rmtree(cold, ignore_errors=True)
        runs["native"].append(bench.build("native"))
        runs["wasm_cold"].append(bench.build("wasm", cold))
        runs["wasm_warm"].append(bench.build("wasm", bench.warm_cache))
        bench.edit(round_)
        runs["native_incr"].append(bench.build("native", clean=False))
        runs["wasm_incr"].append(bench.build("wasm", bench.warm_cache, clean=False))
        print(f"round {round_ + 1}/{rounds}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in runs.items()), flush=True)
    median = {k: round(statistics.median(v), 2) for k, v in runs.items()}
    result = {
        "workspace": "e2e/workspace (serde+serde_json, thiserror, clap derive, tracing, a local proc macro)",
        "compiler": str(compiler.sysroot),
        "rounds": rounds,
        "median_seconds": median,
        "runs_seconds": {k: [round(s, 2) for s in v] for k, v in runs.items()},
        "speedup_warm": round(median["native"] / median["wasm_warm"], 2),
        "speedup_cold": round(median["native"] / median["wasm_cold"], 2),
        "incremental_ratio": round(median["wasm_incr"] / median["native_incr"], 2),
        "goals": {"warm_at_least_2x_faster": median["native"] >= 2 * median["wasm_warm"]},
    }
    out = write_result(RESULT, result)
    print(f"cargo route: {result['median_seconds']}; warm speed-up {result['speedup_warm']}x; written to {out}")
    return 0
