"""`nox -s dist`: the installed compiler (dist/native/) as a relocatable tarball.

    rustc-wasm-proc-macros-<version>-<host>/
        install.sh          checks every file, refuses another toolchain's prefix, links rust-lld
        manifest.json       what it is: rustc version, option, slots, relay ABI, build id, files
        SHA256SUMS          every file of toolchain/, as `sha256sum -c` reads it
        toolchain/          the sysroot: rustc, rustdoc, std for the host and the wasm targets,
                            wasmtime's library, cargo (stage0's), cargo-wasm and its Python

Nothing in it names the build machine: the source symlinks into the checkout are left
out, and rust-lld (a link to the system's lld) is made by install.sh where it installs.
The build id (a digest of the installed files, kept in the sysroot's marker) travels
with it, so every machine that installs the release keys the module cache alike.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from patcher import code
from patcher.build.install import INSTALL_MARKER, LLD_CANDIDATES, Installed
from patcher.engine.render import render_template
from patcher.errors import PatcherError
from patcher.paths import REPO_ROOT, work_dir
from patcher.pins import LLVM
from patcher.process import capture, run_checked
from patcher.provision.download import sha256_of
from patcher.provision.stage0 import stage0_tool
from patcher.results import write_result
from patcher.rustc.abi import DECLS_VERSION, GUEST_TARGET

NAME = "rustc-wasm-proc-macros"
PYTHON_DIR = "lib/rustc-wasm-proc-macros/python"  # in the toolchain: cargo wasm's code
# what cargo wasm runs: its command and the RUSTC_WRAPPER, with what they import (stdlib only)
CARGO_WASM_MODULES = ("patcher.cargo.front", "patcher.cargo.wrapper")
# what the toolchain needs of the system (rustc links the system LLVM, as Debian's does)
REQUIRES = (
    f"libLLVM.so.{LLVM.major} (Debian: libllvm{LLVM.major})",
    f"lld (Debian: lld-{LLVM.major})",
    "python3 >= 3.11",
)


@dataclass(frozen=True)
class Release:
    tarball: Path
    checksum: Path  # `<sha256>  <tarball name>`
    manifest: dict[str, object]


def make_release(compiler: Installed, out_dir: Path) -> Release:
    """Pack `compiler` into `out_dir/<name>.tar.xz` (and its .sha256)."""
    version = _rustc_version(compiler)
    name = f"{NAME}-{version.split()[1]}-{compiler.host}"
    root = work_dir("release") / name
    shutil.rmtree(root, ignore_errors=True)
    toolchain = root / "toolchain"
    _copy_sysroot(compiler.sysroot, toolchain)
    shutil.copy2(stage0_tool("cargo"), toolchain / "bin" / "cargo")
    _add_cargo_wasm(toolchain)
    files = {str(p.relative_to(toolchain)): sha256_of(p) for p in sorted(toolchain.rglob("*")) if _is_file(p)}
    manifest: dict[str, object] = {
        "name": name,
        "rustc": version,
        "host": compiler.host,
        "option": compiler.option,
        "slots": compiler.slots,
        "relay_abi": DECLS_VERSION,
        "guest_target": GUEST_TARGET,
        "build_id": compiler.build_id,
        "requires": list(REQUIRES),
        "files": files,
    }
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    (root / "SHA256SUMS").write_text("".join(f"{digest}  {rel}\n" for rel, digest in files.items()))
    install = root / "install.sh"
    install.write_text(_install_script(name, compiler))
    install.chmod(0o755)
    return _pack(root, out_dir, manifest)


def _rustc_version(compiler: Installed) -> str:
    return capture([str(compiler.rustc), "-V"]).stdout.strip()


def _copy_sysroot(sysroot: Path, toolchain: Path) -> None:
    """The sysroot without what names the build machine: rust-lld (install.sh links the
    target machine's lld) and the source links into the checkout."""

    def ignore(directory: str, names: list[str]) -> list[str]:
        here = Path(directory)
        return [n for n in names if (here / n).is_symlink() and _outside(here / n, sysroot)]

    shutil.copytree(sysroot, toolchain, symlinks=True, ignore=ignore)
    for path in toolchain.rglob("*"):
        if path.is_symlink() and _outside(path, toolchain):
            raise PatcherError(f"{path} links outside the toolchain ({os.readlink(path)}): not relocatable")


def _outside(link: Path, root: Path) -> bool:
    return not (link.parent / os.readlink(link)).resolve().is_relative_to(root.resolve())


def _add_cargo_wasm(toolchain: Path) -> None:
    """cargo-wasm, standalone: a launcher and the code it runs, which imports only the
    standard library (tests/test_release.py checks it with `python3 -S`)."""
    python = toolchain / PYTHON_DIR
    for source in code.module_files(*CARGO_WASM_MODULES):
        target = python / source.relative_to(REPO_ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    (python / "cargo_wasm.py").write_text(render_template("release/cargo_wasm.py.j2"))
    launcher = toolchain / "bin" / "cargo-wasm"
    launcher.write_text(render_template("release/cargo-wasm.sh.j2", python_dir=PYTHON_DIR, marker=INSTALL_MARKER))
    launcher.chmod(0o755)


def _install_script(name: str, compiler: Installed) -> str:
    return render_template(
        "release/install.sh.j2",
        release=name,
        build_id=compiler.build_id,
        marker=INSTALL_MARKER,
        host=compiler.host,
        llvm_major=LLVM.major,
        lld_candidates=" ".join(LLD_CANDIDATES),
    )


def _pack(root: Path, out_dir: Path, manifest: dict[str, object]) -> Release:
    """A reproducible tar.xz (sorted, owner 0, fixed times) and its checksum file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tarball = out_dir / f"{root.name}.tar.xz"
    partial = tarball.with_name(tarball.name + ".part")
    tar = ["tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0"]
    env = {**os.environ, "XZ_OPT": "-T0 -6"}
    run_checked([*tar, "-C", str(root.parent), "-cJf", str(partial), root.name], "tar", env=env)
    partial.replace(tarball)
    checksum = tarball.with_name(tarball.name + ".sha256")
    checksum.write_text(f"{sha256_of(tarball)}  {tarball.name}\n")
    return Release(tarball, checksum, manifest)


def _is_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def main(compiler: Installed, out_dir: Path) -> int:
    start = time.perf_counter()
    release = make_release(compiler, out_dir)
    seconds = time.perf_counter() - start
    size = release.tarball.stat().st_size
    files = release.manifest["files"]
    assert isinstance(files, dict)
    write_result(
        "dist.json",
        {"tarball": release.tarball.name, "bytes": size, "files": len(files), "seconds": round(seconds),
         "build_id": release.manifest["build_id"]},
    )  # fmt: skip
    print(f"{release.tarball} ({size / 2**20:.0f} MiB, {len(files)} files, {seconds:.0f} s)")
    print(f"{release.checksum}")
    return 0
