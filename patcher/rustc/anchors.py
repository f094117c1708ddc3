"""Anchors and edits that the core patch set (patchset.py) and the options (options/)
share: both import them from here, so neither imports the other's module."""

from __future__ import annotations

from patcher.engine.edits import Anchor, CargoDependency, Edit


def depends_on_runtime(crate: str) -> Edit:
    """`crate` (a compiler crate) gets the runtime crate as a dependency."""
    return CargoDependency(
        f"compiler/{crate}/Cargo.toml", "rustc_wasm_proc_macro", '{ path = "../rustc_wasm_proc_macro" }'
    )


# the `-Z` table, where options add their unstable flags
Z_OPTIONS_TABLE = Anchor(
    "((macro_invocation macro: (identifier) @m (token_tree) @anchor)"
    r' (#eq? @m "options") (#match? @anchor "^[{(]\\s*UnstableOptions"))',
    "options! table of UnstableOptions (-Z)",
    ("UnstableOptions", "Z_OPTIONS"),
)
