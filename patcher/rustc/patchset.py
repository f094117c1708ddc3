"""The patch set, as data: every edit the tool makes to rustc, grouped by what needs it.

- CORE (every option): the WASM runtime crate (slots, client factories, module
  checks), the proc_macro bridge relay, the `.wasm` branch of the crate loader, the
  proc-macro crate type for wasm targets and the `.rustc_proc_macro_decls` emitter.
- The options (patcher/rustc/options/: one record each, in a registry): what each adds to
  the core, and how a user loads a module with it.
- COMPILETEST (options whose modules are crates): compiletest's wasm proc-macro mode.
- WASM_HOST (every option, patcher/rustc/wasm_host.py): what rustc needs to build and
  run on a WebAssembly host without threads; inert on other hosts.
"""

from __future__ import annotations

from typing import Any

from patcher.engine.edits import (
    CRATES_IO,
    Anchor,
    CargoDependency,
    CargoLockPackage,
    Edit,
    LockedPackage,
    NewFile,
    Position,
    RustInsert,
    SortedStringEntries,
    TokenTreeEntry,
    fn_named,
    string_named,
)
from patcher.engine.workspace import PatchSet
from patcher.environment import COMPILETEST_ENV, WASM_ONLY_ENV
from patcher.pins import default_source
from patcher.rustc import engines, options
from patcher.rustc.abi import (
    CWD_QUERY,
    DECLS_SECTION,
    DECLS_VERSION,
    FILE_QUERY,
    GUEST_ENTRY,
    GUEST_ENTRY_MACRO,
    GUEST_ENV,
    GUEST_OS,
    GUEST_TARGET,
    HOST_DISPATCH,
    HOST_ENV,
    HOST_IMPORTS,
    HOST_PANIC,
    HOST_RECEIVE,
    HOST_REPLY,
    HOST_WRITE,
    WASM_WITHOUT_OS_CFG,
)
from patcher.rustc.anchors import Z_OPTIONS_TABLE, depends_on_runtime
from patcher.rustc.files import (
    BOOTSTRAP_CC_DETECT,
    BOOTSTRAP_TEST,
    BRIDGE,
    COMPILETEST_RUNTEST,
    CREADER,
    DRIVER,
    HARNESS,
    INTERFACE_PASSES,
    LINKER,
    OPTIONS_RS,
    OUTPUT,
    PROC_MACRO_LIB,
    RUNTIME,
    STD_ALLOC_WASM,
    STD_ENV,
    STD_ENV_UNSUPPORTED,
    STD_FS,
    STD_FS_MOD,
    STD_IO_MOD,
    STD_OS_UNSUPPORTED,
    STD_STDIO_UNSUPPORTED,
    TIDY_DEPS,
)
from patcher.rustc.guest_target import GUEST_TARGET_EDITS
from patcher.rustc.wasm_host import WASM_HOST

DEFAULT_SLOTS = 64
# compiletest's wasm proc-macro mode: this variable names the target proc macros are built for.
# Sandbox limits per expansion (overridable at run time, see templates/runtime/limits.rs.j2).
DEFAULT_FUEL = 2_000_000_000
DEFAULT_MEMORY_MIB = 1024


def context(option: str, slots: int) -> dict[str, Any]:
    """Everything templates may refer to."""
    return {
        "option": option,
        "slots": slots,
        "decls_version": DECLS_VERSION,
        "decls_section": DECLS_SECTION,
        "host_imports": HOST_IMPORTS,
        "host_dispatch": HOST_DISPATCH,
        "host_receive": HOST_RECEIVE,
        "host_reply": HOST_REPLY,
        "host_panic": HOST_PANIC,
        "host_write": HOST_WRITE,
        "host_env": HOST_ENV,
        "guest_env": GUEST_ENV,
        "compiletest_env": COMPILETEST_ENV,
        "guest_entry": GUEST_ENTRY,
        "guest_entry_macro": GUEST_ENTRY_MACRO,
        "guest_target": GUEST_TARGET,
        "guest_os": GUEST_OS,
        "wasm_without_os_cfg": WASM_WITHOUT_OS_CFG,
        "wasm_only_env": WASM_ONLY_ENV,
        "file_query": FILE_QUERY,
        "cwd_query": CWD_QUERY,
        "default_fuel": f"{DEFAULT_FUEL:_}",
        "default_memory_mib": DEFAULT_MEMORY_MIB,
        **engines.template_context(),
    }


