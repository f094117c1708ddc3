"""`build --host wasm`: the steps that make a compiler for a WebAssembly host.

    llvm-source   LLVM 22.1.8 from Debian's orig tarball, as a git tree (ref `upstream`)
    llvm-patches  the LLVM porting patches (patcher/llvm/patchset.py), by structure
    wasi-libc     Debian route, threads host: wasi-libc built from its vendored source
    sysroot       Debian route: wasi-libc plus libc++ built with the pthread API
    llvm          LLVM's libraries for the WASI host (cmake + ninja, static; threads on the threads host)
    llvm-config   the llvm-config rustc's build reads, describing that LLVM
    llvm-smoke    LLVM's C API compiles a function to a wasm object, under wasmtime
    rustc         rustc.wasm: x.py builds the patched compiler for the wasm host
    install       dist/wasm/: rustc.wasm (precompiled for wasmtime), std, the launcher
    hello         rustc.wasm compiles and links (in-process) hello world; it runs under wasmtime

Every step is resumable (patcher/wasm_host/stages.py); outputs live under build/wasm-host/
(those of the wasm32-wasip1-threads host with a `-wasm32-wasip1-threads` suffix).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import git

from patcher.engine.plan import ReadPristine
from patcher.engine.tree import upstream_reader
from patcher.engine.workspace import Workspace, plan_pristine
from patcher.environment import HOST_BUILD_ENV
from patcher.errors import PatcherError
from patcher.llvm.patchset import VARIANT, llvm_edits, llvm_patch_set
from patcher.paths import work_dir
from patcher.process import run_checked
from patcher.provision import bootstrap_config
from patcher.provision.checkout import open_repo, rustc_workspace
from patcher.provision.llvm_source import LLVM_VERSION, ensure_llvm_source
from patcher.results import results_dir
from patcher.rustc.patchset import DEFAULT_SLOTS, RUSTC_PATCHES, edits_for
from patcher.wasm_host import inputs, llvm_wasi, rustc_wasm, wasi_libc
from patcher.wasm_host import toolchain as wasi_toolchain
from patcher.wasm_host.rustc_wasm import RustcForWasm, hello_world
from patcher.wasm_host.stages import BuildStep, Step, describe_steps, plan_steps, run_steps
from patcher.wasm_host.toolchain import WasiToolchain
from patcher.wasm_host.wasmtime import wasmtime_binary

RESULTS = "wasm-host-build.json"  # in results/


def build_dir() -> Path:
    override = os.environ.get(HOST_BUILD_ENV)
    return Path(override).resolve() if override else work_dir("wasm-host")


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

    def rustc_for_wasm(self) -> RustcForWasm:
        return RustcForWasm(self.checkout, self.toolchain, self.llvm_build / "bin" / "llvm-config", self.root / "bin")

    # -- what the steps read (patcher/wasm_host/inputs.py) ------------------------------
    @property
    def toolchain_setting(self) -> str:
        tc = self.toolchain
        return f"{tc.kind} {tc.triple} {tc.bin_dir} {tc.sysroot} {tc.cflags()}"

    def c_inputs(self) -> tuple[str, ...]:
        """What every C/C++ step reads: the toolchain, its cmake toolchain file and the
        cmake modules that file loads, the compiler launcher."""
        return (
            self.toolchain_setting,
            "cmake toolchain " + inputs.rendered({"toolchain.cmake": self.toolchain.cmake_toolchain()}),
            "cmake platform " + inputs.files(wasi_toolchain.CMAKE_PLATFORM),
            f"launcher {self.launcher or ''}",
        )

    def llvm_pristine(self) -> ReadPristine:
        return upstream_reader(git.Repo(self.llvm_src))

    @cached_property
    def llvm_patched(self) -> str:
        """The patched LLVM tree: the porting patches' planned output on the pristine tree
        (ref `upstream` of llvm-src/, which the llvm-source step made). The steps that
        compile LLVM's sources read this, not the code that plans it, so a change to the
        patch engine that leaves the output alone rebuilds nothing."""
        plan = plan_pristine(llvm_patch_set(), VARIANT, 0, self.llvm_pristine(), str(self.llvm_src))
        return "plan " + inputs.planned(plan)

    def llvm_patches_inputs(self) -> tuple[str, ...]:
        """What the llvm-patches step reads: the patched tree, the templates and the code."""
        return (
            self.llvm_patched,
            "templates " + inputs.templates(*inputs.edit_templates(llvm_edits())),
            "modules " + inputs.modules("patcher.llvm.patchset", "patcher.engine.workspace"),
        )

    @property
    def builds_wasi_libc(self) -> bool:
        """The threads host's C library is built by this tool (the wasi-libc step)."""
        return self.toolchain.kind == "debian" and self.toolchain.threads

    def wasi_libc_inputs(self) -> tuple[str, ...]:
        """What the wasi-libc step reads besides the C toolchain: the vendored source and
        how it is configured."""
        return (
            wasi_libc.WASI_LIBC_TARBALL.sha256,
            " ".join(wasi_libc.cmake_args(self.toolchain)),
            inputs.modules("patcher.wasm_host.wasi_libc"),
        )

    @cached_property
    def rustc_inputs(self) -> tuple[str, ...]:
        """What the rustc step reads: the option's planned files (from the checkout's pristine
        text, as export plans them), bootstrap.toml and the wrappers it writes, the templates
        of both, and the code that applies, configures and runs x.py."""
        checkout = self.checkout
        plan = plan_pristine(
            RUSTC_PATCHES, self.option, DEFAULT_SLOTS, upstream_reader(open_repo(checkout)), str(checkout)
        )
        rustc = self.rustc_for_wasm()
        generated = {str(path): text for path, text in rustc.wrappers().values()}
        generated["bootstrap.toml"] = bootstrap_config.render(wasm_host=rustc.bootstrap_target(write=False))
        templates = (*inputs.edit_templates(edits_for(self.option)), bootstrap_config.TEMPLATE, *rustc_wasm.TEMPLATES)
        code = ("patcher.wasm_host.rustc_wasm", "patcher.engine.workspace", "patcher.provision.bootstrap_config")
        return (
            self.toolchain_setting,
            f"option {self.option} slots {DEFAULT_SLOTS}",
            str(checkout),
            "plan " + inputs.planned(plan),
            "llvm-patches " + self.llvm_patched,  # LLVM's and libc++abi's sources, which rustc.wasm links
            "rendered " + inputs.rendered(generated),
            "templates " + inputs.templates(*templates),
            "modules " + inputs.modules(*code),
        )

    def steps(self) -> list[Step]:
        """This build's steps, in order."""
        return plan_steps(Hello, self)


