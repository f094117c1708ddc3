"""e2e/workspace through the cargo route: built natively (the patched rustc, native proc
macros) and with `cargo wasm --strict` (every proc macro from wasm, none native), and
the results compared: the program's behaviour, `cargo test` (doctests included),
`cargo check`, `--release`, diagnostics of macro errors, and an incremental rebuild.

The workspace is copied to build/e2e/ and given a `.cargo/config.toml` that takes
registry crates from the checkout's vendor/, as an offline user's project would.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from patcher.build.install import Installed
from patcher.cargo import modules
from patcher.cargo.wrapper import STRICT_ENV
from patcher.environment import DIST_ENV
from patcher.paths import REPO_ROOT
from patcher.process import capture
from patcher.suite.ice import IceWatch
from patcher.suite.outcome import Outcome
from patcher.wasm_binary import is_module_file

SOURCE = REPO_ROOT / "e2e" / "workspace"
TIMEOUT = 900  # a cold module cache compiles five macros and syn for wasm
MACROS = ("serde_derive", "thiserror_impl", "clap_derive", "tracing_attributes", "ws_macros")
RUNS: tuple[tuple[str, ...], ...] = (
    ("place", "tea", "-q", "3"),
    ("--pretty", "place", "cake"),
    ("parse", '{"id":1,"item":"x","quantity":2,"note":"hot"}'),
    ("parse", '{"id":1,"item":"x","quantity":0}'),
    ("parse", "not json"),
    ("fields",),
    ("--help",),
    ("place", "--help"),
    ("--version",),
    ("frobnicate",),
)
BROKEN_MODEL = """
#[derive(Serialize)]
pub struct Broken {
    #[serde(rename = 1)]
    pub a: u8,
}

#[derive(Debug, thiserror::Error)]
pub enum AlsoBroken {
    #[error("{missing}")]
    A,
}