RUNTIME_FILES: list[Edit] = [
    NewFile(f"{RUNTIME}/Cargo.toml", "runtime/Cargo.toml.j2"),
    NewFile(f"{RUNTIME}/src/lib.rs", "runtime/lib.rs.j2"),
    NewFile(f"{RUNTIME}/src/decls.rs", "runtime/decls.rs.j2"),
    NewFile(f"{RUNTIME}/src/limits.rs", "runtime/limits.rs.j2"),
    NewFile(f"{RUNTIME}/src/module.rs", "runtime/module.rs.j2"),
    NewFile(f"{RUNTIME}/src/host.rs", "runtime/host.rs.j2"),
    NewFile(f"{RUNTIME}/src/engine.rs", "runtime/engine.rs.j2"),
    NewFile(f"{RUNTIME}/src/wasmi_engine.rs", "runtime/wasmi_engine.rs.j2"),
    NewFile(f"{RUNTIME}/src/wasmtime_engine.rs", "runtime/wasmtime_engine.rs.j2"),
    NewFile(f"{RUNTIME}/src/wasmtime_ffi.rs", "runtime/wasmtime_ffi.rs.j2"),
    NewFile(f"{RUNTIME}/src/compiled_cache.rs", "runtime/compiled_cache.rs.j2"),
    NewFile(f"{RUNTIME}/src/registry.rs", "runtime/registry.rs.j2"),
    NewFile(f"{RUNTIME}/src/slots.rs", "runtime/slots.rs.j2"),
]


def _dispatcher_call(argument: str, method: str, capture: str) -> str:
    """A query for `dispatcher.<method>(<argument>)` in `run_bridge_and_client`, capturing
    the method's name as @anchor, or the call as @probe."""
    name = "@anchor" if capture == "anchor" else "@m"
    call = "@probe" if capture == "probe" else ""
    return (
        f"((call_expression function: (field_expression value: (identifier) @v field: (field_identifier) {name})"
        f' arguments: (arguments (identifier) @a)) {call} (#eq? @v "dispatcher") (#eq? {name} "{method}")'
        f' (#eq? @a "{argument}"))'
    )


def _macro_named(name: str, capture: str) -> str:
    return f'((macro_definition name: (identifier) @n) @{capture} (#eq? @n "{name}"))'


# A relayed client (a WebAssembly guest) is not trusted: what it sends is checked before
# the server decodes it, and what cannot be served is refused (templates/proc_macro/check.rs.j2).
UNTRUSTED_CLIENTS: list[Edit] = [
    # every type `rpc_encode_decode!` encodes gets a `Check` too: upstream's macro is renamed
    # and one under its name defines both
    RustInsert(
        f"{BRIDGE}/rpc.rs",
        Anchor(
            '((macro_definition name: (identifier) @anchor) (#eq? @anchor "rpc_encode_decode"))',
            "the name of macro_rules! rpc_encode_decode",
            ("rpc_encode_decode",),
        ),
        Position.REPLACE,
        "proc_macro/rpc_encode_decode_trusted.rs.j2",
        _macro_named("rpc_encode_decode_trusted", "probe"),
    ),
    RustInsert(
        f"{BRIDGE}/rpc.rs",
        Anchor(_macro_named("rpc_encode_decode", "anchor"), "macro_rules! rpc_encode_decode", ("rpc_encode_decode",)),
        Position.AFTER,
        "proc_macro/rpc_check_macro.rs.j2",
        _macro_named("rpc_check", "probe"),
    ),
    RustInsert(
        f"{BRIDGE}/handle.rs",
        Anchor(
            '((impl_item type: (generic_type type: (type_identifier) @t)) @anchor (#eq? @t "InternedStore"))',
            "impl InternedStore",
            ("InternedStore",),
        ),
        Position.AFTER,
        "proc_macro/handle_contains.rs.j2",
        '((line_comment) @probe (#match? @probe "whether a handle an untrusted client sent is live"))',
    ),
    RustInsert(
        f"{BRIDGE}/server.rs",
        Anchor(
            "((macro_invocation macro: (identifier) @m (token_tree) @tt) @anchor"
            ' (#eq? @m "with_api") (#match? @tt "^[(]define_dispatcher"))',
            "with_api!(define_dispatcher, ..)",
            ("define_dispatcher",),
        ),
        Position.AFTER,
        "proc_macro/server_untrusted.rs.j2",
        fn_named("serve", "probe"),
    ),
    # both ways the server runs a client (same thread, cross thread) serve its messages
    *(
        RustInsert(
            f"{BRIDGE}/server.rs",
            Anchor(
                _dispatcher_call(argument, "dispatch", "anchor"),
                f"dispatcher.dispatch({argument}) in run_bridge_and_client",
                ("run_bridge_and_client", "dispatcher"),
            ),
            Position.REPLACE,
            "proc_macro/serve_method.rs.j2",
            _dispatcher_call(argument, "serve", "probe"),
        )
        for argument in ("buf", "b")
    ),
]

