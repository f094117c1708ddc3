"""LLVM built to run on the WASI host: cmake settings, the libraries rustc links, and
the llvm-config that describes them to rustc's build."""

from __future__ import annotations

import sys
from pathlib import Path

from patcher.engine.render import render_template, write_if_changed
from patcher.paths import REPO_ROOT
from patcher.process import run_checked
from patcher.provision.download import sha256_of
from patcher.wasm_host.toolchain import DEBIAN_LLVM, WASI_EMULATIONS, WasiToolchain, configure, ninja
from patcher.wasm_host.wasmtime import program_options

NATIVE_LLVM_CONFIG = DEBIAN_LLVM / "bin" / "llvm-config"
LLVM_TARGETS = ("WebAssembly",)
# The components rustc_llvm's build script requires (REQUIRED_COMPONENTS) plus the targets.
RUSTC_COMPONENTS = ("ipo", "bitreader", "bitwriter", "linker", "asmparser", "lto", "coverage", "instrumentation")
# lld's wasm port, linked into rustc.wasm so that it links its own output (WASI cannot spawn
# rust-lld): its libraries, and the LLVM components they need beyond rustc's.
LLD_LIBRARIES = ("lldWasm", "lldCommon")
LLD_COMPONENTS = ("option", "debuginfodwarf", "demangle", "passes", "profiledata", "codegen", "target")

# Static, no tools, nothing WASI lacks (dlopen, terminfo, zlib, backtraces); threads only
# on a threads host (cmake_args); tablegen comes from Debian's llvm-22-tools, the same version.
# lld is configured as a project (from llvm/tools, hence LLVM_INCLUDE_TOOLS) but neither it
# nor any tool is built: ninja builds only library_targets().
CMAKE_ARGS = (
    "-DLLVM_ENABLE_PIC=OFF",
    "-DLLVM_BUILD_STATIC=ON",
    "-DBUILD_SHARED_LIBS=OFF",
    "-DLLVM_BUILD_TOOLS=OFF",
    "-DLLVM_INCLUDE_TOOLS=ON",
    "-DLLVM_TOOL_LLVM_CONFIG_BUILD=OFF",
    "-DLLVM_INCLUDE_UTILS=OFF",
    "-DLLVM_BUILD_UTILS=OFF",
    "-DLLVM_INCLUDE_TESTS=OFF",
    "-DLLVM_INCLUDE_EXAMPLES=OFF",
    "-DLLVM_INCLUDE_BENCHMARKS=OFF",
    "-DLLVM_INCLUDE_DOCS=OFF",
    "-DLLVM_INCLUDE_RUNTIMES=OFF",
    "-DLLVM_ENABLE_ZLIB=OFF",
    "-DLLVM_ENABLE_ZSTD=OFF",
    "-DLLVM_ENABLE_LIBXML2=OFF",
    "-DLLVM_ENABLE_LIBEDIT=OFF",
    "-DLLVM_ENABLE_LIBPFM=OFF",
    "-DLLVM_ENABLE_TERMINFO=OFF",
    "-DLLVM_ENABLE_CURL=OFF",
    "-DLLVM_ENABLE_HTTPLIB=OFF",
    "-DLLVM_ENABLE_BACKTRACES=OFF",
    "-DLLVM_ENABLE_CRASH_OVERRIDES=OFF",
    "-DLLVM_ENABLE_UNWIND_TABLES=OFF",
    "-DLLVM_ENABLE_EH=OFF",
    "-DLLVM_ENABLE_RTTI=OFF",
    "-DLLVM_ENABLE_PLUGINS=OFF",
    "-DHAVE_DLOPEN=",
    "-DLLVM_ENABLE_PROJECTS=lld",
    "-DLLD_BUILD_TOOLS=OFF",
)


def cmake_args(toolchain: WasiToolchain) -> list[str]:
    threads = "ON" if toolchain.threads else "OFF"
    return [
        f"-DLLVM_TARGETS_TO_BUILD={';'.join(LLVM_TARGETS)}",
        f"-DLLVM_HOST_TRIPLE={toolchain.triple}",
        f"-DLLVM_DEFAULT_TARGET_TRIPLE={toolchain.triple}",
        f"-DLLVM_ENABLE_THREADS={threads}",
        *CMAKE_ARGS,
        f"-DLLVM_TABLEGEN={DEBIAN_LLVM / 'bin' / 'llvm-tblgen'}",
        f"-DLLVM_NATIVE_TOOL_DIR={DEBIAN_LLVM / 'bin'}",
    ]


def linked_components() -> list[str]:
    """The LLVM components rustc.wasm links: rustc's, lld's and the targets'."""
    return [*RUSTC_COMPONENTS, *LLD_COMPONENTS, *(t.lower() for t in LLVM_TARGETS)]


