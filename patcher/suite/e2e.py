"""The end-to-end suite: build the test macros (e2e/macros/) to wasm, compile the
programs of e2e/programs/ with the patched compiler under one option, run them and
check their output; check that hostile modules end in clear errors; compare
diagnostics and expansions with the same macros built natively.

A program declares what it expects in `//@` header lines:

    //@ macros: basic describe      the macro crates it uses
    //@ stdout: text                a line the program must print (in order)
    //@ error: text                 compiling must fail (exit 1) with this in stderr
    //@ error-at: 5:1               ...its first error pointing here (line:column in this
                                    file), or `load`: where the macro crate is named
    //@ env: NAME=VALUE             environment for the compiler (`{e2e}`: the e2e directory)
    //@ wasm-only                   no native counterpart (it would crash a native rustc)
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from patcher.build.install import Installed, installed
from patcher.cargo import modules
from patcher.environment import ENGINE_ENV
from patcher.errors import PatcherError
from patcher.paths import REPO_ROOT, work_dir
from patcher.process import TIMED_OUT, capture
from patcher.results import write_result
from patcher.rustc import options
from patcher.suite import expected, fixtures
from patcher.suite.cargo_workspace import WorkspaceCases
from patcher.suite.engine_cases import EngineCases
from patcher.suite.ice import IceWatch
from patcher.suite.outcome import Outcome
from patcher.wasm_host.wasmtime import program_options, wasmtime_binary

E2E_DIR = REPO_ROOT / "e2e"
WORK_DIR = work_dir("e2e")
TIMEOUT = 300  # seconds per compiler run: a hang is a failure, not a stuck suite
# programs whose expansion must be identical with the native and the wasm build of their macros
SAME_EXPANSION = ("all_kinds", "syn_generics")
# On the threads host these are compiled once more with the parallel front end and codegen
# units on several threads (rustc.wasm spawns wasi-threads): the program must still run right.
PARALLEL = ("all_kinds", "syn_generics")
# The parallel front end (which parks threads with memory.atomic.wait32: see the
# parking_lot edit in patcher/rustc/wasm_host.py) and LLVM's codegen units on worker threads.
PARALLEL_FLAGS = ["-Zthreads=2", "-Ccodegen-units=8"]
NATIVE = "native"  # MacroFlags of native proc macros
LOAD = "load"  # an error-at: where the compiled program names its macro crate (see `load_site`)


@dataclass
class Program:
    name: str
    path: Path
    macros: list[str]
    stdout: list[str] = field(default_factory=list)
    error: str | None = None
    error_at: str | None = None  # "line:column" in the program, or LOAD
    env: dict[str, str] = field(default_factory=dict)
    wasm_only: bool = False


def read_program(path: Path) -> Program:
    program = Program(path.stem, path, [])
    for line in path.read_text().splitlines():
        m = re.match(r"//@ ([\w-]+)(?::\s?(.*))?$", line)
        if not m:
            continue
        key, value = m.group(1), (m.group(2) or "")
        if key == "macros":
            program.macros = value.split()
        elif key == "stdout":
            program.stdout.append(value)
        elif key == "error":
            program.error = value
        elif key == "error-at":
            program.error_at = value
        elif key == "env":
            name, _, val = value.partition("=")
            program.env[name] = val.replace("{e2e}", str(E2E_DIR))  # the e2e directory, wherever it is
        elif key == "wasm-only":
            program.wasm_only = True
    return program


def programs() -> list[Program]:
    return [read_program(p) for p in sorted((E2E_DIR / "programs").glob("*.rs"))]


@dataclass(frozen=True)
class MacroFlags:
    """How a compiler is told about a macro crate: per option, or natively."""

    option: str  # a registered option's name, or NATIVE

    @property
    def by_path(self) -> bool:
        """The macros are a crate's: `extern crate`, `name::Macro` and dependents work."""
        return self.option == NATIVE or options.get(self.option).macros_by_path

    def header(self, macros: list[str]) -> str:
        """Line 1 of every compiled program (kept to one line so spans stay comparable)."""
        if not self.by_path:
            return "\n"
        return " ".join(f"#[macro_use] extern crate {m};" for m in macros) + "\n"

    def load_site(self) -> str:
        """Where an error loading a macro crate points: at the `extern crate` of the header
        (line 1; column 14, after `#[macro_use] `) when the macros are a crate's; nowhere in
        the source when a flag alone loads them (the error names the flag's module)."""
        return "1:14" if self.by_path else ""

    def args(self, name: str, artifact: Path) -> list[str]:
        if self.option == NATIVE:
            return ["--extern", f"{name}={artifact}"]
        return options.get(self.option).load_args(name, artifact)