#[derive(Fields)]
pub enum NotAStruct {
    A,
}
"""
PROGRESS = re.compile(r"^\s*(Compiling|Checking|Finished|Running|Doc-tests|Locking|Blocking|Fresh|Dirty|Engine)\b")


class WorkspaceCases:
    def __init__(
        self,
        compiler: Installed,
        checkout: Path,
        work: Path,
        ice: IceWatch,
        log: Callable[[str], None] = print,
        env: dict[str, str] | None = None,
    ):
        self.compiler = compiler
        self.env = env or {}  # for every cargo run (the engine the suite asks for)
        self.ice = ice  # every rustc cargo starts reports a crash there (RUSTC_ICE)
        self.work = work / "workspace"
        self.project = self.work / "project"
        self.log = log
        self.vendor = checkout / "vendor"

    def run(self) -> list[Outcome]:
        copy_project(self.project, self.vendor)
        for route in ("native", "wasm"):  # clean builds: each run compares from scratch
            shutil.rmtree(self.target(route), ignore_errors=True)
        cases: list[Callable[[], Iterator[Outcome]]] = [
            self.build_and_run,
            self.test,
            self.check_and_release,
            self.strict_refuses_native,
            self.diagnostics,
            self.incremental,
        ]
        outcomes: list[Outcome] = []
        for case in cases:
            outcomes.extend(case())
        return outcomes

    # -- the cases ---------------------------------------------------------------------

    def build_and_run(self) -> Iterator[Outcome]:
        start = time.perf_counter()
        native, wasm = self.cargo("native", "build"), self.cargo("wasm", "build")
        problem = self._failed(native, "native build") or self._failed(wasm, "cargo wasm build")
        problem = problem or self._macros_ran_from_wasm() or self._same_behaviour("debug")
        yield Outcome("cargo:build", not problem, time.perf_counter() - start, problem)
        start = time.perf_counter()
        problem = self._same_build_script_cfgs()
        yield Outcome("cargo:stable-code-paths", not problem, time.perf_counter() - start, problem)

    def _same_build_script_cfgs(self) -> str:
        """The cfgs build scripts chose are the same natively and under `cargo wasm
        --strict`: strict mode unlocks no unstable feature, so thiserror's and
        proc-macro2's probes for nightly APIs fail alike (they did not when strict mode
        set RUSTC_BOOTSTRAP for every crate)."""
        native, wasm = (_build_script_cfgs(self.target(route) / "debug" / "build") for route in ("native", "wasm"))
        if "thiserror" not in native:
            return f"thiserror's build script left no output under {self.target('native')}"
        differing = {pkg: (native[pkg], wasm.get(pkg)) for pkg in native if native[pkg] != wasm.get(pkg)}
        if differing:
            return "build scripts chose other cfgs under cargo wasm (native, wasm): " + repr(differing)
        return ""

    def test(self) -> Iterator[Outcome]:
        start = time.perf_counter()
        native, wasm = self.cargo("native", "test"), self.cargo("wasm", "test")
        problem = self._failed(native, "native cargo test") or self._failed(wasm, "cargo wasm test")
        if not problem:
            results = [_test_lines(p.stdout) for p in (native, wasm)]
            if results[0] != results[1] or not any("src/lib.rs - " in line for line in results[1]):
                problem = f"cargo test differs:\nnative: {results[0]}\nwasm: {results[1]}"
        yield Outcome("cargo:test", not problem, time.perf_counter() - start, problem)

    def check_and_release(self) -> Iterator[Outcome]:
        start = time.perf_counter()
        problem = self._failed(self.cargo("wasm", "check"), "cargo wasm check")
        yield Outcome("cargo:check", not problem, time.perf_counter() - start, problem)
        start = time.perf_counter()
        problem = self._failed(self.cargo("wasm", "build", "--release"), "cargo wasm build --release")
        problem = problem or self._same_behaviour("release")
        yield Outcome("cargo:release", not problem, time.perf_counter() - start, problem)

    def strict_refuses_native(self) -> Iterator[Outcome]:
        """What makes strict mode a proof: with its flag, rustc refuses a native macro (the
        local one, as the native build compiled it)."""
        start = time.perf_counter()
        native = sorted((self.target("native") / "debug" / "deps").glob("libws_macros-*.so"))
        probe = self.work / "strict_probe.rs"
        probe.write_text("extern crate ws_macros;\nfn main() {}\n")
        cmd = [str(self.compiler.rustc), "--edition", "2021", str(probe), "-o", str(self.work / "strict_probe")]
        cmd.append(f"--extern=ws_macros={native[0]}" if native else "--extern=ws_macros")
        # strict mode's stable way in, as the wrapper uses it: no RUSTC_BOOTSTRAP
        proc = capture(cmd, cwd=self.ice.cwd, env={STRICT_ENV: "1"}, unset=("RUSTC_ICE", "RUSTC_BOOTSTRAP"))
        refused = "a native proc macro, refused by `-Z proc-macro-wasm-only`" in proc.stderr
        problem = self.ice.crash(proc.stderr)
        if not problem and not (proc.returncode == 1 and refused):
            problem = f"expected a refusal:\n{proc.stderr[-3000:]}"
        yield Outcome("cargo:strict-refuses-native", not problem, time.perf_counter() - start, problem)

    def diagnostics(self) -> Iterator[Outcome]:
        """Errors reported by the macros (serde, thiserror, the local one) are the same,
        spans included, as with the native macros."""
        start = time.perf_counter()
        lib = self.project / "model" / "src" / "lib.rs"
        original = lib.read_text()
        lib.write_text(original + BROKEN_MODEL)
        try:
            native, wasm = self.cargo("native", "build", "-p", "model"), self.cargo("wasm", "build", "-p", "model")
        finally:
            lib.write_text(original)
        problem = self.ice.crash(native.stderr + wasm.stderr) or _failing_alike(native, wasm)
        yield Outcome("cargo:diagnostics", not problem, time.perf_counter() - start, problem)

    def incremental(self) -> Iterator[Outcome]:
        """After an edit of the binary's source, only the binary is rebuilt."""
        main = self.project / "app" / "src" / "main.rs"
        original = main.read_text()
        self.cargo("wasm", "build")
        main.write_text(original.replace('println!("total: {}"', 'println!("sum: {}"'))
        start = time.perf_counter()
        try:
            proc = self.cargo("wasm", "build")
            problem = self._failed(proc, "incremental cargo wasm build")
            rebuilt = re.findall(r"Compiling (\S+)", proc.stderr)
            if not problem and rebuilt != ["app"]:
                problem = f"expected only app to be rebuilt, cargo rebuilt {rebuilt}"
            if not problem:
                ran = capture([str(self.target("wasm") / "debug" / "app"), *RUNS[0]], timeout=60)
                if "sum: 750" not in ran.stdout:
                    problem = f"the rebuilt program printed {ran.stdout!r}"
        finally:
            main.write_text(original)
        yield Outcome("cargo:incremental", not problem, time.perf_counter() - start, problem)

    # -- running cargo -----------------------------------------------------------------

    def cargo(self, route: str, *args: str, bootstrap: str = "") -> subprocess.CompletedProcess[str]:
        """`cargo <args>` by `route` (see `cargo_command`), in the project, with a target
        directory per route."""
        cmd, env, unset = cargo_command(self.compiler, route, list(args), self.target(route))
        if bootstrap:
            env["RUSTC_BOOTSTRAP"] = bootstrap
            unset = tuple(u for u in unset if u != "RUSTC_BOOTSTRAP")
        proc = capture(cmd, cwd=self.project, env={**env, **self.env, **self.ice.env()}, timeout=TIMEOUT, unset=unset)
        self.log(f"  {route}: cargo {' '.join(args)} -> exit {proc.returncode}")
        return proc

    def _failed(self, proc: subprocess.CompletedProcess[str], what: str) -> str:
        """Why a cargo run that should succeed did not ("" when it did, without a crash)."""
        crashed = self.ice.crash(proc.stderr)
        if crashed:
            return f"{what}: {crashed}"
        if proc.returncode == 0:
            return ""
        return f"{what} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}"

    def target(self, route: str) -> Path:
        return self.work / f"target-{route}"

    def _macros_ran_from_wasm(self) -> str:
        """Every proc macro cargo built is a module; syn was not compiled natively."""
        deps = self.target("wasm") / "debug" / "deps"
        for name in MACROS:
            found = sorted(deps.glob(f"lib{name}-*.so"))
            if not found or not all(map(is_module_file, found)):
                return f"{name}: expected a WebAssembly module at {deps}/lib{name}-*.so, found {found}"
        if any(p.read_bytes()[:4] == b"!<ar" for p in deps.glob("libsyn-*.rlib")):
            return "syn was compiled natively, though only proc macros use it"
        return ""

    def _same_behaviour(self, profile: str) -> str:
        for args in RUNS:
            ran = [
                capture([str(self.target(route) / p / "app"), *args], timeout=60)
                for route, p in (("native", "debug"), ("wasm", profile))
            ]
            got = [(r.returncode, r.stdout, r.stderr) for r in ran]
            if got[0] != got[1]:
                return f"app {' '.join(args)}: native {got[0]!r}, wasm {got[1]!r}"
        return ""


