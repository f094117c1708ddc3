"""The C/C++ toolchain that builds code for the WASI host: Debian's clang-22 with a
sysroot assembled here, or a user's wasi-sdk (`--wasi-sdk PATH`).

Debian's route for wasm32-wasip1: wasi-libc (sid) gives the C library, with stub
pthreads (a single thread: mutexes are no-ops, pthread_create fails). Debian's libc++
for wasm is built without threads, which LLVM cannot use (it needs std::mutex even
when it never starts a thread), so this module builds libc++ and libc++abi from the
LLVM sources with the pthread API on top of those stubs, and without exceptions.

Debian's route for wasm32-wasip1-threads: wasi-libc is built from its vendored source
(patcher/wasm_host/wasi_libc.py) with real pthreads, into a sysroot of its own, and
libc++/libc++abi are built on top of it the same way, now with real threads."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from patcher.engine.render import render_template, write_if_changed
from patcher.errors import PatcherError
from patcher.paths import TEMPLATES_DIR
from patcher.pins import LLVM
from patcher.process import run_logged

DEBIAN_LLVM = LLVM.prefix
DEBIAN_BUILTINS = (
    DEBIAN_LLVM / f"lib/clang/{LLVM.major}/lib/wasi/libclang_rt.builtins-wasm32.a"
)  # libclang-rt-N-dev-wasm32
THREADS_TRIPLE = "wasm32-wasip1-threads"
_N = LLVM.major
DEBIAN_PACKAGES = (
    f"clang-{_N}",
    f"lld-{_N}",
    f"libclang-rt-{_N}-dev-wasm32",
    "wasi-libc (from sid)",
    f"llvm-{_N}-tools",
)
# wasi-libc's emulations LLVM relies on (signal constants, mman, process clocks, getpid).
WASI_EMULATIONS = ("mman", "signal", "process-clocks", "getpid")
CMAKE_TOOLCHAIN = "wasi/toolchain.cmake.j2"
CMAKE_PLATFORM = "templates/wasi/Platform"  # cmake's platform module for WASI, read through the toolchain file
MAX_MEMORY = 4 << 30  # wasm32's whole address space, as rustc-main is linked (build.rs edit)
WASI_DEFINES = " ".join(f"-D_WASI_EMULATED_{e.upper().replace('-', '_')}" for e in WASI_EMULATIONS)


@dataclass(frozen=True)
class WasiToolchain:
    kind: str  # "debian" or "wasi-sdk"
    triple: str  # wasm32-wasip1 or wasm32-wasip1-threads
    bin_dir: Path
    sysroot: Path

    def _tool(self, name: str) -> Path:
        """Debian installs versioned names (clang-22); a wasi-sdk plain ones."""
        return self.bin_dir / (f"{name}-22" if self.kind == "debian" else name)

    @property
    def clang(self) -> Path:
        return self._tool("clang")

    @property
    def clangxx(self) -> Path:
        return self._tool("clang++")

    @property
    def ar(self) -> Path:
        return self._tool("llvm-ar")

    @property
    def ranlib(self) -> Path:
        return self._tool("llvm-ranlib")

    @property
    def threads(self) -> bool:
        return self.triple.endswith("-threads")

    @property
    def lib_dir(self) -> Path:
        return self.sysroot / "lib" / self.triple

    def cflags(self) -> str:
        threads = " -pthread -matomics -mbulk-memory" if self.threads else ""
        return f"-O2 {WASI_DEFINES}{threads}"

    def link_flags(self) -> list[str]:
        """Flags of a clang link of a program: a shared memory's maximum defaults to its
        initial size (wasm-ld), so a threads program could never grow its heap."""
        return [f"-Wl,--max-memory={MAX_MEMORY}"] if self.threads else []

    def cmake_toolchain(self) -> str:
        """The cmake toolchain file of the C/C++ steps (it loads templates/wasi/Platform/)."""
        return render_template(
            CMAKE_TOOLCHAIN,
            triple=self.triple,
            clang_major=22,
            clang=self.clang,
            clangxx=self.clangxx,
            ar=self.ar,
            ranlib=self.ranlib,
            sysroot=self.sysroot,
            module_dir=TEMPLATES_DIR / "wasi",
            cflags=self.cflags(),
            cxxflags=self.cflags() + " -fno-exceptions",
            ldflags="",
        )

    def write_cmake_toolchain(self, path: Path) -> Path:
        return write_if_changed(path, self.cmake_toolchain())


def missing_debian_files(triple: str) -> list[str]:
    """What Debian's route for `triple` needs and this machine lacks."""
    tools = ("/usr/bin/clang-22", "/usr/bin/llvm-ar-22", "/usr/bin/llvm-nm-22", str(DEBIAN_LLVM / "bin/llvm-tblgen"))
    missing = [p for p in (*tools, str(DEBIAN_BUILTINS)) if not Path(p).exists()]
    if triple == "wasm32-wasip1" and not (Path("/usr/include/wasm32-wasi") / "pthread.h").exists():
        missing.append("/usr/include/wasm32-wasi/pthread.h (wasi-libc from sid)")
    return missing


