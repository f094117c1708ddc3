"""The e2e suite's cases, by name: the one list a run is checked against.

A run that has a case this list lacks, or lacks one it has, fails (`Suite.run` adds a
failing `suite:cases` outcome), so a case cannot vanish unnoticed: a program deleted, a
group of cases skipped by a wrong condition. A new case is added here, in its group.
"""

from __future__ import annotations

from patcher.rustc import options

# e2e/programs/*.rs, each compiled and run (or refused) under every option and host
PROGRAMS = (
    "all_kinds",
    "attribute_args",
    "derive_helpers",
    "function_like",
    "hostile_allocates",
    "hostile_bridge_double_reply",
    "hostile_bridge_malformed_reply",
    "hostile_bridge_malformed_request",
    "hostile_bridge_truncated_request",
    "hostile_bridge_unissued_handle",
    "hostile_loops",
    "hostile_loops_default",
    "hostile_panics",
    "hostile_recurses",
    "hostile_traps",
    "hostile_wasi",
    "reads_crate_file",
    "reads_outside_crate",
    "simple_derive",
    "span_compile_error",
    "span_syn_error",
    "syn_generics",
)
# -Zunpretty=expanded identical with the native and the wasm macros
EXPANSIONS = ("expansion:all_kinds", "expansion:syn_generics")
# crates built against a wasm macro, used by other crates: options whose modules are crates
DEPENDENTS = (
    "dependent:search-path",
    "dependent:same-flags",
    "dependent:unused-macro",
    "dependent:unused-macro-same-flags",
)
# e2e/workspace through cargo: options whose modules are crates, on a native host
CARGO = (
    "cargo:build",
    "cargo:stable-code-paths",
    "cargo:test",
    "cargo:check",
    "cargo:release",
    "cargo:strict-refuses-native",
    "cargo:diagnostics",
    "cargo:incremental",
)
# broken or oversized modules (patcher/suite/fixtures.py), refused when loaded
MODULES = (
    "module:malformed",
    "module:no_decls",
    "module:missing_export",
    "module:bad_decls_version",
    "module:no_reply",
    "module:forged_error_literal",
    "module:too_many_macros",
)
# e2e/link_errors/*.rs: the wasm hosts' in-process linker reports as rust-lld does
LINK_ERRORS = ("link-error:missing_library",)
# the threads host compiles these once more with the parallel front end
PARALLEL = ("parallel:all_kinds", "parallel:syn_generics")
# the wasmtime engine's own cases (patcher/suite/engine_cases.py), natively unless wasmi is asked for
ENGINE = ("engine:cache-hit", "engine:cache-corrupt", "engine:library-missing", "engine:rustc-crash-report")

HOSTS = ("native", "wasm", "wasm-threads")


def expected_cases(option: str, host: str, engine: str | None = None) -> list[str]:
    """Every case a run of the e2e suite under `option` on `host` (asking for `engine`)
    must report."""
    if host not in HOSTS:
        raise ValueError(f"unknown host {host!r}: one of {', '.join(HOSTS)}")
    cases = [*PROGRAMS, *EXPANSIONS, *MODULES]
    if options.get(option).macros_by_path:
        cases += DEPENDENTS
        if host == "native":
            cases += CARGO
    if host != "native":
        cases += LINK_ERRORS
    if host == "wasm-threads":
        cases += PARALLEL
    if host == "native" and engine in (None, "wasmtime"):  # a native compiler's default is wasmtime
        cases += ENGINE
    return sorted(cases)


def differences(ran: list[str], option: str, host: str, engine: str | None = None) -> str:
    """What `ran` lacks and has too many against the expected list ("" when they agree)."""
    expected = expected_cases(option, host, engine)
    missing = sorted(set(expected) - set(ran))
    extra = sorted(set(ran) - set(expected))
    repeated = sorted({case for case in ran if ran.count(case) > 1})
    groups = (("missing", missing), ("not in patcher/suite/expected.py", extra), ("run twice", repeated))
    parts = [f"{what}: {', '.join(names)}" for what, names in groups if names]
    return "; ".join(parts)
