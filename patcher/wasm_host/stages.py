"""Long builds as small resumable steps, in the spirit of rustc's bootstrap.

A build step is a typed unit (`BuildStep`): its name, the steps it ensures first
(`after`), what it reads (`inputs`, patcher/wasm_host/inputs.py) and what it does (`run`).
`plan_steps` orders the units a final step needs; `run_steps` runs them. A step that
finished with the same fingerprint of its inputs is skipped on the next run, and one that
was interrupted runs again (the tools it drives, ninja and x.py, continue where they
stopped). Durations go to results/."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Generic, TypeVar

from patcher.errors import PatcherError
from patcher.paths import REPO_ROOT
from patcher.results import append_result


@dataclass(frozen=True)
class Step:
    name: str
    what: str  # one line for the progress display
    run: Callable[[], None]
    # everything the step reads (patcher/wasm_host/inputs.py): when it changes, the step runs
    # again; a callable is asked when the step is reached, after the steps before it ran
    inputs: tuple[str, ...] | Callable[[], tuple[str, ...]] = ()
    # what the step leaves where another command may remove it (a native x.py build
    # re-assembles the stage1 sysroot that holds the wasm host's std): if one is gone, the
    # step runs again although its inputs did not change
    outputs: Callable[[], tuple[Path, ...]] = lambda: ()

    def fingerprint(self) -> str:
        inputs = self.inputs() if callable(self.inputs) else self.inputs
        return hashlib.sha256("\0".join(inputs).encode()).hexdigest()[:16]

    def missing_output(self) -> Path | None:
        return next((path for path in self.outputs() if not path.exists()), None)


Context = TypeVar("Context")


class BuildStep(Generic[Context]):
    """One unit of a build over a shared context (the build's settings and derived
    paths). A subclass names itself, the steps it ensures first, and says what it
    reads, what it leaves and what it does; `applies` leaves it out of some builds."""

    name: ClassVar[str]
    after: ClassVar[tuple[type[BuildStep], ...]] = ()  # type: ignore[type-arg]

    def __init__(self, build: Context) -> None:
        self.build = build

    def applies(self) -> bool:
        return True

    def what(self) -> str:
        raise NotImplementedError

    def inputs(self) -> tuple[str, ...]:
        """Everything the step reads: when it changes, the step runs again. Asked when the
        step is reached, after the steps before it ran."""
        return ()

    def outputs(self) -> tuple[Path, ...]:
        """What the step leaves where another command may remove it: if one is gone, the
        step runs again although its inputs did not change."""
        return ()

    def run(self) -> None:
        raise NotImplementedError

    def record(self) -> Step:
        return Step(self.name, self.what(), self.run, self.inputs, self.outputs)


def plan_steps(final: type[BuildStep[Context]], build: Context) -> list[Step]:
    """The steps `final` needs, in order: each after the steps it ensures (depth first,
    each once, as bootstrap's `ensure`); a step that does not apply to `build` is left
    out, the steps it ensures are not."""
    ordered: list[Step] = []
    seen: set[type[BuildStep[Context]]] = set()

    def ensure(kind: type[BuildStep[Context]], path: tuple[str, ...]) -> None:
        if kind.name in path:
            raise PatcherError(f"build steps ensure each other in a circle: {' -> '.join((*path, kind.name))}")
        if kind in seen:
            return
        for dependency in kind.after:
            ensure(dependency, (*path, kind.name))
        seen.add(kind)
        step = kind(build)
        if step.applies():
            ordered.append(step.record())

    ensure(final, ())
    return ordered


def _status(step: Step, done: dict[str, object], fingerprint: str) -> tuple[bool, str]:
    """Whether `step`, whose inputs now have `fingerprint`, is up to date given its recorded
    state, and why not."""
    if not done:
        return False, "not run yet"
    if done.get("fingerprint") != fingerprint:
        return False, "inputs changed: runs again"
    if not done.get("finished"):
        return False, "started, unfinished: resumes"
    missing = step.missing_output()
    if missing is not None:
        return False, f"output gone ({missing}): runs again"
    return True, f"up to date ({done.get('seconds')} s)"


def run_steps(steps: list[Step], state_file: Path, record: Path, until: str | None = None) -> dict[str, float]:
    """Run `steps` in order (up to and including `until`); returns each run step's seconds."""
    names = [s.name for s in steps]
    if until is not None and until not in names:
        raise PatcherError(f"--until {until}: no such step (steps: {', '.join(names)})")
    state = _load(state_file)
    durations: dict[str, float] = {}
    for index, step in enumerate(steps, 1):
        prefix = f"[{index}/{len(steps)}] {step.name}"
        fingerprint = step.fingerprint()
        up_to_date, status = _status(step, state.get(step.name, {}), fingerprint)
        if up_to_date:
            print(f"{prefix}: up to date ({step.what})", flush=True)
        else:
            print(f"{prefix}: {step.what} ({status})", flush=True)
            state[step.name] = {"fingerprint": fingerprint, "finished": False}
            _save(state_file, state)
            start = time.perf_counter()
            step.run()
            seconds = time.perf_counter() - start
            durations[step.name] = seconds
            state[step.name] = {"fingerprint": fingerprint, "finished": True, "seconds": round(seconds)}
            _save(state_file, state)
            _record(record, step.name, seconds)
            print(f"{prefix}: done in {seconds:.0f} s", flush=True)
        if step.name == until:
            break
    return durations


def _load(path: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads(path.read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save(path: Path, state: dict[str, dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1) + "\n")
    tmp.replace(path)


def _record(path: Path, step: str, seconds: float) -> None:
    append_result(path if path.is_absolute() else REPO_ROOT / path, {"step": step, "seconds": round(seconds)})


def describe_steps(steps: list[Step], state_file: Path) -> list[str]:
    """One line per step: up to date, interrupted, stale or not run yet."""
    state = _load(state_file)
    lines = []
    for step in steps:
        try:
            fingerprint = step.fingerprint()
        except (PatcherError, OSError):  # it reads what an earlier step makes
            lines.append(f"{step.name:13} {'not run yet':28} {step.what}")
            continue
        status = _status(step, state.get(step.name, {}), fingerprint)[1]
        lines.append(f"{step.name:13} {status:28} {step.what}")
    return lines
