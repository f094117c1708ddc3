"""rustc for the WASI host (rustc.wasm): the x.py build, the install to dist/wasm/, and the
launcher that runs it under wasmtime.

x.py builds rustc.wasm as the stage-2 compiler of host wasm32-wasip1. Its build compiler
is the native stage1 compiler, the LLVM it links is the one the earlier steps built (seen
through their llvm-config), and C, C++ and links go through the wrappers written here
(clang-22 or a wasi-sdk's clang with the sysroot; wasm-ld). The rustc edits that make such
a compiler possible are part of every option (patcher/rustc/wasm_host.py).
"""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from patcher.build.install import give_rust_lld, publish, staging_dir
from patcher.build.native import X_PY_PROGRESS, host_triple
from patcher.engine.render import render_template, write_if_changed
from patcher.errors import PatcherError
from patcher.paths import XPyBuild
from patcher.process import run_checked, run_logged
from patcher.rustc import options
from patcher.rustc.patchset import DEFAULT_SLOTS
from patcher.wasm_host.toolchain import WASI_DEFINES, WasiToolchain, compiler_rt_builtins
from patcher.wasm_host.wasmtime import THREADS_ENGINE, THREADS_RUN, program_options

# x.py's view, plus its warning that the kept native stage1 is reused
X_PY_SHOWN = (*X_PY_PROGRESS, "WARNING: Using a potentially old")
# Build flags that Debian's environment or a user's shell may hold; bootstrap turns
# $LDFLAGS into link args of every target, which wasm-ld rejects.
UNSET_FOR_X_PY = ("LDFLAGS", "RUSTFLAGS", "CFLAGS", "CXXFLAGS")
# wasm frames may use up to this much native stack (rustc recurses deeply); memory may grow
# to the wasm32 maximum.
WASMTIME_OPTIONS = ("-W", "max-wasm-stack=33554432", "-W", "max-memory-size=4294967296")
# The threads host: the threads proposal (shared memory, atomics) in the engine, which the
# precompiled module must match, and wasi-threads' `thread-spawn` when it runs.
# wasmtime runs each wasi-thread on a native thread of its own, with Rust's default 2 MiB
# stack: too little for max-wasm-stack. Its threads get this much (RUST_MIN_STACK).
WASMTIME_THREAD_STACK = 40 << 20
CC_WRAPPER, LD_WRAPPER, LAUNCHER = "wasi/cc-wrapper.sh.j2", "wasi/wasm-ld-wrapper.sh.j2", "wasi/rustc-launcher.py.j2"
TEMPLATES = (CC_WRAPPER, LD_WRAPPER)  # what the rustc step renders besides bootstrap.toml


