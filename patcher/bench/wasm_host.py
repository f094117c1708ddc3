"""rustc.wasm (dist/wasm/, under wasmtime) against the native build of the same patched
compiler (dist/native/) on the same small crates, for the same target (wasm32-wasip1,
with dist/wasm's std): wall time and peak memory, median of several runs, written to
results/bench-wasm-host.json. Goal: rustc.wasm at most 5x native.

Both compilers get the same command line. The native one spreads LLVM work over threads;
rustc.wasm runs everything on one (wasm32-wasip1 has none), which is part of the figure.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from patcher.bench.expansion import DESCRIBE
from patcher.bench.option_expansion import big_struct_source
from patcher.build import process
from patcher.build.install import Installed, dist_dir, installed
from patcher.cargo import modules
from patcher.paths import REPO_ROOT
from patcher.suite.e2e import MacroFlags

BENCH_DIR = REPO_ROOT / "build" / "bench" / "wasm-host"
RESULT = REPO_ROOT / "results" / "bench-wasm-host.json"
TARGET = "wasm32-wasip1"
RUNS = 3
GOAL = 5.0
# regex-syntax's default features, spelled out (no cargo here)
REGEX_SYNTAX_FEATURES = ["std", "unicode", "unicode-age", "unicode-bool", "unicode-case", "unicode-gencat"]
REGEX_SYNTAX_FEATURES += ["unicode-perl", "unicode-script", "unicode-segment"]


@dataclass(frozen=True)
class Case:
    """One compile: `args` after the compiler, given the directory it writes into."""

    name: str
    what: str
    args: Callable[[Path], list[str]]


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mib: float


def measure(cmd: list[str]) -> Run:
    """Wall time and peak resident memory of `cmd` and everything it starts (the
    launcher's wasmtime, for rustc.wasm)."""
    run = process.measure(cmd, env={"RUSTC_BOOTSTRAP": "1"})  # -Z flags on a compiler built from a stable source
    if run.returncode != 0:
        raise SystemExit(f"benchmark compile failed: {' '.join(cmd)}\n{run.stderr[-3000:]}")
    return Run(run.seconds, run.peak_mib)


def cases(work: Path, option: str, describe_wasm: Path, checkout: Path) -> list[Case]:
    hello = work / "hello.rs"
    hello.write_text('fn main() {\n    println!("Hello from rustc.wasm");\n}\n')
    big = work / "big_struct.rs"
    big.write_text(big_struct_source(1000, by_path=MacroFlags(option).by_path))
    regex_syntax = next((checkout / "vendor").glob("regex-syntax-0.8.*")) / "src" / "lib.rs"
    features = [arg for name in REGEX_SYNTAX_FEATURES for arg in ("--cfg", f'feature="{name}"')]
    lib = ["--crate-type", "lib", "--edition", "2021", "--cap-lints", "allow"]
    return [
        Case(
            "hello",
            "hello world, compiled without linking (-Zno-link)",
            lambda out: [str(hello), "-Zno-link", "-o", str(out / "hello")],
        ),
        Case(
            "describe_1000",
            "a 1000-field struct deriving the syn-based Describe, from its wasm module",
            lambda out: [*lib, str(big), "--out-dir", str(out), *MacroFlags(option).args("describe", describe_wasm)],
        ),
        Case(
            "regex_syntax",
            "regex-syntax 0.8 (vendored, ~50k lines with its Unicode tables), debug",
            lambda out: [*lib, "--crate-name", "regex_syntax", str(regex_syntax), *features, "--out-dir", str(out)],
        ),
        Case(
            "regex_syntax_opt",
            "regex-syntax 0.8, -Copt-level=2",
            lambda out: [
                *lib,
                "--crate-name",
                "regex_syntax",
                str(regex_syntax),
                *features,
                "-Copt-level=2",
                "--out-dir",
                str(out),
            ],
        ),
    ]


def compare(case: Case, native: Installed, wasm: Installed, work: Path, runs: int) -> dict[str, object]:
    """Runs interleaved, so that machine noise hits both alike."""
    sides = {"native": (native, ["--sysroot", str(wasm.sysroot)]), "wasm": (wasm, [])}
    measured: dict[str, list[Run]] = {side: [] for side in sides}
    for _ in range(runs):
        for side, (compiler, sysroot) in sides.items():
            out = work / side / case.name
            out.mkdir(parents=True, exist_ok=True)
            measured[side].append(measure([str(compiler.rustc), "--target", TARGET, *sysroot, *case.args(out)]))
    seconds = {side: statistics.median(r.seconds for r in runs_) for side, runs_ in measured.items()}
    peak = {side: max(r.peak_mib for r in runs_) for side, runs_ in measured.items()}
    return {
        "case": case.name,
        "what": case.what,
        "native_s": round(seconds["native"], 3),
        "wasm_s": round(seconds["wasm"], 3),
        "time_ratio": round(seconds["wasm"] / seconds["native"], 2),
        "native_peak_mib": round(peak["native"], 1),
        "wasm_peak_mib": round(peak["wasm"], 1),
        "memory_ratio": round(peak["wasm"] / peak["native"], 2),
        "native_all_s": [round(r.seconds, 3) for r in measured["native"]],
        "wasm_all_s": [round(r.seconds, 3) for r in measured["wasm"]],
    }


def main(checkout: Path, runs: int = RUNS) -> int:
    """`python -m patcher bench`: rustc.wasm against the native compiler, when both are built."""
    wasm_dist, native_dist = dist_dir("wasm"), dist_dir("native")
    if not (wasm_dist / "bin" / "rustc").exists() or not (native_dist / "bin" / "rustc").exists():
        print("skipping the wasm-host benchmark: it needs dist/wasm and dist/native (`nox -s build -- --host wasm`)")
        return 0
    wasm, native = installed(wasm_dist), installed(native_dist)
    if wasm.option != native.option:
        raise SystemExit(f"dist/wasm is option {wasm.option} but dist/native option {native.option}: build both alike")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    describe = modules.build(DESCRIBE, native, checkout, wasm=True)
    rows, ratios = [], []
    for case in cases(BENCH_DIR, wasm.option, describe, checkout):
        row = compare(case, native, wasm, BENCH_DIR, runs)
        rows.append(row)
        ratios.append(float(str(row["time_ratio"])))
        print(
            f"{case.name}: native {row['native_s']} s, rustc.wasm {row['wasm_s']} s ({row['time_ratio']}x);"
            f" peak {row['native_peak_mib']} / {row['wasm_peak_mib']} MiB",
            flush=True,
        )
    module = wasm_dist / "bin" / "rustc.wasm"
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "option": wasm.option,
        "target": TARGET,
        "runs": runs,
        "goal": f"rustc.wasm at most {GOAL:g}x native",
        "rustc_wasm_bytes": module.stat().st_size,
        "rustc_cwasm_bytes": module.with_suffix(".cwasm").stat().st_size,
        "cases": rows,
        "worst_time_ratio": max(ratios),
    }
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULT}")
    return 0
