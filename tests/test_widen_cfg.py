"""WidenCfg, the edit that lets a new target take an existing target's cfg paths: before
and after, in Rust token trees and in Cargo manifests."""

from __future__ import annotations

from patcher.engine.edits import Splice, WidenCfg

RUST_BEFORE = b"""\
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod wasm;
cfg_select! {
    target_os = "unknown" => { mod a; }
    _ => {}
}
fn f() -> bool {
    let os = "unknown"; // a string outside any cfg is left alone
    cfg!(not(target_os = "unknown")) && os.is_empty()
}
"""

RUST_AFTER = b"""\
#[cfg(all(target_family = "wasm", any(target_os = "unknown", target_os = "guest")))]
mod wasm;
cfg_select! {
    any(target_os = "unknown", target_os = "guest") => { mod a; }
    _ => {}
}
fn f() -> bool {
    let os = "unknown"; // a string outside any cfg is left alone
    cfg!(not(any(target_os = "unknown", target_os = "guest"))) && os.is_empty()
}
"""

MANIFEST_BEFORE = b"""\
[dependencies]
unknown = "1"

[target.'cfg(any(all(target_family = "wasm", target_os = "unknown"), target_os = "xous"))'.dependencies]
dlmalloc = "0.2"
"""


def _apply(source: bytes, splices: list[Splice]) -> bytes:
    for splice in sorted(splices, key=lambda s: s.start, reverse=True):
        source = source[: splice.start] + splice.text + source[splice.end :]
    return source


def test_every_predicate_in_a_rust_file_is_widened() -> None:
    edit = WidenCfg("lib.rs", "target_os", "unknown", "guest", 3)
    splices, findings = edit.splices(RUST_BEFORE, {})
    assert findings == []
    patched = _apply(RUST_BEFORE, splices)
    assert patched == RUST_AFTER
    assert edit.probe(patched) and not edit.probe(RUST_BEFORE)


def test_a_manifests_target_table_is_widened() -> None:
    edit = WidenCfg("Cargo.toml", "target_os", "unknown", "guest", 1)
    splices, findings = edit.splices(MANIFEST_BEFORE, {})
    patched = _apply(MANIFEST_BEFORE, splices)
    assert findings == [] and edit.probe(patched)
    assert b'all(target_family = "wasm", any(target_os = "unknown", target_os = "guest"))' in patched
    assert b'unknown = "1"' in patched  # not a cfg


def test_another_count_than_expected_is_a_finding_naming_the_lines() -> None:
    (finding,) = WidenCfg("lib.rs", "target_os", "unknown", "guest", 2).splices(RUST_BEFORE, {})[1]
    assert finding.kind == "conflict" and "expected 2" in finding.detail and "lines: 1, 4, 9" in finding.detail
    (missing,) = WidenCfg("lib.rs", "target_os", "none", "guest", 1).splices(RUST_BEFORE, {})[1]
    assert missing.kind == "missing"


def test_widening_twice_is_refused() -> None:
    edit = WidenCfg("lib.rs", "target_os", "unknown", "guest", 3)
    (finding,) = edit.splices(RUST_AFTER, {})[1]
    assert "already widened" in finding.detail