@dataclass(frozen=True)
class RustcForWasm:
    checkout: Path
    toolchain: WasiToolchain
    llvm_config: Path
    tools_dir: Path  # where the wrappers go

    @property
    def triple(self) -> str:
        return self.toolchain.triple

    @property
    def native(self) -> str:
        return host_triple()

    @property
    def stage1_native(self) -> Path:
        """The build compiler's sysroot, which also receives the std built for the wasm host."""
        return XPyBuild(self.checkout).stage(self.native, 1)

    @property
    def built(self) -> Path:
        return XPyBuild(self.checkout).stage(self.triple, 2) / "bin" / "rustc.wasm"

    @property
    def std(self) -> Path:
        """The std built for the wasm host. It lives in the native stage1 sysroot, which a
        native x.py build re-assembles without it."""
        return self.stage1_native / "lib" / "rustlib" / self.triple / "lib"

    @property
    def products(self) -> tuple[Path, Path]:
        """What the rustc step leaves for install: rustc.wasm and the wasm host's std."""
        return self.built, self.std

    def wrappers(self) -> dict[str, tuple[Path, str]]:
        """The C, C++ and wasm-ld wrappers bootstrap.toml names: each one's path and text."""
        tc = self.toolchain
        builtins = compiler_rt_builtins(tc)
        wrappers = {
            "cc": (CC_WRAPPER, {"what": "The C compiler", "compiler": tc.clang}),
            "cxx": (CC_WRAPPER, {"what": "The C++ compiler", "compiler": tc.clangxx}),
            "linker": (LD_WRAPPER, {}),
        }
        names = {"cc": f"{self.triple}-clang", "cxx": f"{self.triple}-clang++", "linker": f"{self.triple}-wasm-ld"}
        texts = {}
        for key, (template, extra) in wrappers.items():
            text = render_template(
                template,
                triple=self.triple,
                sysroot=tc.sysroot,
                flags=f"{WASI_DEFINES}{' -pthread' if tc.threads else ''}",
                wasm_ld=_wasm_ld(tc),
                lib_dir=tc.lib_dir,
                builtins=builtins,
                **extra,
            )
            texts[key] = (self.tools_dir / names[key], text)
        return texts

    def write_wrappers(self) -> dict[str, Path]:
        return {key: write_if_changed(path, text, executable=True) for key, (path, text) in self.wrappers().items()}

    def bootstrap_target(self, write: bool = True) -> dict[str, object]:
        """The `[target.<wasm host>]` table of bootstrap.toml (patcher/provision/bootstrap_config.py);
        `write=False`: the wrappers' paths without writing them (for the step's fingerprint)."""
        wrappers = self.write_wrappers() if write else {key: path for key, (path, _) in self.wrappers().items()}
        return {
            "triple": self.triple,
            "llvm_config": self.llvm_config,
            "wasi_root": self.toolchain.sysroot,
            "cc": wrappers["cc"],
            "cxx": wrappers["cxx"],
            "ar": self.toolchain.ar,
            "ranlib": self.toolchain.ranlib,
            "linker": wrappers["linker"],
        }

    def keep_native_stage1(self) -> bool:
        """Reuse the native stage1 compiler already built in the checkout: it only compiles
        rustc.wasm, and the wasm-host edits are inert on a native host, so rebuilding it
        (about 13 min here) would change nothing."""
        return any(XPyBuild(self.checkout).triple(self.native).glob("stage1-rustc/*/release/.librustc-stamp"))

    def forget_rustc_link(self) -> None:
        """cargo relinks rustc.wasm only when a Rust input changed, not when the libraries it
        links from where they were built did (LLVM's, libc++); the step runs when any of its
        inputs changed, so it drops rustc-main's fingerprints and cargo links it again.
        (What rustc_llvm bundles, libc++abi among it, is bundled again when llvm-config changes.)"""
        pattern = f"*/stage2-rustc/{self.triple}/release/.fingerprint/rustc-main-*"
        for fingerprint in XPyBuild(self.checkout).root.glob(pattern):
            shutil.rmtree(fingerprint)

    def build(self, log: Path) -> float:
        cmd = [sys.executable, "x.py", "build", "--stage", "2", "compiler/rustc"]
        cmd += ["--host", self.triple, "--target", self.triple]
        if self.keep_native_stage1():
            cmd += ["--keep-stage", "0"]
        self.forget_rustc_link()
        env = {"WASI_SYSROOT": str(self.toolchain.sysroot)}
        return run_logged(cmd, self.checkout, log, X_PY_SHOWN, env=env, unset=UNSET_FOR_X_PY)

    def install(self, dist: Path, option: str, wasmtime: Path) -> Path:
        """dist/wasm/: bin/rustc.wasm (and its wasmtime-precompiled form), the std of the wasm
        target (std_files), a `rust-lld` for the native compiler's reference links (rustc.wasm links
        in-process), and the launcher bin/rustc."""
        built, std = self.products
        if not built.exists():
            raise PatcherError(f"no compiler at {built}: the rustc step did not finish; rerun it")
        if not any(std.glob("libstd-*.rlib")):
            raise PatcherError(f"no std for {self.triple} in {std}: the rustc step did not finish; rerun it")
        staging = staging_dir(dist)
        (staging / "bin").mkdir(parents=True)
        shutil.copy2(built, staging / "bin" / "rustc.wasm")
        target_lib = staging / "lib" / "rustlib" / self.triple / "lib"
        for path in std_files(std):
            copy = target_lib / path.relative_to(std)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
        give_rust_lld(staging, self.native)
        run_logged(
            [
                str(wasmtime),
                "compile",
                *wasmtime_options(self.toolchain.threads, run=False),
                "-o",
                "rustc.cwasm",
                "rustc.wasm",
            ],
            staging / "bin",
            staging / "wasmtime-compile.log",
            show=("Error",),
        )
        write_if_changed(staging / "bin" / "rustc", render_launcher(wasmtime, self.toolchain.threads), executable=True)
        marker = {"option": option, "slots": DEFAULT_SLOTS, "host": self.triple}
        publish(staging, dist, {**marker, "macros_by_path": options.get(option).macros_by_path})
        return dist / "bin" / "rustc"


