"""The e2e suite's cases for the wasmtime engine itself (run when the suite asks for it,
on a native host): its compiled-code cache, a missing library, and rustc's own crash
report after a wasm macro ran.

- `engine:cache-hit`: the first compile writes one entry per module; the next leaves it
  untouched (it is read, not compiled again).
- `engine:cache-corrupt`: an entry with one byte changed (the same size: wasmtime would
  load it, it checks no bytes) is compiled again and rewritten, never loaded.
- `engine:library-missing`: asked for by name (`-Z wasm-proc-macro-engine=wasmtime`), a
  missing library is an error naming it; under `auto` the compile falls back to wasmi and
  succeeds; a value that names no engine is refused.
- `engine:rustc-crash-report`: a SIGSEGV while a guest runs is reported by rustc's own
  handler ("rustc interrupted by SIGSEGV"), as natively: wasmtime installs no handler.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from patcher.environment import COMPILED_CACHE_ENV, ENGINE_ENV, FUEL_ENV, WASMTIME_LIBRARY_ENV
from patcher.process import environment
from patcher.suite.outcome import Outcome

# compile(program name, extra environment, extra arguments) -> (returncode, stderr), as the
# suite compiles
Compile = Callable[[str, dict[str, str], list[str]], tuple[int, str]]
CRASH_REPORT = "rustc interrupted by SIGSEGV"


class EngineCases:
    def __init__(self, compile: Compile, command: Callable[[str, dict[str, str]], list[str]], work: Path):
        self.compile = compile
        self.command = command  # the compile's command line, to run it by hand
        self.cache = work / "compiled-cache"

    def run(self) -> Iterator[Outcome]:
        yield from self.cache_hit_and_corruption()
        yield self.library_missing()
        yield self.crash_report()

    def cache_hit_and_corruption(self) -> Iterator[Outcome]:
        for old in self.cache.glob("*"):
            old.unlink()
        env = {COMPILED_CACHE_ENV: str(self.cache), ENGINE_ENV: "wasmtime"}
        start = time.perf_counter()
        first = self.compile("simple_derive", env, [])
        entries = sorted(self.cache.glob("*.cwasm"))
        problem = _failed(first, "first compile")
        if not problem and len(entries) != 1:
            problem = f"expected one cached entry for the `basic` module, found {[e.name for e in entries]}"
        if not problem:
            before = (entries[0].stat().st_mtime_ns, entries[0].read_bytes())
            problem = _failed(self.compile("simple_derive", env, []), "second compile")
            if not problem and (entries[0].stat().st_mtime_ns, entries[0].read_bytes()) != before:
                problem = "the second compile rewrote the entry: it was not a hit"
        yield Outcome("engine:cache-hit", not problem, time.perf_counter() - start, problem)

        start = time.perf_counter()
        if not problem:
            good = entries[0].read_bytes()
            middle = len(good) // 2
            entries[0].write_bytes(good[:middle] + bytes([good[middle] ^ 0xFF]) + good[middle + 1 :])
            problem = _failed(self.compile("simple_derive", env, []), "compile with a corrupt entry")
            if not problem and entries[0].read_bytes() != good:
                problem = "the corrupt entry was not replaced by a fresh compile"
        yield Outcome("engine:cache-corrupt", not problem, time.perf_counter() - start, problem)

    def library_missing(self) -> Outcome:
        start = time.perf_counter()
        missing = "/nonexistent/libwasmtime.so"
        without = {WASMTIME_LIBRARY_ENV: missing, ENGINE_ENV: "auto"}
        asked = self.compile("simple_derive", without, ["-Zwasm-proc-macro-engine=wasmtime"])
        expected = f"the wasmtime engine was asked for, but {missing} does not exist"
        problem = ""
        if asked[0] != 1 or expected not in asked[1]:
            problem = f"asked for by name: expected exit 1 with {expected!r}; got exit {asked[0]}:\n{asked[1][-2000:]}"
        else:
            problem = _failed(self.compile("simple_derive", without, []), "auto without the library (wasmi)")
        if not problem:
            bad = self.compile("simple_derive", {}, ["-Zwasm-proc-macro-engine=v8"])
            wanted = '-Z wasm-proc-macro-engine="v8": expected `auto`, `wasmi` or `wasmtime`'
            if bad[0] != 1 or wanted not in bad[1]:
                problem = f"an unknown engine: expected exit 1 with {wanted!r}; got exit {bad[0]}:\n{bad[1][-2000:]}"
        return Outcome("engine:library-missing", not problem, time.perf_counter() - start, problem)

    def crash_report(self) -> Outcome:
        """SIGSEGV sent while the endless macro runs under wasmtime."""
        start = time.perf_counter()
        cmd = self.command("hostile_loops", {})
        # RUSTC_BOOTSTRAP: the -Z flags of option B, as the suite's compiles have it
        env = environment({ENGINE_ENV: "wasmtime", FUEL_ENV: "1000000000000000", "RUSTC_BOOTSTRAP": "1"})
        log = self.cache.parent / "crash-report.stderr"
        with log.open("w") as err, subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err) as proc:
            time.sleep(3)  # loaded, compiled and looping
            proc.send_signal(signal.SIGSEGV)
            # rustc's handler prints its report and returns (a signal sent by kill does not
            # fault again), so the endless macro goes on: wait for the report, then stop it
            deadline = time.monotonic() + 30
            while CRASH_REPORT not in log.read_text(errors="replace") and time.monotonic() < deadline:
                time.sleep(0.2)
            proc.kill()
        stderr = log.read_text(errors="replace")
        problem = ""
        if CRASH_REPORT not in stderr:
            problem = f"expected rustc's own report ({CRASH_REPORT!r}), exit {proc.returncode}:\n{stderr[-2000:]}"
        return Outcome("engine:rustc-crash-report", not problem, time.perf_counter() - start, problem)


def _failed(result: tuple[int, str], what: str) -> str:
    code, stderr = result
    return "" if code == 0 else f"{what} failed (exit {code}):\n{stderr[-2000:]}"