@dataclass(frozen=True)
class DependentCase:
    """A library compiled against the `basic` wasm macro, then a binary using the library.
    `binary_finds` says how the binary's compiler is told of the module: by nothing but
    a search path holding it (`search`), by the same macro flags as the library (`flags`,
    as cargo's RUSTFLAGS give every crate), or not at all (`none`)."""

    name: str
    library: str
    binary: str
    stdout: str
    binary_finds: str


DEPENDENT_CASES = (
    DependentCase("search-path", "derive_lib", "uses_derive_lib", "derive_lib::answer() = 42", "search"),
    DependentCase("same-flags", "derive_lib", "uses_derive_lib", "derive_lib::answer() = 42", "flags"),
    DependentCase("unused-macro", "unused_lib", "uses_unused_lib", "unused_lib::double(21) = 42", "none"),
    DependentCase("unused-macro-same-flags", "unused_lib", "uses_unused_lib", "unused_lib::double(21) = 42", "flags"),
)


@dataclass(frozen=True)
class WasmHost:
    """Driving rustc.wasm (dist/wasm/bin/rustc, under wasmtime): programs are compiled and
    linked (in-process, by the lld built into it) for the host's own target, wasm32-wasip1
    or wasm32-wasip1-threads (dist/wasm-threads/), and run under wasmtime."""

    wasmtime: Path
    sysroot: Path  # dist/wasm: its std for the target, and a rust-lld for the native reference
    target: str = "wasm32-wasip1"

    @property
    def threads(self) -> bool:
        return self.target.endswith("-threads")

    @property
    def label(self) -> str:
        """The host's name in results and work directories."""
        return "wasm-threads" if self.threads else "wasm"

    def run_command(self, binary: Path) -> list[str]:
        return [str(self.wasmtime), "run", *program_options(self.threads), str(binary)]