BRIDGE_RELAY: list[Edit] = [
    NewFile(f"{BRIDGE}/relay.rs", "proc_macro/relay.rs.j2"),
    NewFile(f"{BRIDGE}/check.rs", "proc_macro/check.rs.j2"),
    RustInsert(
        f"{BRIDGE}/mod.rs",
        Anchor('((mod_item name: (identifier) @n) @anchor (#eq? @n "client"))', "mod client", ("client",)),
        Position.AFTER,
        "proc_macro/bridge_mod_relay.rs.j2",
        '((mod_item name: (identifier) @n) @probe (#eq? @n "relay"))',
    ),
    RustInsert(
        f"{BRIDGE}/symbol.rs",
        Anchor(
            '((impl_item type: (type_identifier) @t) @anchor (#eq? @t "Interner"))',
            "impl Interner",
            ("Interner",),
        ),
        Position.AFTER,
        "proc_macro/symbol_fresh_interner.rs.j2",
        fn_named("with_fresh_interner", "probe"),
    ),
    RustInsert(
        f"{BRIDGE}/client.rs",
        Anchor(
            "((impl_item trait: (type_identifier) @tr type: (generic_type type: (type_identifier) @ty)) @anchor"
            ' (#eq? @tr "Clone") (#eq? @ty "Client"))',
            "impl Clone for Client",
            ("Client",),
        ),
        Position.AFTER,
        "proc_macro/client_from_raw_run.rs.j2",
        '((function_item name: (identifier) @n) @probe (#eq? @n "from_raw_run"))',
    ),
    RustInsert(
        f"{BRIDGE}/rpc.rs",
        Anchor(
            "((macro_invocation macro: (identifier) @m (token_tree) @tt) @anchor"
            ' (#eq? @m "rpc_encode_decode") (#eq? @tt "(le usize)"))',
            "rpc_encode_decode!(le usize)",
            ("rpc_encode_decode", "usize"),
        ),
        Position.REPLACE,
        "proc_macro/rpc_usize.rs.j2",
        "((impl_item trait: (generic_type type: (type_identifier) @tr) type: (primitive_type) @ty) @probe"
        ' (#eq? @tr "Encode") (#eq? @ty "usize"))',
    ),
    *UNTRUSTED_CLIENTS,
]

LOADER: list[Edit] = [
    RustInsert(
        CREADER,
        Anchor(
            "((impl_item type: (type_identifier) @t"
            " body: (declaration_list (function_item name: (identifier) @n) @anchor))"
            ' (#eq? @t "CStore") (#eq? @n "dlsym_proc_macros"))',
            "fn dlsym_proc_macros in impl CStore",
            ("dlsym_proc_macros", "CStore"),
            expect=r"path: &Path.*-> Result<&'static \[ProcMacro\], CrateError>",
        ),
        Position.BODY_START,
        "core/creader_dlsym_wasm.rs.j2",
        "((call_expression function: (scoped_identifier path: (identifier) @c name: (identifier) @f)) @probe"
        ' (#eq? @c "rustc_wasm_proc_macro") (#eq? @f "is_wasm_module"))',
    ),
    # strict mode: the loader above refuses native proc macros under this flag
    TokenTreeEntry(
        OPTIONS_RS,
        Z_OPTIONS_TABLE,
        after_entry="proc_macro_execution_strategy",
        new_entry="proc_macro_wasm_only",
        template="core/z_proc_macro_wasm_only.rs.j2",
    ),
    depends_on_runtime("rustc_metadata"),
]

