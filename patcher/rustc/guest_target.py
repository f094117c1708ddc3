"""The proc-macro guest target (abi.GUEST_TARGET), as edits: a built-in target of the
patched compiler that generates wasm32-unknown-unknown's code under its own `target_os`,
bootstrap's leave to build std for it, and std's "wasm without an OS" paths widened to it.

The std files the core patch set inserts into (stdio, env) take the target through
abi.WASM_WITHOUT_OS_CFG in their templates; the files below are edited here only."""

from __future__ import annotations

from patcher.engine.edits import Anchor, CargoCheckCfg, Edit, NewFile, Position, RustInsert, WidenCfg, string_named
from patcher.rustc.abi import GUEST_OS, GUEST_TARGET

TARGET_SPEC = "compiler/rustc_target/src/spec/mod.rs"
TARGET_MODULE = f"compiler/rustc_target/src/spec/targets/{GUEST_TARGET.replace('-', '_')}.rs"
BOOTSTRAP_SANITY = "src/bootstrap/src/core/sanity.rs"


def _widen_unknown_os(file: str, count: int) -> WidenCfg:
    return WidenCfg(file, "target_os", "unknown", GUEST_OS, count)


GUEST_TARGET_EDITS: list[Edit] = [
    NewFile(TARGET_MODULE, "guest_target/target_spec.rs.j2"),
    RustInsert(
        TARGET_SPEC,
        Anchor(
            '((token_tree (string_literal (string_content) @s)) @anchor (#eq? @s "wasm32-unknown-unknown"))',
            '("wasm32-unknown-unknown", wasm32_unknown_unknown) in supported_targets!',
            ("supported_targets", "wasm32_unknown_unknown"),
            expect=r"wasm32_unknown_unknown",
            inside='((macro_invocation macro: (identifier) @m) @scope (#eq? @m "supported_targets"))',
        ),
        Position.AFTER,
        "guest_target/supported_targets_entry.rs.j2",
        string_named(GUEST_TARGET),
    ),
    # bootstrap refuses a target its stage0 compiler does not list, unless named here
    RustInsert(
        BOOTSTRAP_SANITY,
        Anchor(
            "((const_item name: (identifier) @n value: (reference_expression value: (array_expression"
            ' (line_comment) @anchor))) (#eq? @n "STAGE0_MISSING_TARGETS"))',
            "the comment opening const STAGE0_MISSING_TARGETS",
            ("STAGE0_MISSING_TARGETS",),
        ),
        Position.AFTER,
        "guest_target/stage0_missing_target.rs.j2",
        string_named(GUEST_TARGET),
    ),
    # rustc_proc_macro is library/proc_macro built by the stage0 compiler, which does not
    # know the guest OS that proc_macro's relay cfgs name
    CargoCheckCfg("compiler/rustc_proc_macro/Cargo.toml", f'cfg(target_os, values("{GUEST_OS}"))'),
    # std: dlmalloc as the allocator, no randomness source, libm from compiler-builtins
    _widen_unknown_os("library/std/Cargo.toml", 1),
    _widen_unknown_os("library/std/src/sys/random/mod.rs", 2),
    _widen_unknown_os("library/compiler-builtins/compiler-builtins/src/math/mod.rs", 1),
]
