"""rustc edits for a WebAssembly host (rustc.wasm), part of every option.

On wasm32-wasip1 (no `atomics`) `std::thread::spawn` always fails, so rustc's session
thread, jobserver helpers, codegen coordinator and LLVM workers run on the calling thread
instead; all of it is gated on `rustc_data_structures::sync::no_threads()`, a `cfg!` that
is false on every other host, so native compilers are unchanged. The rest lets the
compiler build for such a host: no dynamic loading (libloading has no WASI support), no
dylib driver, a sysroot fallback, stack and memory for rustc.wasm, and no wasm builds of
the compiler's own proc macros. docs/wasm-host-rustc-survey.md explains each change.
"""

from __future__ import annotations

from patcher.engine.edits import (
    Anchor,
    CargoTargetDependency,
    CargoTargetFeatures,
    Edit,
    NewFile,
    Position,
    RustInsert,
    fn_named,
)
from patcher.rustc.files import (
    BOOTSTRAP_CARGO,
    CREADER,
    DRIVER,
    ENZYME,
    FATAL_ERROR,
    FILESEARCH,
    INTERFACE,
    INTERFACE_UTIL,
    JOBSERVER,
    LLVM_UTIL,
    OUTPUT,
    PROFILING,
    RUSTC_LLVM,
    RUSTC_MAIN,
    SSA_BACK,
    SSA_ERRORS,
    SSA_LINK,
    SYNC,
    WRITE,
)


def t(name: str) -> str:
    return f"wasm_host/{name}.rs.j2"


def in_fn(fn: str, query: str, description: str, names: tuple[str, ...], expect: str | None = None) -> Anchor:
    """An anchor `query` (capturing @anchor) inside `fn fn`."""
    return Anchor(query, f"{description} in fn {fn}", (fn, *names), expect, inside=fn_named(fn, "scope"))


def let_named(var: str) -> str:
    return f'((let_declaration pattern: (identifier) @v) @anchor (#eq? @v "{var}"))'


def fn_body_calls(fn: str, callee: str) -> str:
    """A probe: `fn fn` has a statement `callee(..)...;` at the top of its body."""
    return (
        "((function_item name: (identifier) @n body: (block (expression_statement (call_expression"
        " function: (field_expression value: (call_expression function: (generic_function) @g))))))"
        f' @probe (#eq? @n "{fn}") (#eq? @g "{callee}"))'
    )


def no_threads_probe(context_regex: str) -> str:
    """A probe: an `if` whose condition calls no_threads() and whose text matches the regex."""
    return (
        "((if_expression condition: (_) @c) @probe"
        f' (#match? @c "rustc_data_structures::sync::no_threads\\\\(\\\\)") (#match? @probe "{context_regex}"))'
    )


THREADS: list[Edit] = [
    RustInsert(
        SYNC,
        Anchor('((struct_item name: (type_identifier) @n) @anchor (#eq? @n "MTLock"))', "struct MTLock", ("MTLock",)),
        Position.BEFORE,
        t("sync_no_threads"),
        fn_named("no_threads", "probe"),
    ),
    RustInsert(
        JOBSERVER,
        in_fn("new", let_named("proxy_"), "let proxy_ = Arc::clone(&proxy)", ("proxy_",), r"Arc::clone\(&proxy\)"),
        Position.BEFORE,
        t("jobserver_no_helper"),
        '((if_expression condition: (call_expression) @c) @probe (#eq? @c "crate::sync::no_threads()"))',
    ),
    RustInsert(
        INTERFACE_UTIL,
        in_fn(
            "run_in_thread_with_globals",
            let_named("builder"),
            'let builder = thread::Builder::new().name("rustc"..)',
            ("builder",),
            r"thread::Builder::new\(\)",
        ),
        Position.BEFORE,
        t("util_run_inline"),
        no_threads_probe("create_session_globals_then"),
    ),
    RustInsert(
        LLVM_UTIL,
        in_fn(
            "init",
            '((unary_expression) @anchor (#eq? @anchor "!llvm::LLVMIsMultithreaded().is_true()"))',
            "!llvm::LLVMIsMultithreaded().is_true()",
            ("LLVMIsMultithreaded",),
        ),
        Position.REPLACE,
        t("llvm_util_threads"),
        '((binary_expression) @probe (#match? @probe "^!rustc_data_structures::sync::no_threads\\\\(\\\\) &&"))',
    ),
    # With atomics (wasm32-wasip1-threads) the parallel front end parks threads, and
    # parking_lot_core parks with memory.atomic.wait32 only under its `nightly` feature;
    # without it `-Zthreads=2` panics with "Parking not supported on this platform".
    CargoTargetFeatures(
        "compiler/rustc_data_structures/Cargo.toml",
        "parking_lot",
        'cfg(all(target_family = "wasm", target_feature = "atomics"))',
        ("nightly",),
    ),
]