GUEST: list[Edit] = [
    RustInsert(
        OUTPUT,
        Anchor(
            fn_named("invalid_output_for_target"),
            "fn invalid_output_for_target",
            ("invalid_output_for_target",),
            expect=r"crate_type: CrateType\) -> bool",
        ),
        Position.BODY_START,
        "core/output_allow_wasm_proc_macro.rs.j2",
        '((if_expression condition: (_) @c) @probe (#match? @c "is_like_wasm"))',
    ),
    RustInsert(
        HARNESS,
        Anchor(
            "((expression_statement (call_expression function: (field_expression value: (field_expression) @recv"
            " field: (field_identifier) @m) arguments: (arguments (identifier) @arg))) @anchor"
            ' (#eq? @recv "krate.items") (#eq? @m "push") (#eq? @arg "decls"))',
            "krate.items.push(decls) in fn inject",
            ("inject", "krate"),
            inside=fn_named("inject", "scope"),
        ),
        Position.AFTER,
        "core/harness_push_section.rs.j2",
        '((call_expression function: (identifier) @f) @probe (#eq? @f "mk_wasm_decls_section"))',
    ),
    RustInsert(
        HARNESS,
        Anchor(
            fn_named("mk_decls"), "fn mk_decls", ("mk_decls",), expect=r"macros: &\[ProcMacro\]\) -> Box<ast::Item>"
        ),
        Position.AFTER,
        "core/harness_section_fn.rs.j2",
        fn_named("mk_wasm_decls_section", "probe"),
    ),
    RustInsert(
        HARNESS,
        Anchor(
            "((macro_invocation macro: (identifier) @m (token_tree) @tt) @anchor"
            ' (#eq? @m "thin_vec") (#match? @tt "decls_static"))',
            "thin_vec![.., decls_static] of the harness's const block in fn mk_decls",
            ("mk_decls", "decls_static"),
            expect=r"^thin_vec!\[cx\.stmt_item\(span, krate\), cx\.stmt_item\(span, decls_static\)\]$",
            inside=fn_named("mk_decls", "scope"),
        ),
        Position.REPLACE,
        "core/harness_block_stmts.rs.j2",
        '((call_expression function: (identifier) @f) @probe (#eq? @f "harness_block_stmts"))',
    ),
    RustInsert(
        PROC_MACRO_LIB,
        Anchor(
            '((inner_attribute_item) @anchor (#eq? @anchor "#![feature(allow_internal_unstable)]"))',
            "#![feature(allow_internal_unstable)] of proc_macro",
            ("allow_internal_unstable",),
        ),
        Position.AFTER,
        "proc_macro/feature_allow_internal_unsafe.rs.j2",
        '((inner_attribute_item) @probe (#eq? @probe "#![feature(allow_internal_unsafe)]"))',
    ),
    RustInsert(
        LINKER,
        Anchor(
            '((let_declaration pattern: (identifier) @v value: (if_expression)) @anchor (#eq? @v "symbols"))',
            "let mut symbols = if let CrateType::ProcMacro .. in fn exported_symbols",
            ("exported_symbols", "exported_symbols_for_proc_macro_crate"),
            expect=r"CrateType::ProcMacro = crate_type",
            inside=fn_named("exported_symbols", "scope"),
        ),
        Position.BEFORE,
        "core/linker_export_wasm_entry.rs.j2",
        string_named(GUEST_ENTRY),
    ),
    RustInsert(
        INTERFACE_PASSES,
        Anchor(
            "((expression_statement (if_expression condition: (binary_expression) @c)) @anchor"
            ' (#eq? @c "is_proc_macro_crate && !sess.panic_strategy().unwinds()"))',
            "if is_proc_macro_crate && !sess.panic_strategy().unwinds() { .. } (the panic=abort warning)",
            ("ProcMacroCratePanicAbort", "is_proc_macro_crate"),
        ),
        Position.BEFORE,
        "core/interface_explicit_panic_strategy.rs.j2",
        '((let_declaration pattern: (identifier) @v) @probe (#eq? @v "explicit_panic_strategy"))',
    ),
    RustInsert(
        INTERFACE_PASSES,
        Anchor(
            '((binary_expression) @anchor (#eq? @anchor "is_proc_macro_crate && !sess.panic_strategy().unwinds()"))',
            "is_proc_macro_crate && !sess.panic_strategy().unwinds() (the panic=abort warning)",
            ("ProcMacroCratePanicAbort", "is_proc_macro_crate"),
        ),
        Position.REPLACE,
        "core/interface_panic_abort_warning.rs.j2",
        '((binary_expression) @probe (#match? @probe "^is_proc_macro_crate[^{]*is_like_wasm"))',
    ),
]


