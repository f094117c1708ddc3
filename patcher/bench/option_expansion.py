"""The `Describe` derive (e2e/macros/describe) on a 1000-field struct, given to rustc
the way each integration option takes a module (flags of patcher/suite/e2e.py), native
and wasm in the same run: rustc's own `expand_crate` time (`-Ztime-passes`), median of
several runs. Used by the option comparison (compare.py) and the rustc.wasm benchmark;
the real-macro benchmark is expansion.py.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from patcher.bench.expansion import pass_seconds, timed_metadata_build
from patcher.bench.workloads import DESCRIBE_TRAIT
from patcher.build.install import Installed
from patcher.paths import REPO_ROOT
from patcher.process import capture
from patcher.suite.e2e import NATIVE, MacroFlags

BENCH_DIR = REPO_ROOT / "build" / "bench"
FIELDS = 1000
RUNS = 5


def big_struct_source(fields: int, by_path: bool) -> str:
    """A `#[derive(Describe)]` struct; `by_path` names the macro through its crate
    (options whose modules are crates, native), else through the prelude (option B)."""
    body = "".join(f"    field_{i}: u32,\n" for i in range(fields))
    derive = "describe::Describe" if by_path else "Describe"
    return f"{DESCRIBE_TRAIT}\n#[derive({derive})]\npub struct Big {{\n{body}}}\n"


def expand_seconds(compiler: Installed, source: Path, macro_args: list[str]) -> float:
    """rustc's `expand_crate` pass time for `source`, in seconds."""
    proc = capture([*timed_metadata_build(compiler, source), *macro_args], env={"RUSTC_BOOTSTRAP": "1"})
    if proc.returncode != 0:
        raise SystemExit(f"benchmark compile failed:\n{proc.stderr[-3000:]}")
    return pass_seconds(proc.stderr, "expand_crate")


def bench_expansion(compiler: Installed, wasm: Path, native: Path) -> dict[str, object]:
    native_source, wasm_source = BENCH_DIR / "big_struct_native.rs", BENCH_DIR / "big_struct_wasm.rs"
    native_source.write_text(big_struct_source(FIELDS, by_path=True))
    wasm_source.write_text(big_struct_source(FIELDS, by_path=MacroFlags(compiler.option).by_path))
    wasm_args = MacroFlags(compiler.option).args("describe", wasm)
    native_args = MacroFlags(NATIVE).args("describe", native)
    native_times, wasm_times = [], []
    for _ in range(RUNS):  # interleaved, so that machine noise hits both alike
        native_times.append(expand_seconds(compiler, native_source, native_args))
        wasm_times.append(expand_seconds(compiler, wasm_source, wasm_args))
    native_s, wasm_s = statistics.median(native_times), statistics.median(wasm_times)
    return {
        "fields": FIELDS,
        "runs": RUNS,
        "native_expand_s": native_s,
        "wasm_expand_s": wasm_s,
        "ratio_wasm_over_native": round(wasm_s / native_s, 2),
        "goal": "at most 5x",
        "native_all_s": native_times,
        "wasm_all_s": wasm_times,
    }