CODEGEN: list[Edit] = [
    RustInsert(
        WRITE,
        Anchor(fn_named("start_executing_work"), "fn start_executing_work", ("start_executing_work",)),
        Position.BEFORE,
        t("write_no_threads_items"),
        '((enum_item name: (type_identifier) @n) @probe (#eq? @n "CoordinatorHandle"))',
    ),
    RustInsert(
        WRITE,
        Anchor(
            '((function_item name: (identifier) @n return_type: (_) @anchor) (#eq? @n "start_executing_work"))',
            "return type of fn start_executing_work",
            ("start_executing_work", "JoinHandle"),
            r"^thread::JoinHandle<Result<MaybeLtoModules<B>, \(\)>>$",
        ),
        Position.REPLACE,
        t("write_coordinator_type"),
        '((function_item name: (identifier) @n return_type: (_) @probe) (#eq? @n "start_executing_work")'
        ' (#eq? @probe "CoordinatorHandle<B>"))',
    ),
    RustInsert(
        WRITE,
        in_fn(
            "start_executing_work",
            '((scoped_identifier) @anchor (#eq? @anchor "B::spawn_named_thread"))',
            'B::spawn_named_thread(.., "coordinator", ..)',
            ("spawn_named_thread",),
        ),
        Position.REPLACE,
        t("write_spawn_coordinator"),
        '((generic_function) @probe (#eq? @probe "spawn_coordinator::<B>"))',
    ),
    *(
        RustInsert(
            WRITE,
            in_fn(
                fn,
                '((scoped_identifier) @anchor (#eq? @anchor "B::spawn_named_thread"))',
                "B::spawn_named_thread(..)",
                ("spawn_named_thread",),
            ),
            Position.REPLACE,
            t("write_spawn_work"),
            fn_body_calls(fn, "spawn_work_thread::<B>"),
        )
        for fn in ("spawn_work", "spawn_thin_lto_work")
    ),
    *(
        RustInsert(
            WRITE,
            in_fn(
                fn,
                let_named("helper"),
                "let helper = jobserver::client().into_helper_thread(..)",
                ("helper",),
                r"^let helper = jobserver::client\(\)\s*\.into_helper_thread",
            ),
            Position.REPLACE,
            t(template),
            "((let_declaration pattern: (identifier) @v value: (call_expression function: (identifier) @f)) @probe"
            f' (#eq? @v "helper") (#eq? @f "JobserverHelper") (#match? @probe "{message}"))',
        )
        for fn, template, message in (
            ("start_executing_work", "write_helper_coordinator", "Message::Token::<B>"),
            ("do_thin_lto", "write_helper_thin_lto", "ThinLtoMessage::Token"),
        )
    ),
    RustInsert(
        WRITE,
        Anchor(fn_named("queue_full_enough"), "fn queue_full_enough", ("queue_full_enough",)),
        Position.BODY_START,
        t("write_queue_never_full"),
        no_threads_probe("return false"),
    ),
    RustInsert(
        WRITE,
        Anchor(
            fn_named("wait_for_signal_to_codegen_item"),
            "fn wait_for_signal_to_codegen_item",
            ("wait_for_signal_to_codegen_item",),
        ),
        Position.BODY_START,
        t("write_no_wait_for_signal"),
        no_threads_probe("return;"),
    ),
    RustInsert(
        WRITE,
        Anchor(
            "((struct_item name: (type_identifier) @s body: (field_declaration_list (field_declaration"
            ' name: (field_identifier) @f type: (_) @anchor))) (#eq? @s "Coordinator") (#eq? @f "future"))',
            "field `future` of struct Coordinator",
            ("Coordinator", "future"),
            r"^Option<thread::JoinHandle<Result<MaybeLtoModules<B>, \(\)>>>$",
        ),
        Position.REPLACE,
        t("write_coordinator_field"),
        "((struct_item name: (type_identifier) @s body: (field_declaration_list (field_declaration"
        ' type: (_) @probe))) (#eq? @s "Coordinator") (#eq? @probe "Option<CoordinatorHandle<B>>"))',
    ),
    RustInsert(
        WRITE,
        in_fn(
            "join",
            '((call_expression) @anchor (#eq? @anchor "self.future.take().unwrap().join()"))',
            "self.future.take().unwrap().join()",
            ("future",),
        ),
        Position.REPLACE,
        t("write_coordinator_run"),
        '((call_expression) @probe (#eq? @probe "self.future.take().unwrap().run_to_completion()"))',
    ),
    RustInsert(
        WRITE,
        in_fn(
            "join",
            '((expression_statement) @anchor (#eq? @anchor "self.shared_emitter_main.check(sess, true);"))',
            "self.shared_emitter_main.check(sess, true); (first statement)",
            ("shared_emitter_main",),
        ),
        Position.REPLACE,
        t("write_join_check_first"),
        "((if_expression condition: (unary_expression) @c) @probe"
        ' (#eq? @c "!rustc_data_structures::sync::no_threads()"))',
    ),
    RustInsert(
        WRITE,
        in_fn(
            "join",
            '((call_expression) @anchor (#eq? @anchor "self.coordinator.join()"))',
            "self.coordinator.join() (the coordinator's result)",
            ("coordinator",),
        ),
        Position.REPLACE,
        t("write_join_coordinator"),
        '((let_declaration pattern: (identifier) @v value: (call_expression) @c) @probe (#eq? @v "result")'
        ' (#eq? @c "self.coordinator.join()"))',
    ),
]