# -- the steps: each a record of what it ensures first, reads and does -----------------------
class HostStep(BuildStep[WasmHostBuild]):
    """A step of the wasm-host build."""


class LlvmSource(HostStep):
    name = "llvm-source"

    def what(self) -> str:
        return f"LLVM {LLVM_VERSION} sources (Debian orig tarball) as a git tree"

    def inputs(self) -> tuple[str, ...]:
        return (LLVM_VERSION, str(self.build.llvm_src), inputs.modules("patcher.provision.llvm_source"))

    def run(self) -> None:
        ensure_llvm_source(self.build.llvm_src)


class LlvmPatches(HostStep):
    name = "llvm-patches"
    after = (LlvmSource,)

    def what(self) -> str:
        return "LLVM porting patches for WASI (patcher/llvm/patchset.py)"

    def inputs(self) -> tuple[str, ...]:
        return self.build.llvm_patches_inputs()

    def run(self) -> None:
        report = Workspace(open_repo(self.build.llvm_src), llvm_patch_set()).apply(VARIANT, 0)
        print(f"  {len(report.changed)} file(s) written, {len(report.unchanged)} already patched", flush=True)


class WasiLibc(HostStep):
    name = "wasi-libc"

    def applies(self) -> bool:
        return self.build.builds_wasi_libc

    def what(self) -> str:
        return f"{wasi_libc.TOP_DIR} (vendored, sha256 checked) built for {self.build.toolchain.triple}"

    def inputs(self) -> tuple[str, ...]:
        return (*self.build.c_inputs(), *self.build.wasi_libc_inputs())

    def run(self) -> None:
        b = self.build
        log = b.log_dir / f"wasi-libc{b.suffix}.log"
        wasi_libc.build_wasi_libc(b.toolchain, b.root / f"wasi-libc-build{b.suffix}", b.launcher_args(), log)


class Sysroot(HostStep):
    name = "sysroot"
    after = (LlvmPatches, WasiLibc)

    def applies(self) -> bool:
        return self.build.toolchain.kind == "debian"

    def what(self) -> str:
        return "wasi-libc + libc++/libc++abi with the pthread API"

    def inputs(self) -> tuple[str, ...]:
        b = self.build
        return (
            *b.c_inputs(),
            *(b.wasi_libc_inputs() if b.builds_wasi_libc else ()),
            b.llvm_patched,
            " ".join(wasi_toolchain.RUNTIMES_ARGS),
            inputs.modules("patcher.wasm_host.toolchain"),
        )

    def run(self) -> None:
        b = self.build
        if not b.toolchain.threads:  # the threads host's wasi-libc comes from the wasi-libc step
            wasi_toolchain.assemble_debian_sysroot(b.toolchain)
        log = b.log_dir / f"libcxx{b.suffix}.log"
        runtimes = b.root / f"runtimes-build{b.suffix}"
        wasi_toolchain.build_libcxx(b.toolchain, b.llvm_src, runtimes, b.toolchain_file(), b.launcher_args(), log)


LLVM_WASI_CODE = "patcher.wasm_host.llvm_wasi"


