"""The stage0 toolchain: the Rust of the source's own version, which builds the compiler,
resolves the checkout's vendor/ and ships as the release's cargo. Standard library only
(cargo wasm's module builds find their cargo here)."""

from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path

from patcher.errors import PatcherError
from patcher.pins import default_source
from patcher.process import capture

STAGE0_VERSION = default_source().stage0


def stage0_tool(name: str) -> Path:
    """The stage0 toolchain's `rustc` or `cargo` (beside it; not the rustup proxy)."""
    tool = stage0_rustc().with_name(name)
    if not tool.is_file():
        raise PatcherError(f"the stage0 toolchain ({stage0_rustc().parent}) has no `{name}`")
    return tool


@lru_cache(maxsize=1)
def stage0_rustc() -> Path:
    """Rust STAGE0_VERSION's rustc: rustup's toolchain of that name, else any installed
    toolchain (`stable` first) whose `rustc -V` is exactly that version, else the `rustc`
    on PATH if it is. Anything else is refused: bootstrap needs the source's version."""
    candidates: list[tuple[str, Path]] = []
    rustup = shutil.which("rustup")
    if rustup:
        listed = capture([rustup, "toolchain", "list"])
        installed = [line.split()[0] for line in listed.stdout.splitlines() if line.strip()]
        order = [STAGE0_VERSION, "stable", *sorted(installed)]
        for toolchain in dict.fromkeys(order):
            out = capture([rustup, "which", "--toolchain", toolchain, "rustc"])
            path = Path(out.stdout.strip())
            if out.returncode == 0 and out.stdout.strip() and path not in (p for _, p in candidates):
                candidates.append((f"rustup toolchain `{toolchain}`", path))
    on_path = shutil.which("rustc")
    if on_path and not rustup:
        candidates.append(("`rustc` on PATH", Path(on_path)))
    found = []
    for what, rustc in candidates:
        version = capture([str(rustc), "-V"]).stdout.strip()
        if version.split()[:2] == ["rustc", STAGE0_VERSION]:
            return rustc
        found.append(f"{what}: {version or 'no version'}")
    seen = "; ".join(found) or ("no rustup toolchain" if rustup else "no rustup and no rustc on PATH")
    raise PatcherError(
        f"no Rust {STAGE0_VERSION} for stage0 (found: {seen}).\n"
        f"  Install it: `rustup toolchain install {STAGE0_VERSION}` (bootstrap needs the source's own version)."
    )
