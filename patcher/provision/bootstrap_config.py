"""`bootstrap.toml` for the native build: stage0 is the machine's rustup stable
toolchain (same version as the source, hence `local-rebuild`), LLVM is the system's
LLVM 22, and everything is offline against `vendor/`."""

from __future__ import annotations

import shutil
from pathlib import Path

from patcher.build.process import capture
from patcher.engine.render import render_template, write_if_changed
from patcher.errors import PatcherError

LLVM_CONFIG = Path("/usr/lib/llvm-22/bin/llvm-config")
TEMPLATE = "bootstrap.toml.j2"


def stage0_tool(name: str) -> Path:
    """The rustup stable toolchain's `rustc` or `cargo` (not the rustup proxy)."""
    rustup = shutil.which("rustup")
    if rustup:
        out = capture([rustup, "which", "--toolchain", "stable", name])
        if out.returncode == 0 and out.stdout.strip():
            return Path(out.stdout.strip())
    found = shutil.which(name)
    if found:
        return Path(found)
    raise PatcherError(f"no stage0 `{name}`: install a Rust toolchain of the source's version (rustup stable)")


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
    )


def write(checkout: Path, wasm_host: dict[str, object] | None = None) -> None:
    write_if_changed(checkout / "bootstrap.toml", render(wasm_host=wasm_host))