def cfg_dynamic_loading_before(file: str, node: str, text: str, description: str, names: tuple[str, ...]) -> RustInsert:
    """`#[cfg(any(unix, windows))]` before the `node` whose text is `text` (e.g. an import
    that only the dynamic-loading code uses: unused, and so a warning, on WASI)."""
    return RustInsert(
        file,
        Anchor(f'(({node}) @anchor (#eq? @anchor "{text}"))', description, names),
        Position.BEFORE,
        t("cfg_dynamic_loading_only"),
        f'((attribute_item) @probe . ({node}) @n (#eq? @n "{text}") (#eq? @probe "#[cfg(any(unix, windows))]"))',
    )


NO_DYNAMIC_LOADING: list[Edit] = [
    *(
        cfg_dynamic_loading_before(CREADER, "use_declaration", f"use {path};", f"use {path}", (path.split("::")[-1],))
        for path in ("std::error::Error", "std::time::Duration", "rustc_fs_util::try_canonicalize")
    ),
    CargoTargetDependency("compiler/rustc_metadata/Cargo.toml", "libloading", "cfg(any(unix, windows))"),
    *(
        RustInsert(
            CREADER,
            Anchor(fn_named(fn), f"fn {fn}", (fn,)),
            Position.BEFORE,
            t("cfg_dynamic_loading"),
            f'((attribute_item) @probe . (function_item name: (identifier) @n) (#eq? @n "{fn}")'
            ' (#eq? @probe "#[cfg(any(unix, windows))]"))',
        )
        for fn in ("format_dlopen_err", "attempt_load_dylib", "load_dylib")
    ),
    RustInsert(
        CREADER,
        Anchor(
            fn_named("load_symbol_from_dylib"),
            "fn load_symbol_from_dylib",
            ("load_symbol_from_dylib",),
            r"sym_name: &str,?\s*\) -> Result<T, DylibError>",
        ),
        Position.BEFORE,
        t("creader_no_dylib"),
        '((attribute_item) @probe (#eq? @probe "#[cfg(not(any(unix, windows)))]"))',
    ),
    RustInsert(
        ENZYME,
        Anchor(
            '((field_declaration name: (field_identifier) @f type: (_) @t) @anchor (#eq? @f "lib")'
            ' (#eq? @t "libloading::Library"))',
            "field `lib: libloading::Library` of struct EnzymeWrapper",
            ("lib", "EnzymeWrapper"),
        ),
        Position.BEFORE,
        t("cfg_dynamic_loading"),
        '((attribute_item) @probe . (field_declaration name: (field_identifier) @f) (#eq? @f "lib")'
        ' (#eq? @probe "#[cfg(any(unix, windows))]"))',
    ),
    RustInsert(
        ENZYME,
        Anchor(
            fn_named("load_ptr_by_symbol_mut_void"), "fn load_ptr_by_symbol_mut_void", ("load_ptr_by_symbol_mut_void",)
        ),
        Position.BEFORE,
        t("cfg_dynamic_loading"),
        '((attribute_item) @probe . (function_item name: (identifier) @n) (#eq? @n "load_ptr_by_symbol_mut_void")'
        ' (#eq? @probe "#[cfg(any(unix, windows))]"))',
    ),
    *(
        RustInsert(
            ENZYME,
            Anchor(
                f'((macro_definition name: (identifier) @n) @anchor (#eq? @n "{name}"))',
                f"macro_rules! {name}",
                (name,),
            ),
            Position.BEFORE,
            t("cfg_dynamic_loading_only"),
            f'((attribute_item) @probe . (macro_definition name: (identifier) @n) (#eq? @n "{name}")'
            ' (#eq? @probe "#[cfg(any(unix, windows))]"))',
        )
        for name in ("load_ptrs_by_symbols_mut_void", "load_ptrs_by_symbols_fn")
    ),
    RustInsert(
        ENZYME,
        Anchor(fn_named("call_dynamic"), "fn call_dynamic", ("call_dynamic",), r"-> Result<Self, EnzymeLibraryError>"),
        Position.BEFORE,
        t("enzyme_no_dylib"),
        '((attribute_item) @probe (#eq? @probe "#[cfg(not(any(unix, windows)))]"))',
    ),
]

