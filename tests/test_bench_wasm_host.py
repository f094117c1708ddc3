"""The rustc.wasm benchmark's bookkeeping, with stand-in compilers: each side gets the same
command line plus its own flags, for its host's target and sysroot, and every side is
reported against the first one."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from patcher.bench import wasm_host as bench
from patcher.build.install import Installed

# A compiler that records which install it is and its arguments.
FAKE_RUSTC = """#!{python}
import json, os, sys
with open(os.environ["FAKE_RUSTC_LOG"], "a") as log:
    log.write(json.dumps([os.path.basename(os.path.dirname(os.path.dirname(sys.argv[0])))] + sys.argv[1:]) + "\\n")
"""


def _compiler(root: Path, host: str) -> Installed:
    (root / "bin").mkdir(parents=True)
    rustc = root / "bin" / "rustc"
    rustc.write_text(FAKE_RUSTC.format(python=sys.executable))
    rustc.chmod(0o755)
    return Installed(root, "c", 64, "id", host)


def test_threads_host_sides_and_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "log.jsonl"
    monkeypatch.setenv("FAKE_RUSTC_LOG", str(log))
    native = _compiler(tmp_path / "native", "x86_64-unknown-linux-gnu")
    threads = _compiler(tmp_path / "wasm-threads", "wasm32-wasip1-threads")
    single = _compiler(tmp_path / "wasm", "wasm32-wasip1")
    sides = [bench.native_side(native, threads), bench.Side("wasm_threads", threads, threads.host)]
    sides += [bench.Side(f"wasm_threads_{n}", threads, threads.host, f) for n, f in bench.THREADS_VARIANTS]
    sides.append(bench.Side("wasm_single", single, single.host))
    case = bench.Case("tiny", "a case", lambda out: ["lib.rs", "--out-dir", str(out)])
    row = bench.compare(case, sides, tmp_path / "work", runs=2)

    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(calls) == 2 * len(sides)
    by_compiler = {(c[0], tuple(c[1:-3])) for c in calls}
    assert ("native", ("--target", "wasm32-wasip1-threads", "--sysroot", str(threads.sysroot))) in by_compiler
    assert ("wasm-threads", ("--target", "wasm32-wasip1-threads", "-Zno-parallel-backend")) in by_compiler
    assert ("wasm-threads", ("--target", "wasm32-wasip1-threads", "-Zthreads=2")) in by_compiler
    assert ("wasm", ("--target", "wasm32-wasip1")) in by_compiler
    assert all(c[-3] == "lib.rs" for c in calls)

    assert row["case"] == "tiny" and "native_time_ratio" not in row
    for side in sides[1:]:
        seconds, base = float(str(row[f"{side.name}_s"])), float(str(row["native_s"]))  # rounded to 1 ms
        # the ratio is of the unrounded medians, rounded to 0.01: allow both roundings
        slack = 0.005 + 0.0005 * (1 + seconds / base) / base
        assert abs(float(str(row[f"{side.name}_time_ratio"])) - seconds / base) <= slack
        assert len(list(row[f"{side.name}_all_s"])) == 2 and float(str(row[f"{side.name}_cpu_s"])) >= 0
