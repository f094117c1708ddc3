"""rustc.wasm (under wasmtime) against the native build of the same patched compiler
(dist/native/) on the same small crates, for the wasm host's own target and with its std:
wall time, CPU time and peak memory, median of several runs. Goal: rustc.wasm at most 5x
native.

Two hosts, each benchmarked when it is installed:
- dist/wasm/ (wasm32-wasip1, one thread): results/bench-wasm-host.json. The native
  compiler spreads LLVM work over threads; this rustc.wasm runs everything on one.
- dist/wasm-threads/ (wasm32-wasip1-threads): results/bench-wasm-threads.json, with what
  threads buy inside the same rustc.wasm: its defaults (LLVM codegen units in parallel),
  `-Zno-parallel-backend` (the same codegen units, one at a time), `-Zthreads=2` (the
  parallel front end as well); and the single-threaded host's figures beside them,
  measured in the same run when dist/wasm is installed too.

Every configuration of a case gets the same command line besides those flags.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from patcher import process
from patcher.bench.expansion import DESCRIBE
from patcher.bench.option_expansion import big_struct_source
from patcher.build.install import Installed, installed
from patcher.cargo import modules
from patcher.paths import REPO_ROOT, dist_dir
from patcher.results import write_result
from patcher.suite.e2e import MacroFlags

BENCH_DIR = REPO_ROOT / "build" / "bench" / "wasm-host"
RESULT = "bench-wasm-host.json"  # in results/
THREADS_RESULT = "bench-wasm-threads.json"
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
    cpu_seconds: float


@dataclass(frozen=True)
class Side:
    """One configuration a case is compiled with: a compiler, its target and sysroot, flags."""

    name: str
    compiler: Installed
    target: str
    extra: tuple[str, ...] = ()

    def command(self, case: Case, out: Path) -> list[str]:
        return [str(self.compiler.rustc), "--target", self.target, *self.extra, *case.args(out)]


# What threads buy inside the threads host's rustc.wasm (besides its defaults).
THREADS_VARIANTS = (("serial_backend", ("-Zno-parallel-backend",)), ("front_end_threads2", ("-Zthreads=2",)))


def measure(cmd: list[str]) -> Run:
    """Wall time and peak resident memory of `cmd` and everything it starts (the
    launcher's wasmtime, for rustc.wasm)."""
    run = process.measure(cmd, env={"RUSTC_BOOTSTRAP": "1"})  # -Z flags on a compiler built from a stable source
    if run.returncode != 0:
        raise SystemExit(f"benchmark compile failed: {' '.join(cmd)}\n{run.stderr[-3000:]}")
    return Run(run.seconds, run.peak_mib, run.cpu_seconds)


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


def compare(case: Case, sides: list[Side], work: Path, runs: int) -> dict[str, object]:
    """Runs interleaved, so that machine noise hits every side alike. Each side's median
    seconds, CPU seconds and peak memory, and its time and memory against the first side's."""
    measured: dict[str, list[Run]] = {side.name: [] for side in sides}
    for _ in range(runs):
        for side in sides:
            out = work / side.name / case.name
            out.mkdir(parents=True, exist_ok=True)
            measured[side.name].append(measure(side.command(case, out)))
    row: dict[str, object] = {"case": case.name, "what": case.what}
    base = sides[0].name
    base_s = statistics.median(r.seconds for r in measured[base])
    base_peak = max(r.peak_mib for r in measured[base])
    for name, runs_ in measured.items():
        seconds, peak = statistics.median(r.seconds for r in runs_), max(r.peak_mib for r in runs_)
        row[f"{name}_s"] = round(seconds, 3)
        row[f"{name}_cpu_s"] = round(statistics.median(r.cpu_seconds for r in runs_), 3)
        row[f"{name}_peak_mib"] = round(peak, 1)
        row[f"{name}_all_s"] = [round(r.seconds, 3) for r in runs_]
        if name != base:
            row[f"{name}_time_ratio"] = round(seconds / base_s, 2)
            row[f"{name}_memory_ratio"] = round(peak / base_peak, 2)
    return row


def native_side(native: Installed, host: Installed, name: str = "native") -> Side:
    """The native compiler, for the wasm host's target with that host's std."""
    return Side(name, native, host.host, ("--sysroot", str(host.sysroot)))


def bench_host(
    host: Installed, sides: list[Side], checkout: Path, native: Installed, runs: int
) -> list[dict[str, object]]:
    work = BENCH_DIR / host.host
    work.mkdir(parents=True, exist_ok=True)
    describe = modules.build(DESCRIBE, native, checkout, wasm=True)
    rows = []
    for case in cases(work, host.option, describe, checkout):
        row = compare(case, sides, work, runs)
        rows.append(row)
        shown = ", ".join(f"{s.name} {row[f'{s.name}_s']} s / {row[f'{s.name}_peak_mib']} MiB" for s in sides)
        print(f"{case.name}: {shown}", flush=True)
    return rows


def _summary(host: Installed, runs: int) -> dict[str, object]:
    module = host.sysroot / "bin" / "rustc.wasm"
    return {
        "option": host.option,
        "target": host.host,
        "runs": runs,
        "goal": f"rustc.wasm at most {GOAL:g}x native",
        "rustc_wasm_bytes": module.stat().st_size,
        "rustc_cwasm_bytes": module.with_suffix(".cwasm").stat().st_size,
    }


def single_host(single: Installed, native: Installed, checkout: Path, runs: int) -> dict[str, object]:
    """dist/wasm against native, in the file's long-standing shape (native_s, wasm_s, time_ratio...)."""
    rows = bench_host(single, [native_side(native, single), Side("wasm", single, single.host)], checkout, native, runs)
    for row in rows:
        row["time_ratio"], row["memory_ratio"] = row.pop("wasm_time_ratio"), row.pop("wasm_memory_ratio")
    return {**_summary(single, runs), "cases": rows, "worst_time_ratio": max(float(str(r["time_ratio"])) for r in rows)}


def threads_host(
    threads: Installed, single: Installed | None, native: Installed, checkout: Path, runs: int
) -> dict[str, object]:
    """dist/wasm-threads against native, its own serial configurations, and dist/wasm when installed."""
    sides = [native_side(native, threads), Side("wasm_threads", threads, threads.host)]
    sides += [Side(f"wasm_threads_{name}", threads, threads.host, flags) for name, flags in THREADS_VARIANTS]
    if single is not None:
        sides.append(Side("wasm_single", single, single.host))
    rows = bench_host(threads, sides, checkout, native, runs)
    worst = max(float(str(r["wasm_threads_time_ratio"])) for r in rows)
    return {**_summary(threads, runs), "single_host": "measured" if single else "not installed", "cases": rows,
            "worst_time_ratio": worst}  # fmt: skip


def _write(name: str, result: dict[str, object]) -> None:
    print(f"wrote {write_result(name, result)}")


def _installed_host(name: str) -> Installed | None:
    dist = dist_dir(name)
    return installed(dist) if (dist / "bin" / "rustc").exists() else None


def main(checkout: Path, runs: int = RUNS) -> int:
    """`python -m patcher bench`: each installed rustc.wasm against the native compiler."""
    single, threads = _installed_host("wasm"), _installed_host("wasm-threads")
    native = _installed_host("native")
    if native is None or (single is None and threads is None):
        print(
            "skipping the wasm-host benchmark: it needs dist/native and dist/wasm or dist/wasm-threads "
            "(`nox -s build -- --host wasm [--threads]`)"
        )
        return 0
    for host in (h for h in (single, threads) if h is not None):
        if host.option != native.option:
            raise SystemExit(
                f"{host.sysroot} is option {host.option} but dist/native option {native.option}: build both alike"
            )
    if single is not None:
        _write(RESULT, single_host(single, native, checkout, runs))
    if threads is not None:
        _write(THREADS_RESULT, threads_host(threads, single, native, checkout, runs))
    return 0