GUEST_NAME: list[Edit] = [
    RustInsert(
        OUTPUT,
        Anchor(
            '((match_arm pattern: (match_pattern) @p) @anchor (#match? @p "CrateType::ProcMacro"))',
            "the match arm for CrateType::ProcMacro in fn filename_for_input",
            ("filename_for_input", "ProcMacro"),
            expect=r"dll_prefix",
            inside=fn_named("filename_for_input", "scope"),
        ),
        Position.BEFORE,
        "core/output_wasm_proc_macro_name.rs.j2",
        '((match_arm pattern: (match_pattern) @p) @probe (#match? @p "ProcMacro if sess.target.is_like_wasm"))',
    ),
]

# std for wasm32-unknown-unknown: stdout and stderr can go to a sink (the relay's guest
# installs one), instead of being discarded; every other target is unchanged.
STD_OUTPUT_SINK: list[Edit] = [
    RustInsert(
        STD_STDIO_UNSUPPORTED,
        Anchor(
            '((type_item name: (type_identifier) @n) @anchor (#eq? @n "Stderr"))',
            "pub type Stderr = Stdout",
            ("Stderr",),
            expect=r"= Stdout;",
        ),
        Position.REPLACE,
        "std/stdio_stderr_alias.rs.j2",
        '((mod_item name: (identifier) @n) @probe (#eq? @n "output_sink"))',
    ),
    RustInsert(
        STD_STDIO_UNSUPPORTED,
        Anchor(
            "((impl_item trait: (scoped_type_identifier) @tr type: (type_identifier) @ty) @anchor"
            ' (#eq? @tr "io::Write") (#eq? @ty "Stdout"))',
            "impl io::Write for Stdout",
            ("Write", "Stdout"),
        ),
        Position.BEFORE,
        "std/stdio_stdout_write_cfg.rs.j2",
        '((line_comment) @probe (#match? @probe "rustc-wasm-proc-macros: see output_sink"))',
    ),
    NewFile("library/std/src/sys/stdio/unsupported/output_sink.rs", "std/stdio_output_sink.rs.j2"),
    # std's abort messages (a failed allocation: how a guest meets the memory cap under
    # wasmtime, whose limiter makes memory.grow fail instead of trapping) go there too
    RustInsert(
        STD_STDIO_UNSUPPORTED,
        Anchor(fn_named("panic_output"), "fn panic_output", ("panic_output",), expect=r"Option<Vec<u8>>"),
        Position.REPLACE,
        "std/stdio_panic_output.rs.j2",
        '((line_comment) @probe (#match? @probe "std.s last words before an abort"))',
    ),
    # the environment a guest sees: std::env::set_env_source (GUEST_ENV)
    RustInsert(
        STD_ENV_UNSUPPORTED,
        Anchor(fn_named("getenv"), "fn getenv of the unsupported platform", ("getenv",), expect=r"Option<OsString>"),
        Position.REPLACE,
        "std/env_getenv_source.rs.j2",
        fn_named("set_env_source", "probe"),
    ),
    RustInsert(
        STD_ENV,
        Anchor(fn_named("_var_os"), "fn _var_os in std::env", ("_var_os",), expect=r"env_imp::getenv"),
        Position.AFTER,
        "std/env_set_env_source.rs.j2",
        fn_named("set_env_source", "probe"),
    ),
    RustInsert(
        STD_IO_MOD,
        Anchor(
            '((use_declaration) @anchor (#match? @anchor "set_output_capture"))',
            "pub use self::stdio::{set_output_capture, ..} in std::io",
            ("set_output_capture",),
        ),
        Position.AFTER,
        "std/io_reexport_output_sink.rs.j2",
        fn_named("set_output_sink", "probe"),
    ),
]


