"""The patch set, as data: every edit the tool makes to rustc, grouped by what needs it.

- CORE (every option): the WASM runtime crate (slots, client factories, module
  checks), the proc_macro bridge relay, the `.wasm` branch of the crate loader, the
  proc-macro crate type for wasm targets and the `.rustc_proc_macro_decls` emitter.
- Option A: `--extern name=module.wasm`: the module carries real crate metadata,
  which the crate locator accepts on any host.
- Option B: `-Z wasm-proc-macro=module.wasm`: a resolver registry puts the module's
  macros in the `#[macro_use]` prelude directly, with no crate metadata at all.
- Option C: `--wasm-proc-macro NAME=module.wasm`: A's loader, reached through a flag
  that names the crate explicitly.
- WASM_HOST (every option, patcher/wasm_host_patchset.py): what rustc needs to build and
  run on a WebAssembly host without threads; inert on other hosts.
"""

from __future__ import annotations

from typing import Any

from .edits import (
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
)
from .rustc_files import (
    BRIDGE,
    CONFIG,
    CREADER,
    ENCODER,
    HARNESS,
    INTERFACE_PASSES,
    LINKER,
    LOCATOR,
    OPTIONS_RS,
    OUTPUT,
    PROC_MACRO_LIB,
    RESOLVE_LIB,
    RUNTIME,
    TIDY_DEPS,
)
from .wasm_host_patchset import WASM_HOST

OPTIONS = ("a", "b", "c")
DEFAULT_OPTION = "c"
DEFAULT_SLOTS = 64
DECLS_VERSION = 1
DECLS_SECTION = ".rustc_proc_macro_decls"
# The relay ABI (version DECLS_VERSION): the host functions a guest module may import,
# and the entry point the proc-macro harness defines in every guest module.
HOST_DISPATCH = "__rustc_wasm_proc_macro_dispatch"
HOST_RECEIVE = "__rustc_wasm_proc_macro_receive"
HOST_REPLY = "__rustc_wasm_proc_macro_reply"
HOST_IMPORTS = tuple(("env", name) for name in (HOST_DISPATCH, HOST_RECEIVE, HOST_REPLY))
GUEST_ENTRY = "__rustc_wasm_proc_macro_expand"
GUEST_ENTRY_MACRO = "__rustc_wasm_proc_macro_entry"
# Sandbox limits per expansion (overridable at run time, see templates/runtime/limits.rs.j2).
DEFAULT_FUEL = 2_000_000_000
DEFAULT_MEMORY_MIB = 1024


def depends_on_runtime(crate: str) -> Edit:
    """`crate` (a compiler crate) gets the runtime crate as a dependency."""
    return CargoDependency(
        f"compiler/{crate}/Cargo.toml", "rustc_wasm_proc_macro", '{ path = "../rustc_wasm_proc_macro" }'
    )


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
        "guest_entry": GUEST_ENTRY,
        "guest_entry_macro": GUEST_ENTRY_MACRO,
        "default_fuel": f"{DEFAULT_FUEL:_}",
        "default_memory_mib": DEFAULT_MEMORY_MIB,
    }


RUNTIME_FILES: list[Edit] = [
    NewFile(f"{RUNTIME}/Cargo.toml", "runtime/Cargo.toml.j2"),
    NewFile(f"{RUNTIME}/src/lib.rs", "runtime/lib.rs.j2"),
    NewFile(f"{RUNTIME}/src/decls.rs", "runtime/decls.rs.j2"),
    NewFile(f"{RUNTIME}/src/limits.rs", "runtime/limits.rs.j2"),
    NewFile(f"{RUNTIME}/src/module.rs", "runtime/module.rs.j2"),
    NewFile(f"{RUNTIME}/src/registry.rs", "runtime/registry.rs.j2"),
    NewFile(f"{RUNTIME}/src/slots.rs", "runtime/slots.rs.j2"),
]

