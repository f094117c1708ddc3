"""`build --host wasm`: the steps that make a compiler for a WebAssembly host.

    llvm-source   LLVM 22.1.8 from Debian's orig tarball, as a git tree (ref `upstream`)
    llvm-patches  the LLVM porting patches (patcher/llvm/patchset.py), by structure
    sysroot       Debian route: wasi-libc plus libc++ built with the pthread API
    llvm          LLVM's libraries for the WASI host (cmake + ninja, static, no threads)
    llvm-config   the llvm-config rustc's build reads, describing that LLVM
    llvm-smoke    LLVM's C API compiles a function to a wasm object, under wasmtime
    rustc         rustc.wasm: x.py builds the patched compiler for the wasm host
    install       dist/wasm/: rustc.wasm (precompiled for wasmtime), std, the launcher
    hello         rustc.wasm compiles hello world; linked natively, it runs under wasmtime

Every step is resumable (patcher/wasm_host/stages.py); outputs live under build/wasm-host/.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from patcher.build.install import installed
from patcher.build.process import run_checked
from patcher.engine.workspace import Workspace
from patcher.errors import PatcherError
from patcher.llvm import wasi as llvm_wasi
from patcher.llvm.patchset import VARIANT, llvm_patch_set
from patcher.llvm.source import LLVM_VERSION, ensure_llvm_source
from patcher.paths import REPO_ROOT
from patcher.provision import bootstrap_config
from patcher.rustc.patchset import DEFAULT_SLOTS
from patcher.suite import e2e as e2e_suite
from patcher.wasm_host import toolchain as wasi_toolchain
from patcher.wasm_host.rustc_wasm import RustcForWasm, hello_world, link_natively
from patcher.wasm_host.stages import Step, describe_steps, run_steps
from patcher.wasm_host.toolchain import WasiToolchain
from patcher.wasm_host.wasmtime import wasmtime_binary

RESULTS = Path("results") / "wasm-host-build.json"
PATCH_SOURCES = ("patcher/llvm/patchset.py", "patcher/engine/cpp_edits.py", "templates/llvm")
# what rustc's edits come from: every option's record and the core (patcher/rustc/), the
# edit kinds and engine, the step itself, the templates
RUSTC_SOURCES = ("patcher/rustc", "patcher/engine", "patcher/wasm_host/rustc_wasm.py", "templates")


def build_dir() -> Path:
    override = os.environ.get("RUSTC_WASM_HOST_BUILD")
    return Path(override).resolve() if override else REPO_ROOT / "build" / "wasm-host"


@dataclass(frozen=True)
class WasmHostBuild:
    root: Path
    toolchain: WasiToolchain
    launcher: str | None  # sccache or ccache for C/C++ compiles
    checkout: Path
    option: str
    dist: Path

    @property
    def llvm_src(self) -> Path:
        return self.root / "llvm-src"

    @property
    def suffix(self) -> str:
        """Build directories of the default host (wasm32-wasip1) carry no suffix; others
        (wasm32-wasip1-threads) are kept side by side."""
        return "" if self.toolchain.triple == "wasm32-wasip1" else f"-{self.toolchain.triple}"

    @property
    def llvm_build(self) -> Path:
        return self.root / f"llvm-build{self.suffix}"

    @property
    def log_dir(self) -> Path:
        return self.root / "logs"

    def toolchain_file(self) -> Path:
        return self.toolchain.write_cmake_toolchain(self.root / f"toolchain{self.suffix}.cmake")

    def launcher_args(self) -> list[str]:
        if not self.launcher:
            return []
        return [f"-DCMAKE_C_COMPILER_LAUNCHER={self.launcher}", f"-DCMAKE_CXX_COMPILER_LAUNCHER={self.launcher}"]

    # -- steps ----------------------------------------------------------------------
    def source(self) -> None:
        ensure_llvm_source(self.llvm_src)

    def patches(self) -> None:
        outcome = Workspace(self.llvm_src, llvm_patch_set()).apply(VARIANT, 0)
        print(f"  {len(outcome.changed)} file(s) written, {len(outcome.unchanged)} already patched", flush=True)

    def sysroot(self) -> None:
        wasi_toolchain.assemble_debian_sysroot(self.toolchain)
        wasi_toolchain.build_libcxx(
            self.toolchain,
            self.llvm_src,
            self.root / f"runtimes-build{self.suffix}",
            self.toolchain_file(),
            self.launcher_args(),
            self.log_dir / "libcxx.log",
        )

    def llvm(self) -> None:
        llvm_wasi.build_llvm(
            self.toolchain, self.llvm_src, self.llvm_build, self.toolchain_file(), self.launcher_args(),
            self.log_dir / "llvm.log",
        )  # fmt: skip

    def llvm_config(self) -> None:
        path = llvm_wasi.write_llvm_config(self.toolchain, self.llvm_src, self.llvm_build)
        components = run_checked([str(path), "--components"], "llvm-config --components").split()
        missing = [c for c in llvm_wasi.RUSTC_COMPONENTS if c not in components]
        if missing:
            raise PatcherError(f"{path} lacks components rustc requires: {', '.join(missing)}")
        print(f"  {path}", flush=True)

    def smoke(self) -> None:
        out = llvm_wasi.smoke_test(self.toolchain, self.llvm_src, self.llvm_build, wasmtime_binary())
        print(f"  {out}", flush=True)

    def rustc_for_wasm(self) -> RustcForWasm:
        return RustcForWasm(self.checkout, self.toolchain, self.llvm_build / "bin" / "llvm-config", self.root / "bin")

    def rustc(self) -> None:
        outcome = Workspace(self.checkout).apply(self.option, DEFAULT_SLOTS)
        print(f"  option {self.option}: {len(outcome.changed)} file(s) written", flush=True)
        rustc = self.rustc_for_wasm()
        bootstrap_config.write(self.checkout, wasm_host=rustc.bootstrap_target())
        rustc.build(self.log_dir / "rustc.log")

    def install(self) -> None:
        launcher = self.rustc_for_wasm().install(self.dist, self.option, wasmtime_binary())
        print(f"  {launcher}", flush=True)

    def hello(self) -> None:
        print(f"  {hello_world(self.rustc_for_wasm(), self.dist, self.root / 'hello', wasmtime_binary())}", flush=True)

    def steps(self) -> list[Step]:
        tc = self.toolchain
        patches = _digest(PATCH_SOURCES)
        toolchain = f"{tc.kind} {tc.triple} {tc.bin_dir} {tc.sysroot} {tc.cflags()}"
        rustc_inputs = (toolchain, self.option, str(self.checkout), _digest(RUSTC_SOURCES))
        steps = [
            Step("llvm-source", f"LLVM {LLVM_VERSION} sources (Debian orig tarball) as a git tree", self.source,
                 (LLVM_VERSION, str(self.llvm_src))),
            Step("llvm-patches", "LLVM porting patches for WASI (patcher/llvm/patchset.py)", self.patches, (patches,)),
        ]  # fmt: skip
        if tc.kind == "debian":
            steps.append(
                Step("sysroot", "wasi-libc + libc++/libc++abi with the pthread API", self.sysroot,
                     (toolchain, " ".join(wasi_toolchain.RUNTIMES_ARGS)))
            )  # fmt: skip
        steps += [
            Step("llvm", "LLVM libraries for the WASI host (ninja; ~40 min on 2 cores, resumable)", self.llvm,
                 (toolchain, patches, " ".join(llvm_wasi.cmake_args(tc)), self.launcher or "")),
            Step("llvm-config", "llvm-config describing the WASI LLVM to rustc's build", self.llvm_config,
                 (toolchain, _digest(("templates/wasi/llvm-config.py.j2", "patcher/llvm/wasi.py")))),
            Step("llvm-smoke", "LLVM's C API compiles a function to a wasm object, under wasmtime", self.smoke,
                 (toolchain, _digest(("templates/wasi/llvm_smoke.c",)))),
            Step("rustc", "rustc.wasm: x.py stage 2 for the wasm host (resumable)", self.rustc, rustc_inputs),
            # a new rustc.wasm is installed and checked again: these steps include rustc's inputs
            Step("install", f"{self.dist}: rustc.wasm precompiled for wasmtime, std, launcher", self.install,
                 (*rustc_inputs, str(self.dist), _digest(("templates/wasi/rustc-launcher.py.j2",)))),
            Step("hello", "rustc.wasm compiles hello world; linked natively, it runs under wasmtime", self.hello,
                 (*rustc_inputs, str(self.dist))),
        ]  # fmt: skip
        return steps


def _digest(paths: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for rel in paths:
        path = REPO_ROOT / rel
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(REPO_ROOT)).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Request:
    """What `build --host wasm` was asked for."""

    checkout: Path
    option: str
    dist: Path
    wasi_sdk: Path | None = None
    threads: bool = False
    cache: str | None = None
    until: str | None = None
    list_only: bool = False


def main(request: Request) -> int:
    root = build_dir()
    toolchain = wasi_toolchain.resolve(root, request.wasi_sdk, request.threads)
    if request.cache:
        wasi_toolchain.check_tool(request.cache)
    build = WasmHostBuild(root, toolchain, request.cache, request.checkout, request.option, request.dist)
    until, list_only = request.until, request.list_only
    state_file = root / f"steps{build.suffix}.json"
    if list_only:
        for line in describe_steps(build.steps(), state_file):
            print(line)
        return 0
    run_steps(build.steps(), state_file, RESULTS, until)
    if until is None:
        print(f"rustc for {toolchain.triple}: {build.dist / 'bin' / 'rustc'} (runs rustc.wasm under wasmtime)")
    return 0


def e2e(checkout: Path, option: str, dist: Path, native_dist: Path) -> int:
    """The end-to-end suite through rustc.wasm: the macros are built, and programs linked,
    by the native patched compiler (`nox -s build`), which is also the reference."""
    compiler, native = installed(dist), installed(native_dist)
    wasmtime = wasmtime_binary()

    def link(rlink: Path, output: Path) -> None:
        link_natively(native.rustc, dist, rlink, output, "wasm32-wasip1")

    host = e2e_suite.WasmHost(link, wasmtime)
    return e2e_suite.main(compiler, checkout, option, "wasm", native=native, wasm_host=host)
