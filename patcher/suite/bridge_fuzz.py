"""The bridge fuzzer: thousands of random and mutated bridge messages from a WebAssembly
proc macro (`fuzz!` of e2e/macros/hostile_bridge), through each engine. Every compiler
run must end in expansions or clean errors: never an ICE, an abort or a hang.

A run is `cases` expansions of `fuzz!(seed case messages)`, `CASES_PER_RUN` to a compiler
run. Each expansion makes a derive's worth of valid requests, then `messages` mutations
of them, then an ending of its own; it prints every message before sending it, so the
last line before a crash names the message, and the seed reproduces it anywhere.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from patcher.build.install import Installed
from patcher.cargo import modules
from patcher.environment import ENGINE_ENV
from patcher.errors import PatcherError
from patcher.paths import REPO_ROOT, work_dir
from patcher.process import TIMED_OUT, capture
from patcher.results import write_result
from patcher.rustc import options
from patcher.suite.ice import IceWatch

CRATE = REPO_ROOT / "e2e" / "macros" / "hostile_bridge"
WORK_DIR = work_dir("bridge-fuzz")
ENGINES = ("wasmtime", "wasmi")
CASES_PER_RUN = 200
TIMEOUT = 600  # seconds per compiler run: longer is a hang
# the slow tier's run; `nox -s fuzz -- --cases 100000` is the release check (docs/sandbox.md)
DEFAULT_SEED = 20261205
DEFAULT_CASES = 4000
DEFAULT_MESSAGES = 8

MESSAGE_LINE = re.compile(r"^fuzz (\d+)\.(\d+) (\w+) ([0-9a-f]*)$")
# how an expansion the compiler refused ends, by the words of its error
ENDINGS = {
    "malformed request": "sent a malformed bridge request",
    "malformed reply": "sent a malformed reply",
}


@dataclass
class EngineRun:
    """What the fuzzer saw through one engine."""

    engine: str
    cases: int = 0
    messages: Counter[str] = field(default_factory=Counter)  # by mutation kind
    errors: Counter[str] = field(default_factory=Counter)  # by ending
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {
            "engine": self.engine,
            "cases": self.cases,
            "messages": sum(self.messages.values()),
            "messages_by_kind": dict(sorted(self.messages.items())),
            "errors_by_kind": dict(sorted(self.errors.items())),
            "seconds": round(self.seconds, 1),
            "problems": self.problems,
        }


# what a well-behaved macro expanded after the fuzzed ones must still produce
AFTER_THE_FUZZ = "echo expanded after the fuzzed macros"


def program(seed: int, cases: range, messages: int) -> str:
    """A crate that expands `fuzz!` once per case (each at an item position of its own),
    then a well-behaved macro, whose output must arrive intact."""
    lines = ["#[macro_use] extern crate hostile_bridge;"]
    lines += [f"fuzz!({seed} {case} {messages});" for case in cases]
    lines.append(f'echo! {{ compile_error!("{AFTER_THE_FUZZ}"); }}')
    return "\n".join([*lines, "fn main() {}", ""])


def classify(stderr: str) -> Counter[str]:
    """How the refused expansions ended: each error's kind (by its help message)."""
    kinds: Counter[str] = Counter()
    for message in re.findall(r"= help: message: (.*)", stderr):
        kind = next((k for k, words in ENDINGS.items() if words in message), None)
        kinds[kind or ("no reply" if "without a reply" in message else "compiler could not serve")] += 1
    kinds["other errors"] = len(re.findall(r"^error", stderr, re.M)) - sum(kinds.values())
    return kinds


def last_message(stdout: str) -> str:
    """The last message the guest announced: the one a crash is blamed on."""
    lines = [line for line in stdout.splitlines() if MESSAGE_LINE.match(line)]
    return lines[-1] if lines else "(none)"


class BridgeFuzz:
    def __init__(self, compiler: Installed, checkout: Path, log: Callable[[str], None] = print) -> None:
        self.compiler = compiler
        self.checkout = checkout
        self.log = log
        WORK_DIR.mkdir(parents=True, exist_ok=True)
        self.ice = IceWatch(WORK_DIR)

    def run(self, seed: int, cases: int, messages: int, engines: tuple[str, ...] = ENGINES) -> list[EngineRun]:
        module = modules.build(CRATE, self.compiler, self.checkout, wasm=True)
        return [self.through(engine, module, seed, cases, messages) for engine in engines]

    def through(self, engine: str, module: Path, seed: int, cases: int, messages: int) -> EngineRun:
        result = EngineRun(engine)
        for first in range(0, cases, CASES_PER_RUN):
            batch = range(first, min(cases, first + CASES_PER_RUN))
            source = WORK_DIR / f"fuzz_{engine}_{first}.rs"
            source.write_text(program(seed, batch, messages))
            cmd = [str(self.compiler.rustc), "--edition", "2021", str(source), "-o", str(WORK_DIR / "fuzz-bin")]
            cmd += options.get(self.compiler.option).load_args("hostile_bridge", module)
            start = time.perf_counter()
            proc = capture(
                cmd,
                cwd=self.ice.cwd,
                env={ENGINE_ENV: engine, "RUSTC_BOOTSTRAP": "1"},
                timeout=TIMEOUT,
                unset=("RUSTC_ICE",),
            )
            result.seconds += time.perf_counter() - start
            result.cases += len(batch)
            for line in proc.stdout.splitlines():
                m = MESSAGE_LINE.match(line)
                if m:
                    result.messages[m.group(3)] += 1
            result.errors.update(classify(proc.stderr))
            problem = self.ice.crash(proc.stderr)
            if not problem and proc.returncode not in (0, 1):
                problem = "timed out (a hang)" if proc.returncode == TIMED_OUT else f"exit {proc.returncode}"
            if not problem and AFTER_THE_FUZZ not in proc.stderr:
                problem = "the well-behaved macro after the fuzzed ones did not expand as it should"
            if problem:
                where = last_message(proc.stdout)
                result.problems.append(
                    f"{engine}, seed {seed}, cases {batch.start}..{batch.stop}: {problem}; last message: {where}"
                )
                self.log(f"FAIL {result.problems[-1]}\n{proc.stderr[-3000:]}")
        self.log(
            f"{engine}: {result.cases} expansions, {sum(result.messages.values())} messages in "
            f"{result.seconds:.1f} s; {'no crash' if not result.problems else 'CRASHED'}"
        )
        return result


def main(compiler: Installed, checkout: Path, seed: int, cases: int, messages: int, engines: tuple[str, ...]) -> int:
    runs = BridgeFuzz(compiler, checkout).run(seed, cases, messages, engines)
    path = write_result(
        "bridge-fuzz.json",
        {"seed": seed, "cases": cases, "messages_per_case": messages, "engines": [r.summary() for r in runs]},
    )
    print(f"wrote {path}")
    failed = [p for r in runs for p in r.problems]
    if failed:
        raise PatcherError("the bridge fuzzer crashed the compiler:\n" + "\n".join(failed))
    return 0
