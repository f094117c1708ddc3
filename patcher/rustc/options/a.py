"""Option A: `--extern name=module.wasm`. The module carries real crate metadata, which
the crate locator accepts on any host (templates/option_a/)."""

from __future__ import annotations

from patcher.engine.edits import Anchor, Edit, Position, RustInsert, fn_named
from patcher.rustc.files import LOCATOR

from .spec import OptionSpec

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

# Option A's loader also finds a module the way rustc finds any dependency: in search
# paths by name and hash, and for crates built against it where `--extern` named it.
OPTION_A_TRANSITIVE: list[Edit] = [
    RustInsert(
        LOCATOR,
        Anchor(
            '((tuple_expression) @anchor (#eq? @anchor "(interface_prefix, interface_suffix, CrateFlavor::SDylib)"))',
            "(interface_prefix, interface_suffix, CrateFlavor::SDylib) in fn find_library_crate",
            ("find_library_crate", "interface_prefix"),
            inside=fn_named("find_library_crate", "scope"),
        ),
        Position.AFTER,
        "option_a/locator_search_wasm.rs.j2",
        '((tuple_expression (string_literal (string_content) @s)) @probe (#eq? @s ".wasm"))',
    ),
    RustInsert(
        LOCATOR,
        Anchor(
            "((field_initializer field: (field_identifier) @f value: (if_expression alternative: (else_clause"
            ' (block) @anchor))) (#eq? @f "exact_paths"))',
            "the `else` of exact_paths: if hash.is_none() .. in CrateLocator::new",
            ("exact_paths", "CrateLocator"),
            expect=r"Vec::new\(\)",
        ),
        Position.REPLACE,
        "option_a/locator_transitive_wasm.rs.j2",
        '((line_comment) @probe (#match? @probe "wherever it lives"))',
    ),
]

OPTION = OptionSpec(
    name="a",
    title="A",
    summary="--extern name=module.wasm: the module carries crate metadata the locator accepts",
    edits=(*OPTION_A, *OPTION_A_TRANSITIVE),
    load_flag=("--extern", "{name}={path}"),
    macros_by_path=True,
    compiletest_mode=True,
)