# std for WebAssembly without an OS: files read whole from a source the relay's guest
# installs (`std::fs::set_file_source`), which the compiler answers for the files of the
# crate being compiled; without one, no file system, as before.
STD_FILE_SOURCE: list[Edit] = [
    NewFile("library/std/src/sys/fs/guest_files.rs", "std/fs_guest_files.rs.j2"),
    RustInsert(
        STD_FS_MOD,
        Anchor(
            '((token_tree (identifier) @m (identifier) @i) @anchor (#eq? @m "unsupported") (#eq? @i "imp"))',
            "the `_ => { mod unsupported; use unsupported as imp; }` arm of cfg_select! in sys::fs",
            ("unsupported",),
            expect=r"mod unsupported;\s*use unsupported as imp;",
        ),
        Position.REPLACE,
        "std/fs_imp_select.rs.j2",
        '((token_tree (identifier) @g) @probe (#eq? @g "guest_files"))',
    ),
    RustInsert(
        STD_OS_UNSUPPORTED,
        Anchor(fn_named("getcwd"), "fn getcwd of the unsupported platform", ("getcwd",), expect=r"unsupported\(\)"),
        Position.REPLACE,
        "std/os_getcwd_source.rs.j2",
        '((line_comment) @probe (#match? @probe "the directory the environment"))',
    ),
    RustInsert(
        STD_FS,
        Anchor(fn_named("exists"), "pub fn exists in std::fs", ("exists",), expect=r"fs_imp::exists"),
        Position.AFTER,
        "std/fs_set_file_source.rs.j2",
        fn_named("set_file_source", "probe"),
    ),
]


# std for wasm32-unknown-unknown: small allocations from free lists in front of dlmalloc,
# whose bookkeeping dominates an interpreted guest's time.
STD_SMALL_BLOCKS: list[Edit] = [
    RustInsert(
        STD_ALLOC_WASM,
        Anchor(
            "((impl_item trait: (type_identifier) @tr type: (type_identifier) @ty) @anchor"
            ' (#eq? @tr "GlobalAlloc") (#eq? @ty "System"))',
            "unsafe impl GlobalAlloc for System (wasm, dlmalloc)",
            ("GlobalAlloc", "System"),
            expect=r"DLMALLOC",
        ),
        Position.REPLACE,
        "std/alloc_wasm_small_blocks.rs.j2",
        '((struct_item name: (type_identifier) @n) @probe (#eq? @n "SmallBlocks"))',
    ),
]


def _locked(name: str) -> str:
    """`name version` as Cargo.lock names a crate it holds several versions of (pins.py)."""
    return f"{name} {default_source().locked[name]}"


def cargo_lock(dependents: tuple[str, ...]) -> Edit:
    """The runtime crate and the interpreter crates vendored from Debian (patcher/provision/vendor.py)."""
    return CargoLockPackage(
        "Cargo.lock",
        (
            LockedPackage(
                "rustc_wasm_proc_macro",
                "0.0.0",
                (_locked("libloading"), "rustc_proc_macro", "sha2", "wasmi", _locked("wasmparser")),
            ),
            LockedPackage("spin", "0.10.0", (), CRATES_IO),
            # optional and never built, but locked all the same (cargo#10801)
            LockedPackage("string-interner", "0.19.0", (_locked("hashbrown"), "serde"), CRATES_IO),
            LockedPackage(
                "wasmi",
                "1.1.0",
                ("spin", "wasmi_collections", "wasmi_core", "wasmi_ir", _locked("wasmparser")),
                CRATES_IO,
            ),
            LockedPackage("wasmi_collections", "1.1.0", ("string-interner",), CRATES_IO),
            LockedPackage("wasmi_core", "1.1.0", ("libm",), CRATES_IO),
            LockedPackage("wasmi_ir", "1.1.0", ("wasmi_core",), CRATES_IO),
            LockedPackage("wasmparser", "0.239.0", ("bitflags", "indexmap"), CRATES_IO),
        ),
        dependents,
    )


