"""Every environment variable the project reads or sets, in one table: the name, who
reads it, and what it means. Code imports the names from here; docs/environment.md is
generated from `VARIABLES` (`python -m patcher export`), and a test keeps both honest."""

from __future__ import annotations

from dataclasses import dataclass

TOOL = "the tool"  # python -m patcher and the nox sessions
CARGO_WASM = "cargo wasm"
COMPILER = "the patched compiler"
LAUNCHER = "rustc.wasm's launcher"


@dataclass(frozen=True)
class Variable:
    name: str
    reader: str  # who reads it
    meaning: str


# -- where the tool keeps things ------------------------------------------------------------
CHECKOUT_ENV = "RUSTC_WASM_CHECKOUT"
CACHE_ENV = "RUSTC_WASM_CACHE"
RESULTS_ENV = "RUSTC_WASM_RESULTS"
HOST_BUILD_ENV = "RUSTC_WASM_HOST_BUILD"
VENDOR_ENV = "RUSTC_WASM_VENDOR"
CRASH_AFTER_ENV = "RUSTC_WASM_PATCHER_CRASH_AFTER"
# -- cargo wasm --------------------------------------------------------------------------------
STRICT_ENV = "RUSTC_WASM_STRICT"
KEEP_NATIVE_ENV = "RUSTC_WASM_KEEP_NATIVE"
DIST_ENV = "RUSTC_WASM_DIST"
MODULE_CACHE_ENV = "RUSTC_WASM_MODULE_CACHE"
GUEST_TARGET_ENV = "RUSTC_WASM_GUEST_TARGET"
PLAN_ENV = "RUSTC_WASM_PLAN"
USER_WRAPPER_ENV = "RUSTC_WASM_USER_WRAPPER"
# -- the patched compiler ------------------------------------------------------------------------
ENGINE_ENV = "RUSTC_WASM_PROC_MACRO_ENGINE"
WASMTIME_LIBRARY_ENV = "RUSTC_WASM_WASMTIME_LIB"
COMPILED_CACHE_ENV = "RUSTC_WASM_COMPILED_CACHE"
FUEL_ENV = "RUSTC_WASM_PROC_MACRO_FUEL"
MEMORY_ENV = "RUSTC_WASM_PROC_MACRO_MEMORY_MIB"
WASM_ONLY_ENV = "RUSTC_PROC_MACRO_WASM_ONLY"
COMPILETEST_ENV = "COMPILETEST_WASM_PROC_MACROS"
# -- rustc.wasm's launcher ---------------------------------------------------------------------
DIRS_ENV = "RUSTC_WASM_DIRS"
TRAP_ENV = "RUSTC_WASM_TRAP"

VARIABLES: tuple[Variable, ...] = (
    Variable(CHECKOUT_ENV, TOOL, "the rustc checkout (default `rust-checkout/`; other versions get `-<version>`)"),
    Variable(CACHE_ENV, TOOL, "downloads, module and compiled-code caches (default `~/.cache/rustc-wasm-proc-macros`)"),
    Variable(RESULTS_ENV, TOOL, "where commands write results (default `results/`; the slow tests use a scratch one)"),
    Variable(HOST_BUILD_ENV, TOOL, "the wasm-host build's directory (default `build/wasm-host/`)"),
    Variable(VENDOR_ENV, TOOL, "sources the registries lack (default `../shared/vendor`)"),
    Variable(CRASH_AFTER_ENV, TOOL, "test hook: the patcher exits after this many files, to prove recovery"),
    Variable(STRICT_ENV, CARGO_WASM, "`1`: as `--strict` (no macro may stay native)"),
    Variable(KEEP_NATIVE_ENV, CARGO_WASM, "comma-separated crate names: as `--keep-native`"),
    Variable(DIST_ENV, CARGO_WASM, "the installed patched compiler (default `dist/native/`)"),
    Variable(MODULE_CACHE_ENV, CARGO_WASM, "the module cache (default `$RUSTC_WASM_CACHE/modules`)"),
    Variable(GUEST_TARGET_ENV, CARGO_WASM, "build modules for this target instead of `wasm32-procmacro`"),
    Variable(PLAN_ENV, CARGO_WASM, "set by cargo wasm for its rustc wrapper: the plan of the run"),
    Variable(
        USER_WRAPPER_ENV,
        CARGO_WASM,
        "set by cargo wasm: the user's rustc wrapper (sccache), which its own calls",
    ),
    Variable(ENGINE_ENV, COMPILER, "`wasmtime`, `wasmi` or `auto` (default): the engine that runs modules"),
    Variable(WASMTIME_LIBRARY_ENV, COMPILER, "wasmtime's library elsewhere than the sysroot"),
    Variable(COMPILED_CACHE_ENV, COMPILER, "wasmtime's compiled-code cache (default `$RUSTC_WASM_CACHE/compiled`)"),
    Variable(FUEL_ENV, COMPILER, "fuel per expansion (default 2 000 000 000): a macro that loops stops"),
    Variable(MEMORY_ENV, COMPILER, "memory per expansion in MiB (default 1024, at most 4096)"),
    Variable(WASM_ONLY_ENV, COMPILER, "`1`: refuse to load a native proc macro (strict mode on a stable toolchain)"),
    Variable(COMPILETEST_ENV, COMPILER, "compiletest's wasm proc-macro mode: the target proc macros are built for"),
    Variable(DIRS_ENV, LAUNCHER, "colon-separated directories rustc.wasm may read besides its arguments' own"),
    Variable(TRAP_ENV, LAUNCHER, "`1`: show wasmtime's trap details when rustc.wasm traps"),
)


def markdown_table() -> str:
    """docs/environment.md's table."""
    rows = [f"| `{v.name}` | {v.reader} | {v.meaning} |" for v in VARIABLES]
    return "\n".join(["| variable | read by | meaning |", "| --- | --- | --- |", *rows]) + "\n"
