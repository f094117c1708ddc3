"""`bootstrap.toml` for the native build: stage0 is Rust 1.95.0, chosen by version (the
source's own version, hence `local-rebuild`), LLVM is the system's LLVM 22, and
everything is offline against `vendor/`."""

from __future__ import annotations

from pathlib import Path

from patcher.engine.render import render_template, write_if_changed
from patcher.pins import default_source
from patcher.provision.stage0 import stage0_tool

LLVM_CONFIG = default_source().llvm.prefix / "bin" / "llvm-config"
TEMPLATE = "bootstrap.toml.j2"
# in the compiler's version, `rustc 1.95.0 (59807616e 2026-04-14) (rustc-wasm-proc-macros)`
DESCRIPTION = "rustc-wasm-proc-macros"


def render(host_triple: str = "x86_64-unknown-linux-gnu", wasm_host: dict[str, object] | None = None) -> str:
    """`wasm_host`: the `[target.<wasm host>]` table for building rustc.wasm
    (patcher/wasm_host/rustc_wasm.py), or None for the native build."""
    return render_template(
        TEMPLATE,
        rustc=stage0_tool("rustc"),
        cargo=stage0_tool("cargo"),
        llvm_config=LLVM_CONFIG,
        host_triple=host_triple,
        wasm_host=wasm_host,
        description=DESCRIPTION,
    )


def write(checkout: Path, wasm_host: dict[str, object] | None = None) -> None:
    write_if_changed(checkout / "bootstrap.toml", render(wasm_host=wasm_host))