TIDY: list[Edit] = [
    SortedStringEntries(
        TIDY_DEPS,
        Anchor(
            "((const_item name: (identifier) @n value: (reference_expression value: (array_expression) @anchor))"
            ' (#eq? @n "PERMITTED_RUSTC_DEPENDENCIES"))',
            "const PERMITTED_RUSTC_DEPENDENCIES",
            ("PERMITTED_RUSTC_DEPENDENCIES",),
        ),
        ("libm", "spin", "wasmi", "wasmi_collections", "wasmi_core", "wasmi_ir"),
    ),
]


# The engine that runs the modules: chosen by a -Z flag (or the environment) once per
# session before anything is loaded, and named by `rustc -vV`.
ENGINE_CHOICE: list[Edit] = [
    TokenTreeEntry(
        OPTIONS_RS,
        Z_OPTIONS_TABLE,
        after_entry="wasm_c_abi",
        new_entry="wasm_proc_macro_engine",
        template="core/z_wasm_proc_macro_engine.rs.j2",
    ),
    RustInsert(
        INTERFACE_PASSES,
        Anchor(
            '((let_declaration pattern: (identifier) @v) @anchor (#eq? @v "arenas"))',
            "let arenas = Resolver::arenas(); in fn resolver_for_lowering_raw",
            ("resolver_for_lowering_raw", "arenas"),
            expect=r"Resolver::arenas\(\)",
            inside=fn_named("resolver_for_lowering_raw", "scope"),
        ),
        Position.AFTER,
        "core/interface_wasm_proc_macro_engine.rs.j2",
        '((line_comment) @probe (#match? @probe "the engine that runs the WebAssembly proc macros this session"))',
    ),
    depends_on_runtime("rustc_interface"),
    RustInsert(
        DRIVER,
        Anchor(
            "((expression_statement (call_expression function: (field_expression field: (field_identifier) @f)))"
            ' @anchor (#eq? @f "print_version"))',
            # (no `inside`: tree-sitter-rust 0.24 does not parse this file whole; the
            # statement is the file's only `print_version` call)
            "get_backend_from_raw_matches(..).print_version(); in fn version_at_macro_invocation",
            ("version_at_macro_invocation", "print_version"),
        ),
        Position.AFTER,
        "core/driver_version_engine.rs.j2",
        '((line_comment) @probe (#match? @probe "which engine runs WebAssembly proc macros"))',
    ),
    depends_on_runtime("rustc_driver_impl"),
]


CORE: list[Edit] = [
    *RUNTIME_FILES,
    *BRIDGE_RELAY,
    *LOADER,
    *GUEST,
    *GUEST_NAME,
    *GUEST_TARGET_EDITS,
    *STD_OUTPUT_SINK,
    *STD_FILE_SOURCE,
    *STD_SMALL_BLOCKS,
    *ENGINE_CHOICE,
    *TIDY,
]

