"""The one process runner: every command the tool starts goes through here.

Three ways to run, by what the caller needs: `run_logged` for long builds (full output
to a log, progress lines to the terminal, the log's tail in the error), `run_checked`
for short steps that must succeed (quiet; stdout returned, stderr's tail in the error),
and `capture` for commands whose failure is a result (a test case, a benchmark), with
a timeout that becomes a failed result instead of an exception. `measure` adds the
peak memory of the process tree. `env` is always added to the environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from patcher.errors import PatcherError

TIMED_OUT = -1  # the returncode `capture` reports for a command stopped by its timeout


def environment(env: dict[str, str] | None = None, unset: tuple[str, ...] = ()) -> dict[str, str]:
    """The tool's environment plus `env`, without the variables in `unset`."""
    return {k: v for k, v in {**os.environ, **(env or {})}.items() if k not in unset}


def run_logged(
    cmd: list[str],
    cwd: Path,
    log: Path,
    show: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    unset: tuple[str, ...] = (),
    append: bool = False,
) -> float:
    """Run `cmd`, its output to `log` (after what it holds, with `append`), the lines
    starting with `show` to the terminal; return seconds. `env` is added to the
    environment, `unset` removed."""
    log.parent.mkdir(parents=True, exist_ok=True)
    shown = " ".join(cmd[1:] if cmd[0] == sys.executable else cmd)
    print(f"$ {shown}  (in {cwd}; full log: {log})", flush=True)
    start = time.perf_counter()
    tail: list[str] = []
    with (
        log.open("a" if append else "w", buffering=1) as out,
        subprocess.Popen(
            cmd,
            cwd=cwd,
            env=environment({"RUST_BACKTRACE": "0", **(env or {})}, unset),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        ) as proc,
    ):
        assert proc.stdout is not None
        for line in proc.stdout:
            out.write(line)
            tail = [*tail[-59:], line]
            if line.startswith(show) and show:
                print(f"[{time.perf_counter() - start:6.0f} s] {line}", end="", flush=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise PatcherError(
            f"`{shown}` failed (exit {proc.returncode}) after {seconds:.0f} s; "
            f"rerun to resume. Last lines of {log}:\n{''.join(tail)}"
        )
    return seconds


def run_checked(
    cmd: list[str],
    what: str,
    cwd: str | os.PathLike[str] | None = None,
    env: dict[str, str] | None = None,
    input: bytes | None = None,
) -> str:
    """Run `cmd` quietly; its stdout, or an error naming `what` with its stderr's tail."""
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, input=input, env=environment(env))
    except FileNotFoundError:
        raise PatcherError(f"{what}: `{cmd[0]}` not found") from None
    if proc.returncode != 0:
        stderr = proc.stderr.decode(errors="replace")
        raise PatcherError(f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n{stderr[-4000:]}")
    return proc.stdout.decode(errors="replace")


def capture(
    cmd: list[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    unset: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    """Run `cmd` and return what happened, failure included; a command stopped by
    `timeout` returns TIMED_OUT with the reason as its stderr."""
    env_ = environment(env, unset)
    try:
        return subprocess.run(cmd, cwd=cwd, env=env_, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(cmd, TIMED_OUT, "", f"timed out after {timeout} s")


@dataclass(frozen=True)
class Measured:
    returncode: int
    seconds: float
    peak_mib: float
    stderr: str
    cpu_seconds: float = 0.0  # user + system time: above `seconds` when threads ran in parallel


def measure(cmd: list[str], env: dict[str, str] | None = None) -> Measured:
    """Wall time and peak resident memory of `cmd` and everything it starts (wait4's
    rusage covers waited-for descendants: the launcher's wasmtime, for rustc.wasm)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=environment(env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return Measured(proc.returncode, seconds, usage.ru_maxrss / 1024, stderr.decode(errors="replace"), cpu)
