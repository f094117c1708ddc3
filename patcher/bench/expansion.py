"""Benchmarks of wasm proc macros against native ones, with the patched compiler in
dist/native/ (writes results/bench-expansion.json):

- expansion: the syn-based `Describe` derive (e2e/macros/describe) on a 1000-field
  struct, native and wasm in the same run; rustc's own `expand_crate` time
  (`-Ztime-passes`), median of several runs. Goal: wasm at most 5x native.
- clean build: a small cargo crate using that derive, built from scratch with the
  native macro (cargo compiles proc-macro2, quote, syn and the macro first) and with
  the precompiled wasm module. Goal: wasm faster.
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import time
from pathlib import Path

from patcher.build.install import Installed, installed
from patcher.build.process import capture
from patcher.cargo import modules
from patcher.paths import REPO_ROOT
from patcher.provision import vendor
from patcher.suite.e2e import NATIVE, MacroFlags

BENCH_DIR = REPO_ROOT / "build" / "bench"
RESULT = REPO_ROOT / "results" / "bench-expansion.json"
DESCRIBE = REPO_ROOT / "e2e" / "macros" / "describe"
FIELDS = 1000
RUNS = 5

TRAIT = "pub trait Describe {\n    fn describe(&self) -> String;\n}\n"


def big_struct_source(fields: int, by_path: bool) -> str:
    """A `#[derive(Describe)]` struct; `by_path` names the macro through its crate
    (options whose modules are crates, native), else through the prelude (option B)."""
    body = "".join(f"    field_{i}: u32,\n" for i in range(fields))
    derive = "describe::Describe" if by_path else "Describe"
    return f"{TRAIT}\n#[derive({derive})]\npub struct Big {{\n{body}}}\n"


def expand_seconds(compiler: Installed, source: Path, macro_args: list[str]) -> float:
    """rustc's `expand_crate` pass time for `source`, in seconds."""
    cmd = [str(compiler.rustc), "--edition", "2021", "--crate-type", "lib", "-Ztime-passes", "--emit", "metadata"]
    cmd += ["-o", str(source.with_suffix(".rmeta")), str(source), *macro_args]
    proc = capture(cmd, env={"RUSTC_BOOTSTRAP": "1"})
    if proc.returncode != 0:
        raise SystemExit(f"benchmark compile failed:\n{proc.stderr[-3000:]}")
    m = re.search(r"time:\s+([0-9.]+);[^\n]*\sexpand_crate$", proc.stderr, re.MULTILINE)
    if not m:
        raise SystemExit(f"no expand_crate timing in -Ztime-passes output:\n{proc.stderr[-2000:]}")
    return float(m.group(1))


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


def _cargo_project(root: Path, with_dependency: bool) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    (root / "src").mkdir(parents=True)
    deps = f'describe = {{ path = "{DESCRIBE}" }}\n' if with_dependency else ""
    (root / "Cargo.toml").write_text(
        f'[package]\nname = "uses_describe"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n{deps}'
        "\n[workspace]\n"
    )
    main = "\n".join(
        [
            "#[cfg(not(wasm_option_b))]",
            "use describe::Describe;",
            TRAIT,
            "#[derive(Describe)]",
            "struct Point { x: i32, y: i32 }",
            "",
            'fn main() {\n    println!("{}", Point { x: 1, y: 2 }.describe());\n}',
            "",
        ]
    )
    (root / "src" / "main.rs").write_text(main)
    return root


def clean_build_seconds(compiler: Installed, project: Path, rustflags: str, checkout: Path) -> float:
    vendor_args = vendor.cargo_source_args(checkout / "vendor")
    env = {"RUSTC": str(compiler.rustc), "RUSTFLAGS": rustflags, "CARGO_TARGET_DIR": str(project / "t")}
    shutil.rmtree(project / "t", ignore_errors=True)
    start = time.perf_counter()
    cmd = [modules.cargo(), "build", "--release", "--offline", "--manifest-path", str(project / "Cargo.toml")]
    proc = capture([*cmd, *vendor_args], env=env)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"cargo build of {project} failed:\n{proc.stderr[-3000:]}")
    return seconds


def bench_clean_build(compiler: Installed, wasm: Path, checkout: Path) -> dict[str, object]:
    native_project = _cargo_project(BENCH_DIR / "native_project", with_dependency=True)
    wasm_project = _cargo_project(BENCH_DIR / "wasm_project", with_dependency=False)
    flag = MacroFlags(compiler.option).cargo_flags("describe", wasm)
    native_s = clean_build_seconds(compiler, native_project, "", checkout)
    wasm_s = clean_build_seconds(compiler, wasm_project, flag, checkout)
    return {
        "native_clean_build_s": round(native_s, 2),
        "wasm_clean_build_s": round(wasm_s, 2),
        "speedup_native_over_wasm": round(native_s / wasm_s, 2),
        "goal": "wasm faster",
    }


def main(checkout: Path, dist: Path) -> int:
    """`python -m patcher bench`: expansion and clean builds, with the compiler at `dist`."""
    if not (dist / "bin" / "rustc").exists():
        print(f"skipping expansion benchmarks: no compiler at {dist} (run `nox -s build`)")
        return 0
    compiler = installed(dist)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    wasm = modules.build(DESCRIBE, compiler, checkout, wasm=True)
    native = modules.build(DESCRIBE, compiler, checkout, wasm=False)
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "option": compiler.option,
        "macro": "e2e/macros/describe (syn 2 + quote)",
        "wasm_module_bytes": wasm.stat().st_size,
        "expansion": bench_expansion(compiler, wasm, native),
        "clean_build": bench_clean_build(compiler, wasm, checkout),
    }
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0
