"""The wasm-host build's plumbing: resumable steps and the WASI llvm-config."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from patcher.errors import PatcherError
from patcher.llvm import wasi as llvm_wasi
from patcher.wasm_host.stages import Step, describe_steps, run_steps
from patcher.wasm_host.toolchain import WasiToolchain


def test_steps_resume_skip_and_rerun_on_changed_inputs(tmp_path: Path) -> None:
    ran: list[str] = []
    state, record = tmp_path / "steps.json", tmp_path / "durations.json"

    def boom() -> None:
        ran.append("b")
        raise PatcherError("interrupted")

    steps = [Step("a", "first", lambda: ran.append("a"), ("1",)), Step("b", "second", boom, ("1",))]
    with pytest.raises(PatcherError):
        run_steps(steps, state, record)
    assert ran == ["a", "b"]
    assert "started, unfinished" in describe_steps(steps, state)[1]

    steps[1] = Step("b", "second", lambda: ran.append("b"), ("1",))
    run_steps(steps, state, record)
    assert ran == ["a", "b", "b"]  # a was finished: skipped; b resumed

    run_steps(steps, state, record)
    assert ran == ["a", "b", "b"]  # everything up to date

    steps[0] = Step("a", "first", lambda: ran.append("a"), ("2",))
    run_steps(steps, state, record, until="a")
    assert ran == ["a", "b", "b", "a"]  # changed inputs run again; --until stops there
    assert [r["step"] for r in json.loads(record.read_text())] == ["a", "b", "a"]


def test_until_names_a_step(tmp_path: Path) -> None:
    with pytest.raises(PatcherError, match="no such step"):
        run_steps([Step("a", "x", lambda: None)], tmp_path / "s.json", tmp_path / "r.json", until="zzz")


@pytest.mark.skipif(not llvm_wasi.NATIVE_LLVM_CONFIG.exists(), reason="needs Debian's llvm-22-dev")
def test_llvm_config_reports_the_wasi_build(tmp_path: Path) -> None:
    build, sysroot = tmp_path / "llvm-build", tmp_path / "sysroot"
    (build / "lib").mkdir(parents=True)
    for lib in ("libLLVMSupport.a", "libLLVMDemangle.a"):
        (build / "lib" / lib).write_bytes(b"!<arch>\n")
    toolchain = WasiToolchain("debian", "wasm32-wasip1", Path("/usr/bin"), sysroot)
    config = llvm_wasi.write_llvm_config(toolchain, tmp_path / "src", build)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(config), *args], capture_output=True, text=True)

    libs = run("--link-shared", "--libs", "support").stdout.split()
    assert libs[:2] == [str(build / "lib" / "libLLVMSupport.a"), str(build / "lib" / "libLLVMDemangle.a")]
    assert str(sysroot / "lib" / "wasm32-wasip1" / "libc++abi.a") in libs
    components = run("--components").stdout.split()
    assert "webassembly" in components and "x86" not in components and "ipo" in components
    assert "-stdlib=libc++" in run("--cxxflags").stdout
    missing = run("--libs", "core")
    assert missing.returncode == 1 and "not built yet" in missing.stderr and "libLLVMCore.a" in missing.stderr
    assert run("--host-target").stdout.strip() == "wasm32-wasip1"