class Suite:
    def __init__(
        self,
        compiler: Installed,
        checkout: Path,
        option: str,
        log: Callable[[str], None] = print,
        native: Installed | None = None,
        wasm_host: WasmHost | None = None,
        engine: str | None = None,
    ):
        self.compiler = compiler  # the compiler under test
        self.engine = engine  # the wasm proc-macro engine every compile asks for (None: the default)
        self.native_compiler = native or compiler  # builds the macros; the reference for comparisons
        self.wasm_host = wasm_host
        self.checkout = checkout
        self.option = option
        self.log = log
        label = option if wasm_host is None else f"{wasm_host.label}-{option}"
        self.work = WORK_DIR / (f"{label}-{engine}" if engine else label)
        self.work.mkdir(parents=True, exist_ok=True)
        self.ice = IceWatch(self.work)  # every compiler run starts in its directory
        self.wasm: dict[str, Path] = {}
        self.native: dict[str, Path] = {}

    def build_macros(self) -> None:
        for crate in sorted(p for p in (E2E_DIR / "macros").iterdir() if (p / "Cargo.toml").exists()):
            start = time.perf_counter()
            self.wasm[crate.name] = modules.build(crate, self.native_compiler, self.checkout, wasm=True)
            if crate.name != "hostile_wasi":
                self.native[crate.name] = modules.build(crate, self.native_compiler, self.checkout, wasm=False)
            self.log(f"built {crate.name} ({time.perf_counter() - start:.1f} s): {self.wasm[crate.name]}")

    @property
    def engine_env(self) -> dict[str, str]:
        """The environment that asks a compile for the suite's engine."""
        return {ENGINE_ENV: self.engine} if self.engine else {}

    def target_args(self) -> list[str]:
        """What the compiler under test is given to build for its target."""
        return [] if self.wasm_host is None else ["--target", self.wasm_host.target]

    def run_command(self, binary: Path) -> list[str]:
        return [str(binary)] if self.wasm_host is None else self.wasm_host.run_command(binary)

    def compile(
        self,
        program: Program,
        flags: MacroFlags,
        artifacts: dict[str, Path],
        extra: list[str],
        out: Path | None,
        reference: bool = False,
    ) -> tuple[subprocess.CompletedProcess[str], float]:
        """Compile `program` (to `out`; with `out=None`, whatever `extra` prints goes to stdout)
        with the compiler under test, or with the native one (native macros, or `reference`)."""
        cmd = self.compile_command(program, flags, artifacts, extra, out, reference)
        # -Z flags (option B, -Zunpretty) on a compiler built from a stable source
        start = time.perf_counter()
        proc = self.rustc(cmd, {"RUSTC_BOOTSTRAP": "1", **program.env})
        return proc, time.perf_counter() - start

    def compile_command(
        self,
        program: Program,
        flags: MacroFlags,
        artifacts: dict[str, Path],
        extra: list[str],
        out: Path | None,
        reference: bool = False,
    ) -> list[str]:
        """The command line `compile` runs (the program's source written where it names)."""
        source = self.work / flags.option / f"{program.name}.rs"  # the file name is the crate name
        source.parent.mkdir(exist_ok=True)
        source.write_text(flags.header(program.macros) + program.path.read_text())
        under_test = flags.option != NATIVE and not reference
        compiler = self.compiler if under_test else self.native_compiler
        cmd = [str(compiler.rustc), "--edition", "2021", str(source), *extra]
        if under_test:
            cmd += self.target_args()
        if out is not None:
            cmd += ["-o", str(out)]
        for name in program.macros:
            cmd += flags.args(name, artifacts[name])
        return cmd

    def rustc(self, cmd: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """A compiler run, in the ICE watch's directory (RUSTC_ICE unset: reports land there),
        with the suite's engine."""
        env = {**self.engine_env, **(env or {})}
        return capture(cmd, cwd=self.ice.cwd, env=env, timeout=TIMEOUT, unset=("RUSTC_ICE",))

    def run_program(self, program: Program, extra: list[str] | None = None, case: str | None = None) -> Outcome:
        """Compile `program` (with `extra` flags, reported as `case`), run it, check its output."""
        flags = MacroFlags(self.option)
        name = case or program.name
        binary = self.work / name.replace(":", "-")
        proc, seconds = self.compile(program, flags, self.wasm, extra or [], binary)
        problem = self.ice.crash(proc.stderr)
        if problem:
            return Outcome(name, False, seconds, problem)
        if program.error is not None:
            if proc.returncode != 1 or program.error not in proc.stderr:
                return Outcome(
                    name,
                    False,
                    seconds,
                    f"expected exit 1 with {program.error!r}; got exit {proc.returncode}:\n{proc.stderr[-3000:]}",
                )
            problem = _misplaced(proc.stderr, expected_location(program, flags))
            if problem:
                return Outcome(name, False, seconds, problem)
            return self._compare_spans(program, proc.stderr, seconds)
        if proc.returncode != 0:
            return Outcome(name, False, seconds, f"compile failed:\n{proc.stderr[-3000:]}")
        ran = capture(self.run_command(binary), timeout=60)
        lines = ran.stdout.splitlines()
        if ran.returncode != 0 or lines != program.stdout:
            return Outcome(
                name,
                False,
                seconds,
                f"ran with exit {ran.returncode}, stdout {lines!r}, expected {program.stdout!r}",
            )
        return Outcome(name, True, seconds)

    def _compare_spans(self, program: Program, wasm_stderr: str, seconds: float) -> Outcome:
        """An error a wasm macro raises points where the native macro's does; through
        rustc.wasm, the whole of stderr is what the native compiler prints with the same module."""
        if self.wasm_host is not None:
            flags = MacroFlags(self.option)
            proc, _ = self.compile(program, flags, self.wasm, [], self.work / f"{program.name}.native", reference=True)
            diff = _stderr_diff(wasm_stderr, proc.stderr)
            if diff:
                return Outcome(program.name, False, seconds, f"stderr differs from the native compiler's:\n{diff}")
            return Outcome(program.name, True, seconds, "same stderr as the native compiler")
        if program.wasm_only:
            return Outcome(program.name, True, seconds)
        proc, _ = self.compile(program, MacroFlags(NATIVE), self.native, [], self.work / f"{program.name}.native")
        wasm_spans, native_spans = _diagnostics(wasm_stderr), _diagnostics(proc.stderr)
        if wasm_spans != native_spans:
            return Outcome(
                program.name, False, seconds, f"diagnostics differ:\nwasm:   {wasm_spans}\nnative: {native_spans}"
            )
        return Outcome(program.name, True, seconds, f"same diagnostics as native: {wasm_spans}")

    def same_expansion(self, program: Program) -> Outcome:
        """`-Zunpretty=expanded` is identical with the native and the wasm macros (apart
        from the header line naming the macro crates, which option B does without)."""
        names = {f"extern crate {m};" for m in program.macros} | {"#[macro_use]"}
        outputs = []
        for flags, artifacts in ((MacroFlags(self.option), self.wasm), (MacroFlags(NATIVE), self.native)):
            proc, seconds = self.compile(program, flags, artifacts, ["-Zunpretty=expanded"], None)
            if proc.returncode != 0 or "impl" not in proc.stdout:
                return Outcome(f"expansion:{program.name}", False, seconds, proc.stderr[-2000:] or "no output")
            outputs.append([line for line in proc.stdout.splitlines() if line.strip() not in names])
        passed = outputs[0] == outputs[1]
        return Outcome(f"expansion:{program.name}", passed, 0.0, "" if passed else "expanded code differs")

    def dependents(self) -> Iterator[Outcome]:
        """Crates built against a wasm macro are usable by other crates (options A and C,
        whose modules are crates found like any dependency)."""
        module = self.wasm["basic"]
        flags = MacroFlags(self.option).args("basic", module)
        source = E2E_DIR / "dependents"
        rustc = [str(self.compiler.rustc), "--edition", "2021", *self.target_args()]
        for case in DEPENDENT_CASES:
            work = self.work / "dependents" / case.name
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            library = [*rustc, "--crate-type", "rlib", str(source / f"{case.library}.rs"), "--out-dir", str(work)]
            binary = [*rustc, str(source / f"{case.binary}.rs"), "-L", str(work), "-o", str(work / "bin")]
            binary += {"flags": flags, "search": ["-L", str(module.parent)], "none": []}[case.binary_finds]
            start = time.perf_counter()
            problem = self._run_step(library + flags, "library") or self._run_step(binary, "binary")
            if not problem:
                ran = capture(self.run_command(work / "bin"), timeout=60)
                if ran.returncode != 0 or ran.stdout.strip() != case.stdout:
                    problem = f"ran with exit {ran.returncode}, stdout {ran.stdout!r}, expected {case.stdout!r}"
            yield Outcome(f"dependent:{case.name}", not problem, time.perf_counter() - start, problem)

    def link_errors(self) -> Iterator[Outcome]:
        """A program that compiles but does not link: rustc.wasm reports the in-process lld's
        error as the native compiler reports rust-lld's, for the same target and sysroot."""
        assert self.wasm_host is not None
        host = self.wasm_host
        for source in sorted((E2E_DIR / "link_errors").glob("*.rs")):
            work = self.work / "link_errors" / source.stem
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            target = ["--edition", "2021", "--target", host.target, str(source), "-o", str(work / "out.wasm")]
            start = time.perf_counter()
            proc = self.rustc([str(self.compiler.rustc), *target])
            seconds = time.perf_counter() - start
            native_sysroot = ["--sysroot", str(host.sysroot)]
            reference = self.rustc([str(self.native_compiler.rustc), *native_sysroot, *target])
            problem = self.ice.crash(proc.stderr + reference.stderr) or _link_error_mismatch(proc, reference)
            yield Outcome(f"link-error:{source.stem}", not problem, seconds, problem)

    def _run_step(self, cmd: list[str], what: str) -> str:
        """Run one compiler command; what went wrong, or "" when it succeeded."""
        proc = self.rustc(cmd)
        if proc.returncode == TIMED_OUT:
            return f"{what}: timed out after {TIMEOUT} s"
        crashed = self.ice.crash(proc.stderr)
        if crashed or proc.returncode != 0:
            return f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n{crashed or proc.stderr[-3000:]}"
        return ""

    def engine_cases(self) -> Iterator[Outcome]:
        """wasmtime's cache, library and signal handling (patcher/suite/engine_cases.py)."""
        by_name = {p.name: p for p in programs()}
        flags = MacroFlags(self.option)

        def program_with(name: str, env: dict[str, str]) -> Program:
            return dataclasses.replace(by_name[name], env={**by_name[name].env, **env})

        def compile(name: str, env: dict[str, str], extra: list[str]) -> tuple[int, str]:
            proc, _ = self.compile(program_with(name, env), flags, self.wasm, extra, self.work / f"engine-{name}")
            return (101 if self.ice.crash(proc.stderr) else proc.returncode), proc.stderr

        def command(name: str, env: dict[str, str]) -> list[str]:
            return self.compile_command(program_with(name, env), flags, self.wasm, [], self.work / f"engine-{name}")

        return EngineCases(compile, command, self.work).run()

    def hostile_modules(self) -> Iterator[Outcome]:
        """Modules that are broken or too big: each ends in an error naming the problem,
        pointing where the program names the macro crate (or at the derive, for a module
        that loads but misbehaves)."""
        user = Program("module_user", E2E_DIR / "programs" / "simple_derive.rs", ["basic"])
        flags = MacroFlags(self.option)
        for case in fixtures.hostile_modules(
            self.work / "fixtures", self.native_compiler, self.checkout, self.wasm["basic"]
        ):
            program = dataclasses.replace(user, error_at=case.error_at or LOAD)
            proc, seconds = self.compile(program, flags, {"basic": case.path}, [], self.work / "x")
            detail = self.ice.crash(proc.stderr)
            if not detail and (proc.returncode != 1 or case.expect not in proc.stderr):
                detail = f"exit {proc.returncode}, expected {case.expect!r}:\n{proc.stderr[-2000:]}"
            detail = detail or _misplaced(proc.stderr, expected_location(program, flags))
            yield Outcome(f"module:{case.name}", not detail, seconds, detail)

    def run(self) -> list[Outcome]:
        self.build_macros()
        outcomes = []
        for program in programs():
            outcomes.append(self.run_program(program))
            if program.name in SAME_EXPANSION:
                outcomes.append(self.same_expansion(program))
            if self.wasm_host is not None and self.wasm_host.threads and program.name in PARALLEL:
                outcomes.append(self.run_program(program, PARALLEL_FLAGS, f"parallel:{program.name}"))
        # macros that are not a crate's have no dependents; the cargo workspace needs a native
        # host (its build scripts run on the machine that compiles them)
        if MacroFlags(self.option).by_path:
            outcomes.extend(self.dependents())
            if self.wasm_host is None:
                cases = WorkspaceCases(self.compiler, self.checkout, self.work, self.ice, self.log, self.engine_env)
                outcomes.extend(cases.run())
        if self.wasm_host is not None:
            outcomes.extend(self.link_errors())
        outcomes.extend(self.hostile_modules())
        if self.wasm_host is None and self.engine in (None, "wasmtime"):  # a native compiler's default is wasmtime
            outcomes.extend(self.engine_cases())
        host = "native" if self.wasm_host is None else self.wasm_host.label
        missing = expected.differences([o.case for o in outcomes], self.option, host, self.engine)
        if missing:
            outcomes.append(Outcome("suite:cases", False, 0.0, missing))
        for o in outcomes:
            self.log(
                f"{'PASS' if o.passed else 'FAIL'} {o.case} ({o.seconds:.1f} s) {o.detail if not o.passed else ''}"
            )
        return outcomes


def expected_location(program: Program, flags: MacroFlags) -> str | None:
    """Where the program's first error must point in the compiled file ("line:column", ""
    for no location), or None when its header says nothing."""
    if program.error_at is None:
        return None
    if program.error_at == LOAD:
        return flags.load_site()
    line, _, column = program.error_at.partition(":")
    return f"{int(line) + 1}:{column}"  # the compiled file starts with the header line


def error_location(stderr: str) -> str:
    """The "line:column" of the first error's `-->` (its primary span), or "" when the
    first error has none (an error about a command-line flag, say)."""
    diagnostics = _diagnostics(stderr)
    return diagnostics[0][1] if diagnostics else ""


def _misplaced(stderr: str, expected: str | None) -> str:
    """Why the first error is not where `expected` says ("" when it is, or nothing is expected)."""
    if expected is None:
        return ""
    got = error_location(stderr)
    if got == expected:
        return ""
    where = f"at {expected}" if expected else "without a source location"
    return f"the first error should point {where} of the compiled file, not {got or 'nowhere'}:\n{stderr[-2000:]}"


def _stderr_diff(got: str, expected: str) -> str:
    """Empty when the two are the same, else a unified diff (got against expected)."""
    if got == expected:
        return ""
    lines = difflib.unified_diff(expected.splitlines(), got.splitlines(), "native", "wasm host", lineterm="")
    return "\n".join(list(lines)[:80])


def _link_error_mismatch(proc: subprocess.CompletedProcess[str], reference: subprocess.CompletedProcess[str]) -> str:
    """Why rustc.wasm's link error is not rust-lld's as the native compiler reports it ("" when it is)."""
    if proc.returncode != 1 or "linking with `rust-lld` failed" not in proc.stderr:
        return f"expected exit 1 and a link error; got exit {proc.returncode}:\n{proc.stderr[-3000:]}"
    return _stderr_diff(_without_temp_names(proc.stderr), _without_temp_names(reference.stderr))


def _without_temp_names(stderr: str) -> str:
    """A link's temporary names (rustc's `rustcXXXXXX` directory, its object files' hashes)
    differ from run to run."""
    stderr = re.sub(r"rustc[A-Za-z0-9]{6}\b", "rustcXXXXXX", stderr)
    return re.sub(r"\.[0-9a-f]{16,}-cgu\.", ".HASH-cgu.", stderr)


def _diagnostics(stderr: str) -> list[tuple[str, str]]:
    """(message, line:column) of each error, the location relative to the program."""
    found = []
    lines = stderr.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("error"):
            continue
        location = next((lines[j] for j in range(i + 1, min(i + 3, len(lines))) if "--> " in lines[j]), "")
        found.append((line, location.rsplit(".rs:", 1)[-1] if location else ""))
    return found


def write_results(outcomes: list[Outcome], host: str, option: str, engine: str | None = None) -> Path:
    data: dict[str, object] = {
        "host": host,
        "option": option,
        "engine": engine or "default",
        "passed": sum(o.passed for o in outcomes),
        "total": len(outcomes),
        "cases": [{"case": o.case, "passed": o.passed, "seconds": round(o.seconds, 2)} for o in outcomes],
    }
    suffix = f"-engine-{engine}" if engine else ""
    return write_result(f"e2e-{host}-option-{option}{suffix}.json", data)


def _host_flags(wasm_host: WasmHost | None) -> str:
    """The `nox -s build` flags that build the compiler under test."""
    if wasm_host is None:
        return ""
    return " --host wasm --threads" if wasm_host.threads else " --host wasm"


def main(
    compiler: Installed,
    checkout: Path,
    option: str,
    host: str = "native",
    native: Installed | None = None,
    wasm_host: WasmHost | None = None,
    engine: str | None = None,
) -> int:
    """`compiler` is the one under test; with `wasm_host`, it is rustc.wasm and `native`
    builds the macros and is the reference; `engine` (wasmi, wasmtime) is asked of every
    compile, else the compiler's default runs."""
    if compiler.option != option:
        raise PatcherError(
            f"{compiler.sysroot} holds a compiler built for option {compiler.option}, not {option}: "
            f"run `nox -s build -- --option {option}{_host_flags(wasm_host)}` first"
        )
    outcomes = Suite(compiler, checkout, option, native=native, wasm_host=wasm_host, engine=engine).run()
    path = write_results(outcomes, host, option, engine)
    failed = [o for o in outcomes if not o.passed]
    label = f"{host}, option {option}" + (f", engine {engine}" if engine else "")
    print(f"e2e ({label}): {len(outcomes) - len(failed)}/{len(outcomes)} passed; results in {path}")
    return 1 if failed else 0


def main_on_wasm_host(checkout: Path, option: str, dist: Path, native_dist: Path) -> int:
    """The suite through rustc.wasm, which compiles and links every program: the macros
    are built by the native patched compiler (`nox -s build`), which is also the reference
    for diagnostics."""
    compiler, native = installed(dist), installed(native_dist)
    host = WasmHost(wasmtime_binary(), dist, compiler.host or "wasm32-wasip1")
    return main(compiler, checkout, option, host.label, native=native, wasm_host=host)