def debian_toolchain(build_dir: Path, triple: str = "wasm32-wasip1") -> WasiToolchain:
    """Debian's clang-22. wasm32-wasip1 takes Debian's wasi-libc (sid); the threads host
    builds wasi-libc from source (patcher/wasm_host/wasi_libc.py) into its own sysroot."""
    missing = missing_debian_files(triple)
    if missing:
        raise PatcherError(
            "the WASI toolchain is incomplete: missing " + ", ".join(missing) + ".\n"
            f"  Run `bash tools/setup.sh --wasm-host` (installs {', '.join(DEBIAN_PACKAGES)}),\n"
            "  or pass --wasi-sdk PATH to use a wasi-sdk instead."
        )
    sysroot = build_dir / ("sysroot" if triple == "wasm32-wasip1" else f"sysroot-{triple}")
    return WasiToolchain("debian", triple, Path("/usr/bin"), sysroot)


def wasi_sdk_toolchain(path: Path, triple: str) -> WasiToolchain:
    sysroot = path / "share" / "wasi-sysroot"
    for needed in (path / "bin" / "clang", sysroot / "lib" / triple / "libc++.a"):
        if not needed.exists():
            raise PatcherError(
                f"{path} does not look like a wasi-sdk for {triple}: {needed} is missing.\n"
                "  Expected the layout of a wasi-sdk release (bin/clang, share/wasi-sysroot/lib/<triple>/)."
            )
    return WasiToolchain("wasi-sdk", triple, path / "bin", sysroot)


def assemble_debian_sysroot(toolchain: WasiToolchain) -> None:
    """Copy wasi-libc into the sysroot, without Debian's thread-less libc++."""
    include, lib = toolchain.sysroot / "include" / toolchain.triple, toolchain.lib_dir
    if (lib / "libc.a").exists():
        return
    shutil.copytree("/usr/include/wasm32-wasi", include, symlinks=False, ignore=shutil.ignore_patterns("c++"))
    shutil.copytree("/usr/lib/wasm32-wasi", lib, ignore=shutil.ignore_patterns("libc++*"))


RUNTIMES_ARGS = (
    "-DLLVM_ENABLE_RUNTIMES=libcxx;libcxxabi",
    "-DLIBCXX_ENABLE_THREADS=ON",
    "-DLIBCXX_HAS_PTHREAD_API=ON",
    "-DLIBCXXABI_ENABLE_THREADS=ON",
    "-DLIBCXXABI_HAS_PTHREAD_API=ON",
    "-DLIBCXX_ENABLE_SHARED=OFF",
    "-DLIBCXXABI_ENABLE_SHARED=OFF",
    "-DLIBCXX_ENABLE_EXCEPTIONS=OFF",
    "-DLIBCXXABI_ENABLE_EXCEPTIONS=OFF",
    "-DLIBCXX_ENABLE_FILESYSTEM=OFF",  # LLVM has its own; musl-style copy_file_range is missing
    "-DLIBCXX_CXX_ABI=libcxxabi",
    "-DLIBCXX_HAS_MUSL_LIBC=ON",
    "-DLIBCXX_ENABLE_ABI_LINKER_SCRIPT=OFF",
    "-DLIBCXXABI_USE_LLVM_UNWINDER=OFF",
    "-DLIBCXXABI_SILENT_TERMINATE=ON",
    # wasi-libc has no __cxa_thread_atexit_impl; cmake's check passes anyway (wasm-ld leaves it
    # an import), and rustc.wasm would not instantiate: libc++abi's own fallback instead.
    "-DLIBCXXABI_HAS_CXA_THREAD_ATEXIT_IMPL=OFF",
    "-DLIBCXX_USE_COMPILER_RT=ON",
    "-DLIBCXXABI_USE_COMPILER_RT=ON",
    "-DLIBCXX_ENABLE_TIME_ZONE_DATABASE=OFF",
    "-DLIBCXX_ENABLE_STATIC_ABI_LIBRARY=ON",
    "-DLIBCXX_INCLUDE_TESTS=OFF",
    "-DLIBCXX_INCLUDE_BENCHMARKS=OFF",
    "-DLIBCXXABI_INCLUDE_TESTS=OFF",
    "-DLLVM_INCLUDE_TESTS=OFF",
)


