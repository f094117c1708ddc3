"""Installed compilers under dist/: assembled beside their place, then swapped in, with a
marker saying what they were built from (option, slots, a build id that is a digest of
the installed files)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from patcher.build import wasmtime_lib
from patcher.errors import PatcherError
from patcher.paths import dist_dir
from patcher.pins import LLVM

LLD_CANDIDATES = (str(LLVM.prefix / "bin" / "lld"), f"/usr/bin/ld.lld-{LLVM.major}")
INSTALL_MARKER = "rustc-wasm-proc-macros.json"  # in an installed sysroot: what it was built from


@dataclass(frozen=True)
class Installed:
    sysroot: Path
    option: str
    slots: int
    build_id: str = ""  # a digest of the installed files: artifacts of another compiler are stale
    host: str = ""  # the triple it runs on (x86_64-unknown-linux-gnu, wasm32-wasip1, ...)
    macros_by_path: bool = True  # its option's modules are crates (A, C): what cargo wasm needs

    @property
    def rustc(self) -> Path:
        return self.sysroot / "bin" / "rustc"


def install(stage: Path, dist: Path, host: str, option: str, slots: int, macros_by_path: bool) -> Installed:
    """Copy the stage1 sysroot to `dist` and give it a rust-lld for wasm links and
    wasmtime's library (the compiler's engine for wasm proc macros)."""
    if not (stage / "bin" / "rustc").exists():
        raise PatcherError(f"no compiler at {stage}/bin/rustc: the build did not finish")
    staging = staging_dir(dist)
    shutil.copytree(stage, staging, symlinks=True)
    give_rust_lld(staging, host)
    wasmtime_lib.install_library(staging)  # the wasm proc-macro engine the compiler loads
    rustdoc = stage.with_name(f"{stage.name}-tools-bin") / "rustdoc_tool_binary"
    if rustdoc.exists():  # x.py puts it in the sysroot, and its next run takes it out again
        shutil.copy2(rustdoc, staging / "bin" / "rustdoc")
    marker = {"option": option, "slots": slots, "host": host, "macros_by_path": macros_by_path}
    build_id = publish(staging, dist, marker)
    print(f"installed: {dist} (option {option}, {slots} slots per kind)", flush=True)
    if dist == dist_dir("native"):
        print(f"installed: {write_cargo_wasm(dist.parent / 'bin')} (`cargo wasm`; put its directory on PATH)")
    return Installed(dist, option, slots, build_id, host, macros_by_path)


def staging_dir(dist: Path) -> Path:
    """An empty directory beside `dist`, where an install is assembled before `publish`."""
    staging = dist.with_name(dist.name + ".rwpm-new")
    shutil.rmtree(staging, ignore_errors=True)
    return staging


def give_rust_lld(sysroot: Path, host: str) -> None:
    """A `rust-lld` (Debian's lld) in the sysroot's tools directory, for wasm links."""
    link_rust_lld(sysroot / "lib" / "rustlib" / host / "bin")


def link_rust_lld(tools: Path) -> Path:
    """`tools/rust-lld`, a link to Debian's lld; returns `tools`."""
    tools.mkdir(parents=True, exist_ok=True)
    lld = next((Path(p) for p in LLD_CANDIDATES if Path(p).exists()), None)
    if lld is None:
        raise PatcherError(f"no lld found ({', '.join(LLD_CANDIDATES)}): run `bash tools/setup.sh` (lld-22)")
    (tools / "rust-lld").unlink(missing_ok=True)
    (tools / "rust-lld").symlink_to(lld)
    return tools


def publish(staging: Path, dist: Path, marker: dict[str, object]) -> str:
    """Mark `staging` with what it holds and its build id, then put it in place of `dist`
    (artifacts built by another compiler see the id change); returns the id."""
    build_id = content_id(staging)
    (staging / INSTALL_MARKER).write_text(json.dumps({**marker, "build_id": build_id}) + "\n")
    shutil.rmtree(dist, ignore_errors=True)
    staging.rename(dist)
    return build_id


def content_id(sysroot: Path) -> str:
    """The build id: a digest of every file of the sysroot (its marker aside). A rebuild
    that changes nothing, or an install run again (`nox -s ui` resumes the build, then
    installs), keeps the id, so module caches and resumed runs keyed by it stay valid."""
    digest = hashlib.sha256()
    for path in sorted(p for p in sysroot.rglob("*") if p.name != INSTALL_MARKER):
        digest.update(str(path.relative_to(sysroot)).encode() + b"\0")
        if path.is_symlink():
            digest.update(b"-> " + str(path.readlink()).encode())
        elif path.is_file():
            with path.open("rb") as file:
                digest.update(hashlib.file_digest(file, "sha256").digest())
    return digest.hexdigest()[:16]


def write_cargo_wasm(bin_dir: Path) -> Path:
    """`cargo-wasm`, cargo's subcommand for the cargo route (patcher/cargo/front.py), run
    by this checkout's Python; it uses dist/native unless RUSTC_WASM_DIST names another."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / "cargo-wasm"
    script.write_text(
        "#!/bin/sh\n# `cargo wasm <command>`: every proc macro from WebAssembly (docs/cargo-wasm.md)\n"
        f'exec "{sys.executable}" -m patcher.cargo.front "$@"\n'
    )
    script.chmod(0o755)
    return script


def installed(dist: Path) -> Installed:
    """The compiler installed at `dist`, or a clear error saying how to build it."""
    try:
        meta = json.loads((dist / INSTALL_MARKER).read_text())
    except (OSError, ValueError):
        raise PatcherError(f"no patched compiler at {dist}: run `nox -s build` first") from None
    return Installed(  # absolute: suites run the compiler from directories of their own
        dist.resolve(),
        str(meta["option"]),
        int(meta["slots"]),
        str(meta.get("build_id", "")),
        str(meta.get("host", "")),
        bool(meta.get("macros_by_path", meta["option"] != "b")),  # installs made before the field
    )
