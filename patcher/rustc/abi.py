"""The relay ABI between the compiler and a guest module (version DECLS_VERSION): the
decls section, the host functions a guest module may import, the entry point the
proc-macro harness defines in every guest module, and what of the environment guests see.
Plain constants, for the templates (patchset.context) and for the tools that check or
key modules (patcher/cargo/, patcher/suite/fixtures.py)."""

from __future__ import annotations

DECLS_VERSION = 3
DECLS_SECTION = ".rustc_proc_macro_decls"
# Version 2 added the panic report (message and location) and the macro's stdout/stderr; version 3
# the variables cargo sets for the crate being compiled (GUEST_ENV).
HOST_DISPATCH = "__rustc_wasm_proc_macro_dispatch"
HOST_RECEIVE = "__rustc_wasm_proc_macro_receive"
HOST_REPLY = "__rustc_wasm_proc_macro_reply"
HOST_PANIC = "__rustc_wasm_proc_macro_panic"
HOST_WRITE = "__rustc_wasm_proc_macro_write"
HOST_ENV = "__rustc_wasm_proc_macro_env"
HOST_IMPORTS = tuple(
    ("env", name) for name in (HOST_DISPATCH, HOST_RECEIVE, HOST_REPLY, HOST_PANIC, HOST_WRITE, HOST_ENV)
)
# What a guest's `std::env::var` sees of the compiler's environment: what cargo sets from
# the manifest of the crate being compiled (clap's `#[command(version)]` reads
# CARGO_PKG_VERSION), no more; names ending in `*` are prefixes.
GUEST_ENV = (
    "CARGO_PKG_*",
    "CARGO_CRATE_NAME",
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_BIN_NAME",
)
GUEST_ENTRY = "__rustc_wasm_proc_macro_expand"
GUEST_ENTRY_MACRO = "__rustc_wasm_proc_macro_entry"
# The target proc macros are compiled to: wasm32-unknown-unknown's code generation and std
# under another `target_os`, which the crates that hide `proc_macro` from wasm targets
# (syn 1.x, synstructure: `not(all(target_arch = "wasm32", any(target_os = "unknown",
# target_os = "wasi")))`) do not catch. Modules built for wasm32-unknown-unknown load alike.
GUEST_TARGET = "wasm32-procmacro"
GUEST_OS = "procmacro"
# std's "WebAssembly without an OS" cfg, as the std templates write it
WASM_WITHOUT_OS_CFG = f'all(target_family = "wasm", any(target_os = "unknown", target_os = "{GUEST_OS}"))'
# Strict mode for a stable toolchain: with this set to 1, rustc refuses to load a native proc
# macro, as with `-Z proc-macro-wasm-only` (patcher/cargo/wrapper.py sets it).
# A guest's `std::fs` asks for a file through the environment import, with this name
# prefix before the path (no variable name holds a NUL byte): the relay ABI is unchanged,
# and an older compiler answers "unset", which the guest reads as "no such file".
FILE_QUERY = "\\0rustc-wasm-proc-macros:file:"
# ... and its current directory under this name (`std::env::current_dir`).
CWD_QUERY = "\\0rustc-wasm-proc-macros:current-dir"