def build_libcxx(
    toolchain: WasiToolchain, llvm_src: Path, build: Path, toolchain_file: Path, extra: list[str], log: Path
) -> None:
    """libc++ and libc++abi with the pthread API, installed into the sysroot."""
    triple = toolchain.triple
    args = [
        *RUNTIMES_ARGS,
        *extra,
        "-DLIBCXX_INSTALL_INCLUDE_DIR=include/c++/v1",
        f"-DLIBCXX_INSTALL_INCLUDE_TARGET_DIR=include/{triple}/c++/v1",
        f"-DLIBCXX_INSTALL_LIBRARY_DIR=lib/{triple}",
        f"-DLIBCXXABI_INSTALL_LIBRARY_DIR=lib/{triple}",
    ]
    configure(llvm_src / "runtimes", build, toolchain_file, toolchain.sysroot, args, log)
    ninja(build, ["install"], log, append=True)


def configure(source: Path, build: Path, toolchain_file: Path, prefix: Path, args: list[str], log: Path) -> None:
    """cmake, every time the step runs: on an existing build directory it only refreshes
    the cache with `args`, and ninja then rebuilds what they changed."""
    build.mkdir(parents=True, exist_ok=True)
    cmd = [
        "cmake", "-G", "Ninja", "-S", str(source), "-B", str(build),
        f"-DCMAKE_TOOLCHAIN_FILE={toolchain_file}", "-DCMAKE_BUILD_TYPE=Release",
        f"-DCMAKE_INSTALL_PREFIX={prefix}", *args,
    ]  # fmt: skip
    run_tool(cmd, log)


def ninja(build: Path, targets: list[str], log: Path, jobs: int | None = None, append: bool = False) -> None:
    cmd = ["ninja", "-C", str(build), *(["-j", str(jobs)] if jobs else []), *targets]
    run_tool(cmd, log, append)


def run_tool(cmd: list[str], log: Path, append: bool = False) -> None:
    """cmake or ninja, its output to `log` (after what the log holds, with `append`)."""
    run_logged(cmd, Path.cwd(), log, show=PROGRESS, append=append)


# Shown on the terminal: every 50th ninja step, failures, cmake errors; the rest is in the log.
PROGRESS = (*(f"[{n}/" for n in range(50, 5000, 50)), "FAILED", "ninja: error", "CMake Error", "ninja: no work")


def resolve(build_dir: Path, wasi_sdk: Path | None, threads: bool) -> WasiToolchain:
    triple = THREADS_TRIPLE if threads else "wasm32-wasip1"
    if wasi_sdk is not None:
        return wasi_sdk_toolchain(wasi_sdk, triple)
    return debian_toolchain(build_dir, triple)


def compiler_rt_builtins(toolchain: WasiToolchain) -> Path:
    """compiler-rt's builtins for wasm32 (libgcc's role: `__multi3`, `__*tf3`, ...)."""
    if toolchain.kind == "debian":
        path = DEBIAN_BUILTINS
    else:
        path = next(iter(sorted(toolchain.bin_dir.parent.glob("lib/clang/*/lib/*/libclang_rt.builtins*.a"))), Path())
    if not path.is_file():
        raise PatcherError(
            f"compiler-rt builtins for wasm32 not found ({path}): install libclang-rt-22-dev-wasm32 "
            "(bash tools/setup.sh --wasm-host), or use a complete wasi-sdk"
        )
    return path


def check_tool(name: str) -> None:
    if shutil.which(name) is None:
        raise PatcherError(f"`{name}` not found: run `bash tools/setup.sh --wasm-host`")
