"""wasi-libc for the wasm32-wasip1-threads host, built from source with Debian's clang-22.

No registry here carries a threads-enabled wasi-libc, so the tool builds one from a
pinned snapshot: a `git archive` of WebAssembly/wasi-libc at commit 161b3195fc25
(2026-04-23, the snapshot Debian sid packages), vendored in `../shared/vendor/` or
placed in the download cache by hand. Either way the tarball is checked against its
sha256 before use, then unpacked once into the cache. wasi-libc's CMake build (it needs
CMake 3.26 or newer: PyPI's `cmake`, in the lock as part of the `wasm-host` extra)
installs `include/<triple>` and `lib/<triple>` (libc.a, libpthread.a, the crt objects,
the emulation libraries) into the host's sysroot.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

from patcher.environment import VENDOR_ENV
from patcher.errors import PatcherError
from patcher.paths import REPO_ROOT, cache_dir, downloads_dir
from patcher.pins import Tarball
from patcher.process import run_checked
from patcher.provision.download import is_valid, sha256_of
from patcher.wasm_host.toolchain import WasiToolchain, compiler_rt_builtins, ninja, run_tool

WASI_LIBC_COMMIT = "161b3195fc2558d2b1ba3eb9ffae3b2b47407623"
WASI_LIBC_TARBALL = Tarball(
    "wasi-libc-161b319.tar.xz",
    1_033_720,
    "53518093ddc1963881bee2494fca7b11c658230d8c8ce699e2b25cd70a3fcc40",
)
TOP_DIR = "wasi-libc-161b319"
# Where the workplace keeps sources the registries lack; $RUSTC_WASM_VENDOR overrides it.
DEFAULT_VENDOR_DIR = REPO_ROOT.parent / "shared" / "vendor"
CMAKE_MINIMUM = (3, 26)


def vendor_dir() -> Path:
    override = os.environ.get(VENDOR_ENV)
    return Path(override) if override else DEFAULT_VENDOR_DIR


def fetch_tarball() -> Path:
    """The verified tarball in the download cache, copied there from the vendor directory
    on first use. A copy that fails the checksum is never used."""
    cached = downloads_dir() / WASI_LIBC_TARBALL.filename
    if is_valid(cached, WASI_LIBC_TARBALL):
        return cached
    vendored = vendor_dir() / WASI_LIBC_TARBALL.filename
    if not vendored.is_file():
        raise PatcherError(
            f"wasi-libc's source {WASI_LIBC_TARBALL.filename} was found neither in {cached.parent} "
            f"nor in {vendored.parent}.\n"
            f"  Expected a `git archive --prefix={TOP_DIR}/` of WebAssembly/wasi-libc at commit "
            f"{WASI_LIBC_COMMIT}\n  (sha256 {WASI_LIBC_TARBALL.sha256}): put it in {cached.parent}, "
            "or set RUSTC_WASM_VENDOR to the directory holding it."
        )
    if not is_valid(vendored, WASI_LIBC_TARBALL):
        raise PatcherError(
            f"{vendored}: checksum mismatch (expected sha256 {WASI_LIBC_TARBALL.sha256}, size "
            f"{WASI_LIBC_TARBALL.size}; got {sha256_of(vendored)}, size {vendored.stat().st_size}).\n"
            "  It is not the pinned wasi-libc snapshot; nothing was unpacked. Replace the file."
        )
    cached.parent.mkdir(parents=True, exist_ok=True)
    part = cached.with_name(cached.name + ".part")
    shutil.copyfile(vendored, part)
    part.replace(cached)
    return cached


def source_dir() -> Path:
    """The unpacked sources, in the cache (keyed by the checksum; unpacked once)."""
    root = cache_dir() / "wasi-libc" / WASI_LIBC_TARBALL.sha256[:16]
    stamp = root / ".unpacked"
    if not stamp.exists():
        tarball = fetch_tarball()
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        run_checked(["tar", "-xJf", str(tarball), "-C", str(root)], f"unpacking {tarball.name}")
        stamp.write_text(WASI_LIBC_TARBALL.sha256 + "\n")
    return root / TOP_DIR


def cmake_binary() -> Path:
    """CMake 3.26 or newer: the lock's (next to this Python), else the first on PATH."""
    beside = Path(sys.executable).parent / "cmake"
    found = beside if beside.is_file() else Path(shutil.which("cmake") or "cmake")
    try:
        out = run_checked([str(found), "--version"], "cmake --version")
    except (OSError, PatcherError):
        out = ""
    match = re.search(r"version (\d+)\.(\d+)", out)
    if match is None or (int(match[1]), int(match[2])) < CMAKE_MINIMUM:
        have = f"version {match[1]}.{match[2]}" if match else "none"
        raise PatcherError(
            f"wasi-libc's build needs CMake >= {'.'.join(map(str, CMAKE_MINIMUM))}; found {found} ({have}).\n"
            "  Run `bash tools/setup.sh --wasm-host`: the lock installs PyPI's cmake into .venv/bin."
        )
    return found


def cmake_args(toolchain: WasiToolchain) -> list[str]:
    """wasi-libc sets its own target flags from TARGET_TRIPLE; static libraries only."""
    return [
        f"-DTARGET_TRIPLE={toolchain.triple}",
        "-DBUILD_SHARED=OFF",
        "-DBUILD_TESTS=OFF",
        "-DCMAKE_BUILD_TYPE=Release",
        f"-DCMAKE_C_COMPILER={toolchain.clang}",
        f"-DCMAKE_AR={toolchain.ar}",
        f"-DCMAKE_RANLIB={toolchain.ranlib}",
        f"-DCMAKE_NM={toolchain.bin_dir / 'llvm-nm-22'}",
        f"-DBUILTINS_LIB={compiler_rt_builtins(toolchain)}",
    ]


def build_wasi_libc(toolchain: WasiToolchain, build: Path, launcher_args: list[str], log: Path) -> None:
    """Configure (every run: it refreshes the cache), build and install into the sysroot."""
    source = source_dir()
    cmd = [
        str(cmake_binary()), "-G", "Ninja", "-S", str(source), "-B", str(build),
        f"-DCMAKE_INSTALL_PREFIX={toolchain.sysroot}", *cmake_args(toolchain), *launcher_args,
    ]  # fmt: skip
    build.mkdir(parents=True, exist_ok=True)
    run_tool(cmd, log)
    ninja(build, ["install"], log, append=True)
    for needed in ("libc.a", "libpthread.a", "crt1-command.o"):
        if not (toolchain.lib_dir / needed).is_file():
            raise PatcherError(f"wasi-libc's install has no {toolchain.lib_dir / needed}: see {log}")
