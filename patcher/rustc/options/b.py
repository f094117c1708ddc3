"""Option B: `-Z wasm-proc-macro=module.wasm`. A resolver registry puts the module's macros
in the `#[macro_use]` prelude directly, with no crate metadata at all (templates/option_b/)."""

from __future__ import annotations

from patcher.engine.edits import Anchor, Edit, Position, RustInsert, TokenTreeEntry, fn_named
from patcher.rustc.anchors import Z_OPTIONS_TABLE, depends_on_runtime
from patcher.rustc.files import ENCODER, OPTIONS_RS, RESOLVE_LIB

from .spec import OptionSpec

OPTION_B: list[Edit] = [
    TokenTreeEntry(
        OPTIONS_RS,
        Z_OPTIONS_TABLE,
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


OPTION = OptionSpec(
    name="b",
    title="B",
    summary="-Zwasm-proc-macro=module.wasm: the macros join the prelude, no crate name, no metadata",
    edits=tuple(OPTION_B),
    load_flag=("-Zwasm-proc-macro={path}",),
    macros_by_path=False,  # local definitions with no crate behind them
    compiletest_mode=False,
)
