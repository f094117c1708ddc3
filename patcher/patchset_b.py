"""Option B's edits: `-Z wasm-proc-macro=PATH` and the resolver registry."""

from __future__ import annotations

from .edits import Anchor, CargoDependency, Edit, Position, RustInsert, TokenTreeEntry

OPTIONS_RS = "compiler/rustc_session/src/options.rs"
RESOLVE_LIB = "compiler/rustc_resolve/src/lib.rs"

OPTION_B_EDITS: list[Edit] = [
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
            inside='((function_item name: (identifier) @n) @scope (#eq? @n "new"))',
        ),
        Position.AFTER,
        "option_b/resolver_new_call.rs.j2",
        "((call_expression function: (field_expression field: (field_identifier) @m)) @probe"
        ' (#eq? @m "register_wasm_proc_macros"))',
    ),
    RustInsert(
        RESOLVE_LIB,
        Anchor(
            '((function_item name: (identifier) @n) @anchor (#eq? @n "new_local_macro"))',
            "fn new_local_macro in impl Resolver",
            ("new_local_macro",),
            expect=r"def_id: LocalDefId, macro_data: MacroData\) -> &'ra MacroData",
        ),
        Position.AFTER,
        "option_b/resolver_registry.rs.j2",
        '((function_item name: (identifier) @n) @probe (#eq? @n "register_wasm_proc_macro"))',
    ),
    CargoDependency(
        "compiler/rustc_resolve/Cargo.toml", "rustc_wasm_proc_macro", '{ path = "../rustc_wasm_proc_macro" }'
    ),
]