BRIDGE_RELAY: list[Edit] = [
    NewFile(f"{BRIDGE}/relay.rs", "proc_macro/relay.rs.j2"),
    RustInsert(
        f"{BRIDGE}/mod.rs",
        Anchor('((mod_item name: (identifier) @n) @anchor (#eq? @n "client"))', "mod client", ("client",)),
        Position.AFTER,
        "proc_macro/bridge_mod_relay.rs.j2",
        '((mod_item name: (identifier) @n) @probe (#eq? @n "relay"))',
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
        '((field_expression field: (field_identifier) @f) @probe (#eq? @f "is_like_wasm"))',
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
        f'((string_literal (string_content) @s) @probe (#eq? @s "{GUEST_ENTRY}"))',
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
        '((binary_expression) @probe (#match? @probe "^is_proc_macro_crate[^{]*is_like_wasm$"))',
    ),
]


def cargo_lock(dependents: tuple[str, ...]) -> Edit:
    """The runtime crate and the interpreter crates vendored from Debian (patcher/vendor.py)."""
    return CargoLockPackage(
        "Cargo.lock",
        (
            LockedPackage("rustc_wasm_proc_macro", "0.0.0", ("rustc_proc_macro", "wasmi", "wasmparser 0.239.0")),
            LockedPackage("spin", "0.10.0", (), CRATES_IO),
            # optional and never built, but locked all the same (cargo#10801)
            LockedPackage("string-interner", "0.19.0", ("hashbrown 0.16.1", "serde"), CRATES_IO),
            LockedPackage(
                "wasmi",
                "1.1.0",
                ("spin", "wasmi_collections", "wasmi_core", "wasmi_ir", "wasmparser 0.239.0"),
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


CORE: list[Edit] = [*RUNTIME_FILES, *BRIDGE_RELAY, *LOADER, *GUEST, *TIDY]

OPTION_A: list[Edit] = [
    RustInsert(
        LOCATOR,
        Anchor(
            '((if_expression condition: (unary_expression) @c) @anchor (#eq? @c "!filename.exists()"))',
            "if !filename.exists() in fn get_metadata_section",
            ("get_metadata_section", "NotPresent"),
            inside=fn_named("get_metadata_section", "scope"),
        ),
        Position.AFTER,
        "option_a/locator_check_wasm.rs.j2",
        "((call_expression function: (scoped_identifier path: (identifier) @c name: (identifier) @f)) @probe"
        ' (#eq? @c "rustc_wasm_proc_macro") (#eq? @f "load"))',
    ),
    RustInsert(
        LOCATOR,
        Anchor(
            '((let_declaration pattern: (identifier) @v) @anchor (#eq? @v "dll_prefix"))',
            "let dll_prefix in fn find_commandline_library",
            ("find_commandline_library", "dll_prefix"),
            inside=fn_named("find_commandline_library", "scope"),
        ),
        Position.BEFORE,
        "option_a/locator_accept_wasm.rs.j2",
        "((call_expression function: (field_expression field: (field_identifier) @m) arguments: (arguments"
        ' (string_literal (string_content) @s))) @probe (#eq? @m "ends_with") (#eq? @s ".wasm"))',
    ),
    RustInsert(
        LOCATOR,
        Anchor(
            "((binary_expression left: (field_expression) @l right: (field_expression) @r) @anchor"
            ' (#eq? @l "header.triple") (#eq? @r "self.tuple"))',
            "header.triple != self.tuple in fn crate_matches",
            ("crate_matches", "triple"),
            inside=fn_named("crate_matches", "scope"),
        ),
        Position.REPLACE,
        "option_a/locator_triple.rs.j2",
        "((call_expression function: (field_expression field: (field_identifier) @m) arguments: (arguments"
        ' (string_literal (string_content) @s))) @probe (#eq? @m "starts_with") (#eq? @s "wasm"))',
    ),
]

OPTION_C_FLAG: list[Edit] = [
    RustInsert(
        CONFIG,
        Anchor(
            "((call_expression function: (identifier) @f arguments: (arguments (string_literal (string_content) @s)))"
            ' @anchor (#eq? @f "opt") (#eq? @s "extern"))',
            'opt(.., "extern", ..) in let verbose_only',
            ("verbose_only", "extern"),
            inside='((let_declaration pattern: (identifier) @v) @scope (#eq? @v "verbose_only"))',
        ),
        Position.AFTER,
        "option_c/optgroup.rs.j2",
        "((call_expression function: (identifier) @f arguments: (arguments (string_literal (string_content) @s)))"
        ' @probe (#eq? @f "opt") (#eq? @s "wasm-proc-macro"))',
    ),
    RustInsert(
        CONFIG,
        Anchor(
            "((call_expression function: (identifier) @f arguments: (arguments (identifier) @a)) @anchor"
            ' (#eq? @f "Externs") (#eq? @a "externs"))',
            "Externs(externs) at the end of fn parse_externs",
            ("parse_externs", "Externs"),
            inside=fn_named("parse_externs", "scope"),
        ),
        Position.BEFORE,
        "option_c/parse_flag.rs.j2",
        "((call_expression function: (field_expression field: (field_identifier) @m) arguments: (arguments"
        ' (string_literal (string_content) @s))) @probe (#eq? @m "opt_strs") (#eq? @s "wasm-proc-macro"))',
    ),
]


OPTION_B: list[Edit] = [
    TokenTreeEntry(
        OPTIONS_RS,
        Anchor(
            "((macro_invocation macro: (identifier) @m (token_tree) @anchor)"
            r' (#eq? @m "options") (#match? @anchor "^[{(]\\s*UnstableOptions"))',
            "options! table of UnstableOptions (-Z)",
            ("UnstableOptions", "Z_OPTIONS"),
        ),
        after_entry="wasm_c_abi",
        new_entry="wasm_proc_macro",
        template="option_b/z_option.rs.j2",
    ),
    RustInsert(
        RESOLVE_LIB,
        Anchor(
            '((inner_attribute_item) @anchor (#eq? @anchor "#![feature(rustc_attrs)]"))',
            "#![feature(rustc_attrs)] of rustc_resolve",
            ("rustc_attrs",),
        ),
        Position.BEFORE,  # keeps the feature list alphabetical, as tidy wants
        "option_b/resolver_feature.rs.j2",
        '((inner_attribute_item) @probe (#eq? @probe "#![feature(proc_macro_internals)]"))',
    ),
    RustInsert(
        RESOLVE_LIB,
        Anchor(
            "((expression_statement (call_expression function: (field_expression value: (identifier) @r"
            ' field: (field_identifier) @m))) @anchor (#eq? @r "resolver") (#eq? @m "feed_visibility"))',
            "resolver.feed_visibility(..) at the end of Resolver::new",
            ("feed_visibility", "Resolver"),
            inside=fn_named("new", "scope"),
        ),
        Position.AFTER,
        "option_b/resolver_new_call.rs.j2",
        "((call_expression function: (field_expression field: (field_identifier) @m)) @probe"
        ' (#eq? @m "register_wasm_proc_macros"))',
    ),
    RustInsert(
        RESOLVE_LIB,
        Anchor(
            fn_named("new_local_macro"),
            "fn new_local_macro in impl Resolver",
            ("new_local_macro",),
            expect=r"def_id: LocalDefId, macro_data: MacroData\) -> &'ra MacroData",
        ),
        Position.AFTER,
        "option_b/resolver_registry.rs.j2",
        fn_named("register_wasm_proc_macro", "probe"),
    ),
    RustInsert(
        ENCODER,
        Anchor(
            "((for_expression pattern: (identifier) @v value: (call_expression) @it) @anchor"
            ' (#eq? @v "local_id") (#eq? @it "tcx.iter_local_def_id()"))',
            "for local_id in tcx.iter_local_def_id() in fn encode_def_ids",
            ("encode_def_ids", "iter_local_def_id"),
            inside=fn_named("encode_def_ids", "scope"),
        ),
        Position.BODY_START,
        "option_b/encoder_skip_wasm_macros.rs.j2",
        "((call_expression function: (field_expression field: (field_identifier) @m)"
        ' arguments: (arguments (identifier) @a)) @probe (#eq? @m "get") (#eq? @a "local_id")'
        ' (#match? @probe "^tcx.hir_crate"))',
    ),
    depends_on_runtime("rustc_resolve"),
]


def edits_for(option: str) -> list[Edit]:
    if option == "a":
        return [*CORE, *WASM_HOST, cargo_lock(("rustc_metadata",)), *OPTION_A]
    if option == "b":
        return [*CORE, *WASM_HOST, cargo_lock(("rustc_metadata", "rustc_resolve")), *OPTION_B]
    if option == "c":
        return [*CORE, *WASM_HOST, cargo_lock(("rustc_metadata",)), *OPTION_A, *OPTION_C_FLAG]
    raise ValueError(option)