NO_PROCESS_ID: list[Edit] = [
    RustInsert(
        file,
        in_fn(fn, f'((call_expression) @anchor (#eq? @anchor "{call}"))', call, ("process",)),
        Position.REPLACE,
        t(template),
        '((if_expression) @probe (#match? @probe "^if cfg!\\\\(target_os = \\"wasi\\"\\\\) \\\\{\\\\s*0 //"))',
    )
    for file, fn, call, template in (
        (DRIVER, "ice_path_with_config", "std::process::id()", "driver_ice_pid"),
        (PROFILING, "new", "process::id()", "profiling_pid"),
    )
]

BUILD: list[Edit] = [
    RustInsert(
        FILESEARCH,
        in_fn(
            "default_sysroot",
            "((call_expression function: (field_expression value: (call_expression) @v field: (field_identifier) @m))"
            ' @anchor (#eq? @v "from_env_args_next()") (#eq? @m "unwrap_or_else"))',
            "from_env_args_next().unwrap_or_else(..)",
            ("from_env_args_next",),
            r'expect\("Failed finding sysroot"\)',
        ),
        Position.REPLACE,
        t("filesearch_wasi_sysroot"),
        '((string_literal) @probe (#eq? @probe "\\"/sysroot\\""))',
    ),
    RustInsert(
        OUTPUT,
        Anchor(fn_named("is_writeable"), "fn is_writeable", ("is_writeable",), r"permissions\(\)\.readonly\(\)"),
        Position.BODY_START,
        t("output_wasi_writeable"),
        '((if_expression) @probe (#match? @probe "^if cfg!\\\\(target_os = \\"wasi\\"\\\\) \\\\{\\\\s*return true;"))',
    ),
    CargoTargetDependency(f"{RUSTC_MAIN}/Cargo.toml", "rustc_driver", 'cfg(not(target_family = "wasm"))'),
    # The `wasi` pin (wasip2's bindings, through wit-bindgen, whose prebuilt object Debian
    # strips) only for wasip2, the only target whose crates use it; Cargo.lock is unchanged.
    CargoTargetDependency(
        f"{RUSTC_MAIN}/Cargo.toml",
        "wasi",
        'cfg(all(target_os = "wasi", target_env = "p2"))',
        from_table="target.'cfg(target_os = \"wasi\")'.dependencies",
    ),
    RustInsert(
        f"{RUSTC_MAIN}/src/main.rs",
        Anchor(fn_named("main"), "fn main", ("main",), r"rustc_driver::main\(\)"),
        Position.BEFORE,
        t("main_driver_static"),
        '((extern_crate_declaration name: (identifier) @n) @probe (#eq? @n "rustc_driver_impl"))',
    ),
    RustInsert(
        f"{RUSTC_MAIN}/src/main.rs",
        Anchor(fn_named("main"), "fn main", ("main",), r"rustc_driver::main\(\)"),
        Position.BODY_START,
        t("main_wasi_cwd"),
        '((call_expression function: (scoped_identifier) @f) @probe (#eq? @f "std::env::set_current_dir"))',
    ),
    RustInsert(
        f"{RUSTC_MAIN}/build.rs",
        in_fn("main", let_named("target_env"), "let target_env", ("target_env",)),
        Position.AFTER,
        t("build_rs_wasi_link_args"),
        '((string_literal) @probe (#match? @probe "rustc-main=-zstack-size="))',
    ),
    RustInsert(
        BOOTSTRAP_CARGO,
        Anchor(
            '((let_declaration pattern: (identifier) @v) @anchor (#eq? @v "not_supported"))',
            "let not_supported (proc-macro support of the target, -Zdual-proc-macros)",
            ("not_supported", "dual-proc-macros"),
            r"unsupported crate type `proc-macro`",
        ),
        Position.AFTER,
        t("bootstrap_no_dual_proc_macros"),
        '((let_declaration pattern: (identifier) @v value: (binary_expression) @b) @probe (#eq? @v "not_supported")'
        ' (#match? @b "target.contains"))',
    ),
]