def cargo_command(
    compiler: Installed, route: str, args: list[str], target: Path
) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    """The command, environment and variables to unset for `cargo <args>` natively
    (RUSTC = the patched compiler, proc macros native) or as `cargo wasm --strict <args>`,
    both as on a stable toolchain with no wrapper or flags of the user's."""
    env = {"CARGO": modules.cargo(), "CARGO_TARGET_DIR": str(target)}
    if route == "native":
        env |= {"RUSTC": str(compiler.rustc), "RUSTDOC": str(compiler.sysroot / "bin" / "rustdoc")}
        cmd = [modules.cargo(), *args]
    else:
        env[DIST_ENV] = str(compiler.sysroot)
        cmd = [sys.executable, "-m", "patcher.cargo.front", "--strict", *args]
    return cmd, env, ("RUSTC_WRAPPER", "RUSTFLAGS", "RUSTC_BOOTSTRAP")


def copy_project(dest: Path, vendor: Path) -> Path:
    """A fresh copy of e2e/workspace at `dest`, whose registry crates come from `vendor`."""
    shutil.rmtree(dest, ignore_errors=True)
    # fresh timestamps: cargo judges path sources by mtime, and an older build's target
    # directory must see these sources as newer than its outputs
    shutil.copytree(SOURCE, dest, ignore=shutil.ignore_patterns("target"), copy_function=shutil.copy)
    write_vendored_config(dest, vendor)
    return dest


def write_vendored_config(root: Path, vendor: Path) -> None:
    """`root/.cargo/config.toml`: crates.io crates from `vendor`, offline, as a user's
    offline set-up would say it (cargo reads it for every project below `root`)."""
    config = root / ".cargo" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "# written by rustc-wasm-proc-macros: registry crates from the rustc checkout's vendor/\n"
        "[source.crates-io]\nreplace-with = 'vendored-sources'\n\n"
        f"[source.vendored-sources]\ndirectory = '{vendor}'\n\n[net]\noffline = true\n"
    )


def _failing_alike(native: subprocess.CompletedProcess[str], wasm: subprocess.CompletedProcess[str]) -> str:
    """Why two builds of the broken model did not fail alike, with the same three macro
    errors ("" when they did)."""
    if native.returncode == 0 or wasm.returncode != native.returncode:
        return f"expected both builds to fail alike: native {native.returncode}, wasm {wasm.returncode}"
    diagnostics = [_diagnostics(p.stderr) for p in (native, wasm)]
    if diagnostics[0] != diagnostics[1]:
        return "diagnostics differ:\n--- native\n" + diagnostics[0] + "\n--- wasm\n" + diagnostics[1]
    if diagnostics[0].count("error") < 3:
        return f"expected three macro errors:\n{diagnostics[0]}"
    return ""


def _build_script_cfgs(build_dir: Path) -> dict[str, list[str]]:
    """The `rustc-cfg` lines each package's build script printed, by package name."""
    found: dict[str, list[str]] = {}
    for output in sorted(build_dir.glob("*/output")):
        package = output.parent.name.rsplit("-", 1)[0]
        lines = output.read_text(errors="replace").splitlines()
        found[package] = sorted(line.split("rustc-cfg=", 1)[1] for line in lines if "rustc-cfg=" in line)
    return found


def _test_lines(stdout: str) -> list[str]:
    """The tests run and their results, without timings."""
    lines = (re.sub(r"; finished in \S+", "", line) for line in stdout.splitlines())
    return sorted(line for line in lines if line.startswith(("test ", "running ")))


def _diagnostics(stderr: str) -> str:
    """cargo's stderr without its progress lines or timings."""
    lines = [line for line in stderr.splitlines() if not PROGRESS.match(line)]
    return "\n".join(lines)