class Llvm(HostStep):
    name = "llvm"
    after = (LlvmPatches, Sysroot)

    def what(self) -> str:
        return "LLVM libraries for the WASI host (ninja; ~40 min on 2 cores, resumable)"

    def inputs(self) -> tuple[str, ...]:
        b = self.build
        return (
            *b.c_inputs(),
            b.llvm_patched,
            " ".join(llvm_wasi.cmake_args(b.toolchain)),
            " ".join(llvm_wasi.library_targets()),
            inputs.modules(LLVM_WASI_CODE),
        )

    def run(self) -> None:
        b = self.build
        log = b.log_dir / f"llvm{b.suffix}.log"
        llvm_wasi.build_llvm(b.toolchain, b.llvm_src, b.llvm_build, b.toolchain_file(), b.launcher_args(), log)


class LlvmConfig(HostStep):
    name = "llvm-config"
    after = (Llvm,)

    def what(self) -> str:
        return "llvm-config describing the WASI LLVM to rustc's build"

    def inputs(self) -> tuple[str, ...]:
        b = self.build
        path, text = llvm_wasi.render_llvm_config(b.toolchain, b.llvm_src, b.llvm_build)
        return (
            b.toolchain_setting,
            inputs.rendered({str(path): text}),
            inputs.templates(llvm_wasi.LLVM_CONFIG_TEMPLATE),
            inputs.modules(LLVM_WASI_CODE),
        )

    def run(self) -> None:
        b = self.build
        path = llvm_wasi.write_llvm_config(b.toolchain, b.llvm_src, b.llvm_build)
        components = run_checked([str(path), "--components"], "llvm-config --components").split()
        missing = [c for c in llvm_wasi.RUSTC_COMPONENTS if c not in components]
        if missing:
            raise PatcherError(f"{path} lacks components rustc requires: {', '.join(missing)}")
        print(f"  {path}", flush=True)


class LlvmSmoke(HostStep):
    name = "llvm-smoke"
    after = (LlvmConfig,)

    def what(self) -> str:
        return "LLVM's C API compiles a function to a wasm object, under wasmtime"

    def inputs(self) -> tuple[str, ...]:
        return (self.build.toolchain_setting, inputs.files(llvm_wasi.SMOKE_SOURCE), inputs.modules(LLVM_WASI_CODE))

    def run(self) -> None:
        b = self.build
        print(f"  {llvm_wasi.smoke_test(b.toolchain, b.llvm_src, b.llvm_build, wasmtime_binary())}", flush=True)


class Rustc(HostStep):
    name = "rustc"
    after = (LlvmConfig, LlvmSmoke)  # the smoke test gates the long build

    def what(self) -> str:
        return "rustc.wasm: x.py stage 2 for the wasm host (resumable)"

    def inputs(self) -> tuple[str, ...]:
        return self.build.rustc_inputs

    def outputs(self) -> tuple[Path, ...]:
        return self.build.rustc_for_wasm().products

    def run(self) -> None:
        b = self.build
        report = rustc_workspace(b.checkout).apply(b.option, DEFAULT_SLOTS)
        print(f"  option {b.option}: {len(report.changed)} file(s) written", flush=True)
        rustc = b.rustc_for_wasm()
        bootstrap_config.write(b.checkout, wasm_host=rustc.bootstrap_target())
        rustc.build(b.log_dir / f"rustc{b.suffix}.log")


# a new rustc.wasm is installed and checked again: the steps below read rustc's inputs too
LAUNCHER_CODE = ("patcher.wasm_host.rustc_wasm", "patcher.wasm_host.wasmtime")


class Install(HostStep):
    name = "install"
    after = (Rustc,)

    def what(self) -> str:
        return f"{self.build.dist}: rustc.wasm precompiled for wasmtime, std, launcher"

    def inputs(self) -> tuple[str, ...]:
        b = self.build
        launcher = inputs.templates(rustc_wasm.LAUNCHER)
        return (*b.rustc_inputs, str(b.dist), launcher, inputs.modules(*LAUNCHER_CODE))

    def run(self) -> None:
        b = self.build
        print(f"  {b.rustc_for_wasm().install(b.dist, b.option, wasmtime_binary())}", flush=True)


class Hello(HostStep):
    name = "hello"
    after = (Install,)

    def what(self) -> str:
        return "rustc.wasm compiles and links hello world alone; it runs under wasmtime"

    def inputs(self) -> tuple[str, ...]:
        b = self.build
        return (*b.rustc_inputs, str(b.dist), inputs.modules(*LAUNCHER_CODE))

    def run(self) -> None:
        b = self.build
        print(f"  {hello_world(b.rustc_for_wasm(), b.dist, b.root / 'hello', wasmtime_binary())}", flush=True)


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
    run_steps(build.steps(), state_file, results_dir() / RESULTS, until)
    if until is None:
        print(f"rustc for {toolchain.triple}: {build.dist / 'bin' / 'rustc'} (runs rustc.wasm under wasmtime)")
    return 0