# compiletest's wasm proc-macro mode (options A and C, whose modules are crates): with
# COMPILETEST_ENV set, every proc-macro crate a test builds is compiled to a module, and
# bootstrap puts std for that target in the sysroot it gives compiletest.
COMPILETEST: list[Edit] = [
    RustInsert(
        BOOTSTRAP_TEST,
        Anchor(
            "((expression_statement (call_expression function: (field_expression field: (field_identifier) @m)"
            " arguments: (arguments (struct_expression name: (type_identifier) @s)))) @anchor"
            ' (#eq? @m "ensure") (#eq? @s "RemoteCopyLibs"))',
            "builder.ensure(RemoteCopyLibs { .. }) in impl Step for Compiletest",
            ("Compiletest", "RemoteCopyLibs"),
            inside="((impl_item trait: (type_identifier) @tr type: (type_identifier) @ty) @scope"
            ' (#eq? @tr "Step") (#eq? @ty "Compiletest"))',
        ),
        Position.AFTER,
        "compiletest/bootstrap_wasm_std.rs.j2",
        string_named(COMPILETEST_ENV),
    ),
    RustInsert(
        BOOTSTRAP_CC_DETECT,
        Anchor(
            '((for_expression pattern: (identifier) @v) @anchor (#eq? @v "target"))',
            "for target in targets.into_iter() { fill_target_compiler(..) } in fn fill_compilers",
            ("fill_compilers", "fill_target_compiler"),
            expect=r"fill_target_compiler\(build, target\)",
            inside=fn_named("fill_compilers", "scope"),
        ),
        Position.AFTER,
        "compiletest/bootstrap_wasm_cc.rs.j2",
        string_named(COMPILETEST_ENV),
    ),
    NewFile("src/tools/compiletest/src/runtest/wasm_proc_macro.rs", "compiletest/wasm_proc_macro.rs.j2"),
    RustInsert(
        COMPILETEST_RUNTEST,
        Anchor('((mod_item name: (identifier) @n) @anchor (#eq? @n "ui"))', "mod ui", ("ui",)),
        Position.AFTER,
        "compiletest/mod_decl.rs.j2",
        '((mod_item name: (identifier) @n) @probe (#eq? @n "wasm_proc_macro"))',
    ),
    RustInsert(
        COMPILETEST_RUNTEST,
        Anchor(
            '((match_arm pattern: (match_pattern) @p) @anchor (#eq? @p "AuxType::Dylib | AuxType::ProcMacro"))',
            "AuxType::Dylib | AuxType::ProcMacro => .. in fn get_lib_name",
            ("get_lib_name", "dylib_name"),
            inside=fn_named("get_lib_name", "scope"),
        ),
        Position.BEFORE,
        "compiletest/lib_name_arm.rs.j2",
        '((call_expression function: (scoped_identifier name: (identifier) @f)) @probe (#eq? @f "module_name"))',
    ),
    RustInsert(
        COMPILETEST_RUNTEST,
        Anchor(
            "((expression_statement (if_expression condition: (binary_expression) @c)) @anchor"
            ' (#eq? @c "aux_type == Some(AuxType::ProcMacro)"))',
            "if aux_type == Some(AuxType::ProcMacro) { aux_props.force_host = true } in fn build_auxiliary",
            ("build_auxiliary", "force_host"),
            expect=r"force_host = true",
            inside=fn_named("build_auxiliary", "scope"),
        ),
        Position.AFTER,
        "compiletest/retarget_auxiliary.rs.j2",
        '((call_expression function: (scoped_identifier name: (identifier) @f)) @probe (#eq? @f "retarget_auxiliary"))',
    ),
    RustInsert(
        COMPILETEST_RUNTEST,
        Anchor(
            '((let_declaration pattern: (identifier) @v value: (call_expression) @c) @anchor (#eq? @v "props")'
            ' (#match? @c "^TestProps::from_file"))',
            "let mut props = TestProps::from_file(..) in fn run",
            ("run", "TestProps"),
            inside=fn_named("run", "scope"),
        ),
        Position.AFTER,
        "compiletest/retarget_test.rs.j2",
        '((call_expression function: (scoped_identifier name: (identifier) @f)) @probe (#eq? @f "retarget_test"))',
    ),
]


def runtime_dependents(edits: list[Edit]) -> tuple[str, ...]:
    """The compiler crates that `edits` make depend on the runtime crate (for Cargo.lock)."""
    return tuple(
        sorted(
            e.file.split("/")[1] for e in edits if isinstance(e, CargoDependency) and e.name == "rustc_wasm_proc_macro"
        )
    )


def edits_for(option: str) -> list[Edit]:
    """Every edit of `option`: the core, the wasm-host edits, Cargo.lock, the option's own
    edits and, for options whose modules are crates, compiletest's wasm proc-macro mode."""
    spec = options.get(option)
    own = list(spec.edits)
    lock = cargo_lock(runtime_dependents([*CORE, *own]))
    return [*CORE, *WASM_HOST, lock, *own, *(COMPILETEST if spec.compiletest_mode else [])]


RUSTC_PATCHES = PatchSet("rustc", edits_for, context)
