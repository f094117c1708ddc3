"""Option C (the default): `--wasm-proc-macro name=module.wasm`. A's loader, reached
through a flag that names the crate explicitly (templates/option_c/)."""

from __future__ import annotations

from patcher.engine.edits import Anchor, Edit, Position, RustInsert, fn_named
from patcher.rustc.files import CONFIG

from . import a
from .spec import OptionSpec

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


OPTION = OptionSpec(
    name="c",
    title="C",
    summary="--wasm-proc-macro name=module.wasm: A's loader, through a flag that names the crate",
    edits=(*a.OPTION.edits, *OPTION_C_FLAG),
    load_flag=("--wasm-proc-macro", "{name}={path}"),
    macros_by_path=True,
    compiletest_mode=True,
)