def std_files(std: Path) -> list[Path]:
    """What a sysroot needs of a target's lib directory in the stage1 sysroot: std and its
    dependencies (each crate's `.rlib` and the `.rmeta` beside it, which holds its full
    metadata) and the self-contained C runtime; not the compiler crates (`.rmeta` alone)
    that x.py also leaves there when it builds rustc.wasm (about 300 MB of 390)."""
    rlibs = sorted(std.glob("*.rlib"))
    metadata = [p.with_suffix(".rmeta") for p in rlibs if p.with_suffix(".rmeta").exists()]
    return sorted([*rlibs, *metadata, *(p for p in (std / "self-contained").rglob("*") if p.is_file())])


def wasmtime_options(threads: bool, run: bool = True) -> tuple[str, ...]:
    """wasmtime's options for rustc.wasm: to precompile it (`run=False`) or to run it."""
    if not threads:
        return WASMTIME_OPTIONS
    return (*WASMTIME_OPTIONS, *THREADS_ENGINE, *(THREADS_RUN if run else ()))


def render_launcher(wasmtime: Path, threads: bool = False) -> str:
    """dist/wasm/bin/rustc: runs the precompiled rustc.cwasm under wasmtime."""
    return render_template(
        LAUNCHER,
        python=sys.executable,
        launcher_name="rustc",
        module="rustc.cwasm",
        wasmtime=wasmtime,
        wasmtime_options=wasmtime_options(threads),
        wasmtime_env={"RUST_MIN_STACK": str(WASMTIME_THREAD_STACK)} if threads else {},
    )


def _wasm_ld(toolchain: WasiToolchain) -> Path:
    return toolchain.bin_dir / ("wasm-ld-22" if toolchain.kind == "debian" else "wasm-ld")


HELLO = 'fn main() {\n    println!("Hello from rustc.wasm");\n}\n'


def hello_world(rustc: RustcForWasm, dist: Path, work: Path, wasmtime: Path) -> str:
    """rustc.wasm compiles and links (with the lld built into it) hello world for its own
    target, with no native compiler or linker; the module runs under wasmtime."""
    # a fresh directory: what the step checks is this run's output, not an earlier one
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    (work / "hello.rs").write_text(HELLO)
    start = time.perf_counter()
    cmd = [str(dist / "bin" / "rustc"), "hello.rs", "--target", rustc.triple, "-o", "hello.wasm"]
    run_checked(cmd, "rustc.wasm compiling and linking hello.rs", work)
    compiled = time.perf_counter() - start
    run = [str(wasmtime), "run", *program_options(rustc.toolchain.threads), "hello.wasm"]
    out = run_checked(run, "running hello.wasm", work)
    if out.strip() != "Hello from rustc.wasm":
        raise PatcherError(f"hello.wasm printed {out!r}, expected 'Hello from rustc.wasm'")
    return f"rustc.wasm compiled and linked hello.rs in {compiled:.1f} s; hello.wasm printed {out.strip()!r}"