IN_PROCESS_LINK: list[Edit] = [
    NewFile(f"{RUSTC_LLVM}/llvm-wrapper/InProcessLld.cpp", "wasm_host/in_process_lld.cpp.j2"),
    RustInsert(
        f"{RUSTC_LLVM}/build.rs",
        in_fn(
            "main",
            '((expression_statement) @anchor (#match? @anchor "^cfg[.]file[(].llvm-wrapper/PassWrapper[.]cpp"))',
            'cfg.file("llvm-wrapper/PassWrapper.cpp")...compile("llvm-wrapper")',
            ("PassWrapper.cpp",),
            r'\.compile\("llvm-wrapper"\)',
        ),
        Position.BEFORE,
        t("rustc_llvm_in_process_lld"),
        '((if_expression) @probe (#match? @probe "InProcessLld.cpp"))',
    ),
    NewFile(f"{SSA_BACK}/in_process_lld.rs", t("in_process_lld")),
    RustInsert(
        f"{SSA_BACK}/mod.rs",
        Anchor('((mod_item name: (identifier) @n) @anchor (#eq? @n "link"))', "pub mod link", ("link",)),
        Position.AFTER,
        t("ssa_mod_in_process_lld"),
        '((mod_item name: (identifier) @probe) (#eq? @probe "in_process_lld"))',
    ),
    RustInsert(
        SSA_LINK,
        Anchor(fn_named("exec_linker"), "fn exec_linker", ("exec_linker",), r"-> io::Result<Output>"),
        Position.BEFORE,
        t("link_run_linker"),
        '((function_item name: (identifier) @n return_type: (_) @probe) (#eq? @n "run_linker")'
        ' (#match? @probe "in_process_lld"))',
    ),
    RustInsert(
        SSA_LINK,
        in_fn(
            "link_natively",
            '((call_expression function: (identifier) @anchor) (#eq? @anchor "exec_linker"))',
            "exec_linker(sess, &cmd, ..) (the call that runs the linker)",
            ("exec_linker",),
        ),
        Position.REPLACE,
        t("link_call_run_linker"),
        '((call_expression function: (identifier) @probe) (#eq? @probe "run_linker"))',
    ),
    RustInsert(
        f"{SSA_BACK}/linker.rs",
        in_fn(
            "get_linker",
            "((expression_statement) @anchor"
            ' (#match? @anchor "^cmd[.]env[(].PATH., env::join_paths[(]new_path[)][.]unwrap[(][)][)];$"))',
            'cmd.env("PATH", env::join_paths(new_path).unwrap());',
            ("join_paths",),
        ),
        Position.REPLACE,
        t("linker_no_path_list"),
        '((if_expression condition: (unary_expression) @c) @probe (#match? @c "wasi") (#match? @probe "join_paths"))',
    ),
    RustInsert(
        SSA_ERRORS,
        Anchor(
            "((struct_item name: (type_identifier) @s body: (field_declaration_list (field_declaration"
            ' name: (field_identifier) @f type: (_) @anchor))) (#eq? @s "LinkingFailed") (#eq? @f "exit_status"))',
            "field `exit_status` of struct LinkingFailed",
            ("LinkingFailed", "exit_status"),
            r"^ExitStatus$",
        ),
        Position.REPLACE,
        t("errors_linker_exit_status"),
        "((struct_item name: (type_identifier) @s body: (field_declaration_list (field_declaration"
        ' type: (_) @probe))) (#eq? @s "LinkingFailed") (#eq? @probe "crate::back::link::LinkerExitStatus"))',
    ),
]