def library_targets() -> list[str]:
    """The ninja targets of the static libraries rustc.wasm links: lld's, then LLVM's (as
    the native llvm-config of the same version resolves them), without Debian's Polly."""
    out = run_checked(
        [str(NATIVE_LLVM_CONFIG), "--link-static", "--libnames", *linked_components()], "llvm-config --libnames"
    ).split()
    return [*LLD_LIBRARIES, *(lib.removeprefix("lib").removesuffix(".a") for lib in out if "Polly" not in lib)]


def build_llvm(
    toolchain: WasiToolchain, llvm_src: Path, build: Path, toolchain_file: Path, extra: list[str], log: Path
) -> None:
    configure(llvm_src / "llvm", build, toolchain_file, build / "install", [*cmake_args(toolchain), *extra], log)
    ninja(build, library_targets(), log)


SMOKE_COMPONENTS = ("core", "analysis", "object", "webassembly")


def smoke_test(toolchain: WasiToolchain, llvm_src: Path, build: Path, wasmtime: Path) -> str:
    """Compile templates/wasi/llvm_smoke.c against the WASI LLVM, link it, run it under
    wasmtime; returns what it printed."""
    llvm_config = build / "bin" / "llvm-config"
    libs = run_checked([str(llvm_config), "--libfiles", *SMOKE_COMPONENTS], "llvm-config --libfiles").split()
    source = REPO_ROOT / SMOKE_SOURCE
    obj, module = build / "llvm-smoke.o", build / "llvm-smoke.wasm"
    includes = [f"-I{llvm_src / 'llvm' / 'include'}", f"-I{build / 'include'}"]
    target = [f"--target={toolchain.triple}", f"--sysroot={toolchain.sysroot}"]
    compile_cmd = [str(toolchain.clang), *target, "-O1", *includes, "-c", str(source), "-o", str(obj)]
    run_checked(compile_cmd, "compiling the LLVM smoke test")
    emulated = [f"-lwasi-emulated-{e}" for e in WASI_EMULATIONS]
    link = [str(toolchain.clangxx), *target, *toolchain.link_flags()]
    run_checked([*link, str(obj), *libs, *emulated, "-o", str(module)], "linking the LLVM smoke test")
    run = [str(wasmtime), "run", *program_options(toolchain.threads), str(module)]
    return run_checked(run, "the LLVM smoke test under wasmtime").strip()


def runtime_libraries() -> list[str]:
    """What LLVM needs from the sysroot besides libc and libc++ (which the link adds)."""
    return ["c++abi", *(f"wasi-emulated-{e}" for e in WASI_EMULATIONS)]


LLVM_CONFIG_TEMPLATE = "wasi/llvm-config.py.j2"
SMOKE_SOURCE = "templates/wasi/llvm_smoke.c"  # compiled as it is (not a Jinja template)


def render_llvm_config(toolchain: WasiToolchain, llvm_src: Path, build: Path) -> tuple[Path, str]:
    """The llvm-config rustc's build reads: its path and text."""
    version = run_checked([str(NATIVE_LLVM_CONFIG), "--version"], "llvm-config --version")
    runtime = [toolchain.lib_dir / f"lib{name}.a" for name in runtime_libraries()]
    text = render_template(
        LLVM_CONFIG_TEMPLATE,
        python=sys.executable,
        triple=toolchain.triple,
        native_llvm_config=NATIVE_LLVM_CONFIG,
        version=version.strip(),
        include_dirs=[str(llvm_src / "llvm" / "include"), str(build / "include"), str(llvm_src / "lld" / "include")],
        lib_dir=build / "lib",
        # -stdlib=libc++ tells rustc_llvm's build to link libc++ (not libstdc++).
        cxxflags="-std=c++17 -stdlib=libc++ -fno-exceptions -D__STDC_CONSTANT_MACROS "
        "-D__STDC_FORMAT_MACROS -D__STDC_LIMIT_MACROS " + toolchain.cflags().removeprefix("-O2 "),
        targets=list(LLVM_TARGETS),
        lld_libs=[f"lib{name}.a" for name in LLD_LIBRARIES],
        lld_components=list(LLD_COMPONENTS),
        runtime_libs=[str(path) for path in runtime],
        # rustc_llvm bundles these into its rlib and its build reruns only when llvm-config
        # changes: their contents are in its text, so a rebuilt libc++abi is bundled again.
        runtime_digests=[sha256_of(path) if path.is_file() else "not built yet" for path in runtime],
    )
    return build / "bin" / "llvm-config", text


def write_llvm_config(toolchain: WasiToolchain, llvm_src: Path, build: Path) -> Path:
    path, text = render_llvm_config(toolchain, llvm_src, build)
    return write_if_changed(path, text, executable=True)