FATAL_ERRORS: list[Edit] = [
    RustInsert(
        FATAL_ERROR,
        Anchor(fn_named("catch_fatal_errors"), "fn catch_fatal_errors", ("catch_fatal_errors",)),
        Position.AFTER,
        t("fatal_error_hook"),
        '((macro_invocation macro: (identifier) @m) @probe (#eq? @m "thread_local"))',
    ),
    RustInsert(
        FATAL_ERROR,
        in_fn(
            "raise",
            '((call_expression) @anchor (#eq? @anchor "std::panic::resume_unwind(Box::new(FatalErrorMarker))"))',
            "std::panic::resume_unwind(Box::new(FatalErrorMarker))",
            ("resume_unwind",),
        ),
        Position.REPLACE,
        t("fatal_error_raise"),
        '((call_expression function: (identifier) @probe) (#eq? @probe "unwind_or_exit"))',
    ),
    RustInsert(
        INTERFACE,
        in_fn(
            "run_compiler",
            "((let_declaration pattern: (identifier) @v value: (call_expression function: (scoped_identifier) @f))"
            ' @anchor (#eq? @v "res") (#eq? @f "std::panic::catch_unwind"))',
            "let res = std::panic::catch_unwind(..f(&compiler))",
            ("catch_unwind",),
        ),
        Position.REPLACE,
        t("interface_fatal_error_hook"),
        "((call_expression function: (scoped_identifier) @probe)"
        ' (#eq? @probe "rustc_span::fatal_error::with_fatal_error_hook"))',
    ),
]

WASM_HOST: list[Edit] = [
    *THREADS,
    *CODEGEN,
    *NO_DYNAMIC_LOADING,
    *NO_PROCESS_ID,
    *BUILD,
    *IN_PROCESS_LINK,
    *FATAL_ERRORS,
]
