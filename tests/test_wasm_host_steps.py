"""The wasm-host build's plumbing: resumable steps, their fingerprints (derived from what
each step reads) and the WASI llvm-config."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from patcher.engine.plan import Plan, ReadPristine
from patcher.engine.workspace import PatchSet
from patcher.errors import PatcherError
from patcher.llvm import patchset as llvm_patchset
from patcher.paths import REPO_ROOT
from patcher.provision import bootstrap_config
from patcher.provision.llvm_source import pristine_reader
from patcher.rustc import options
from patcher.wasm_host import inputs, llvm_wasi, rustc_wasm
from patcher.wasm_host import steps as wasm_host_steps
from patcher.wasm_host.stages import BuildStep, Step, describe_steps, plan_steps, run_steps
from patcher.wasm_host.steps import WasmHostBuild
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


def test_a_step_whose_output_is_gone_runs_again(tmp_path: Path) -> None:
    """A native x.py build re-assembles the stage1 sysroot and so removes the wasm host's
    std: the rustc step that put it there must run again, not pass as up to date."""
    ran: list[str] = []
    state, record, std = tmp_path / "steps.json", tmp_path / "durations.json", tmp_path / "std"

    def build() -> None:
        ran.append("rustc")
        std.mkdir()

    steps = [Step("rustc", "x.py", build, ("1",), lambda: (std,))]
    run_steps(steps, state, record)
    run_steps(steps, state, record)
    assert ran == ["rustc"]
    std.rmdir()
    assert f"output gone ({std})" in describe_steps(steps, state)[0]
    run_steps(steps, state, record)
    assert ran == ["rustc", "rustc"] and std.is_dir()


def test_until_names_a_step(tmp_path: Path) -> None:
    with pytest.raises(PatcherError, match="no such step"):
        run_steps([Step("a", "x", lambda: None)], tmp_path / "s.json", tmp_path / "r.json", until="zzz")


def test_llvm_config_reports_the_wasi_build(tmp_path: Path) -> None:
    build, sysroot = tmp_path / "llvm-build", tmp_path / "sysroot"
    (build / "lib").mkdir(parents=True)
    # what `--libs support` links: lld's libraries, then LLVM's for support and lld's components
    lld_deps = subprocess.run(
        [str(llvm_wasi.NATIVE_LLVM_CONFIG), "--link-static", "--libnames", "support", *llvm_wasi.LLD_COMPONENTS],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    linked = [f"lib{name}.a" for name in llvm_wasi.LLD_LIBRARIES] + lld_deps
    for lib in linked:
        (build / "lib" / lib).write_bytes(b"!<arch>\n")
    toolchain = WasiToolchain("debian", "wasm32-wasip1", Path("/usr/bin"), sysroot)
    config = llvm_wasi.write_llvm_config(toolchain, tmp_path / "src", build)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(config), *args], capture_output=True, text=True)

    libs = run("--link-shared", "--libs", "support").stdout.split()
    assert libs[:3] == [str(build / "lib" / lib) for lib in ("liblldWasm.a", "liblldCommon.a", linked[2])]
    assert str(build / "lib" / "libLLVMOption.a") in libs
    assert str(sysroot / "lib" / "wasm32-wasip1" / "libc++abi.a") in libs
    assert run("--libnames", "support").stdout.split() == ["libLLVMSupport.a", "libLLVMDemangle.a"]
    assert str(tmp_path / "src" / "lld" / "include") in run("--cxxflags").stdout
    components = run("--components").stdout.split()
    assert "webassembly" in components and "x86" not in components and "ipo" in components
    assert "-stdlib=libc++" in run("--cxxflags").stdout
    missing = run("--libs", "webassembly")
    assert (
        missing.returncode == 1
        and "not built yet" in missing.stderr
        and "libLLVMWebAssemblyCodeGen.a" in missing.stderr
    )
    assert run("--host-target").stdout.strip() == "wasm32-wasip1"


def test_llvm_config_changes_with_the_runtime_libraries_rustc_llvm_bundles(tmp_path: Path) -> None:
    """rustc_llvm's build reruns (and bundles libc++abi again) only when llvm-config changes:
    a rebuilt libc++abi.a must change its text."""
    toolchain = WasiToolchain("debian", "wasm32-wasip1", Path("/usr/bin"), tmp_path / "sysroot")
    abi = toolchain.lib_dir / "libc++abi.a"
    abi.parent.mkdir(parents=True)
    texts = []
    for content in (b"!<arch>\nold", b"!<arch>\nold", b"!<arch>\nnew"):
        abi.write_bytes(content)
        texts.append(llvm_wasi.render_llvm_config(toolchain, tmp_path / "src", tmp_path / "build")[1])
    assert texts[0] == texts[1] != texts[2]


# -- fingerprints derived from what each step reads ------------------------------------------
@pytest.fixture
def host_build(checkout: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], WasmHostBuild]:
    """A fresh WasmHostBuild of option c per call (fingerprints are cached per build), with
    the machine-specific parts (compiler-rt, stage0) fixed so that it needs no wasm-host tools."""
    monkeypatch.setattr(rustc_wasm, "compiler_rt_builtins", lambda tc: Path("/clang-rt/libclang_rt.builtins-wasm32.a"))
    monkeypatch.setattr(bootstrap_config, "stage0_tool", lambda name: Path(f"/stage0/bin/{name}"))
    # one plan per distinct patch set (planning rustc takes seconds)
    plans: dict[str, Plan] = {}
    real_plan = wasm_host_steps.plan_pristine

    def plan(patch_set: PatchSet, variant: str, slots: int, read: ReadPristine, where: str) -> Plan:
        key = repr((patch_set.edits(variant), patch_set.context(variant, slots)))
        if key not in plans:
            plans[key] = real_plan(patch_set, variant, slots, read, where)
        return plans[key]

    monkeypatch.setattr(wasm_host_steps, "plan_pristine", plan)
    monkeypatch.setattr(WasmHostBuild, "llvm_pristine", lambda self: pristine_reader(llvm_patchset.SOURCE_DIRS))
    toolchain = WasiToolchain("debian", "wasm32-wasip1", Path("/usr/bin"), tmp_path / "sysroot")
    return lambda: WasmHostBuild(tmp_path / "wasm-host", toolchain, None, checkout, "c", tmp_path / "dist")


def _fingerprint(build: WasmHostBuild, name: str) -> str:
    return next(step for step in build.steps() if step.name == name).fingerprint()


def _edited(monkeypatch: pytest.MonkeyPatch, rel: str) -> None:
    """Simulate an edit of repository file `rel`, as the step inputs see it."""
    real = inputs.read
    target = REPO_ROOT / rel
    monkeypatch.setattr(inputs, "read", lambda path: real(path) + (b"\n# edited\n" if path == target else b""))


def test_rustc_fingerprint_follows_templates_edits_and_code(
    host_build: Callable[[], WasmHostBuild], monkeypatch: pytest.MonkeyPatch
) -> None:
    base = _fingerprint(host_build(), "rustc")
    assert _fingerprint(host_build(), "rustc") == base
    with monkeypatch.context() as m:  # unrelated files: not read by the rustc step
        for rel in ("patcher/suite/e2e.py", "patcher/bench/compare.py", "templates/wasi/llvm_smoke.c", "README.md"):
            _edited(m, rel)
            assert _fingerprint(host_build(), "rustc") == base, rel
    # a template an edit renders through an import, bootstrap.toml's, a wrapper's
    for rel in ("templates/runtime/slot_macros.j2", "templates/bootstrap.toml.j2", "templates/wasi/cc-wrapper.sh.j2"):
        with monkeypatch.context() as m:
            _edited(m, rel)
            assert _fingerprint(host_build(), "rustc") != base, rel
    # code it runs: an option's record (imported inside a function), the engine
    for rel in ("patcher/rustc/options/c.py", "patcher/engine/plan.py"):
        with monkeypatch.context() as m:
            _edited(m, rel)
            assert _fingerprint(host_build(), "rustc") != base, rel
    # the LLVM and libc++abi sources rustc.wasm links: cargo would not relink for them
    with monkeypatch.context() as m:
        m.setattr(llvm_patchset, "EDITS", llvm_patchset.EDITS[:-1])
        assert _fingerprint(host_build(), "rustc") != base
    # an edit of the option: its planned output changes
    spec = options.get("c")
    options.unregister("c")
    try:
        options.register(replace(spec, edits=spec.edits[:-1]))
        assert _fingerprint(host_build(), "rustc") != base
    finally:
        options.unregister("c")
        options.register(spec)
    assert _fingerprint(host_build(), "rustc") == base


def test_llvm_patches_fingerprint_follows_the_patch_set(
    host_build: Callable[[], WasmHostBuild], monkeypatch: pytest.MonkeyPatch
) -> None:
    base = _fingerprint(host_build(), "llvm-patches")
    with monkeypatch.context() as m:
        _edited(m, "templates/llvm/Signals.inc.j2")
        assert _fingerprint(host_build(), "llvm-patches") != base
    with monkeypatch.context() as m:
        m.setattr(llvm_patchset, "EDITS", llvm_patchset.EDITS[:-1])
        assert _fingerprint(host_build(), "llvm-patches") != base
    with monkeypatch.context() as m:
        _edited(m, "templates/bootstrap.toml.j2")
        assert _fingerprint(host_build(), "llvm-patches") == base


def test_step_inputs_that_do_not_exist_are_errors() -> None:
    with pytest.raises(PatcherError, match="no/such/file does not exist"):
        inputs.files("no/such/file")
    with pytest.raises(PatcherError, match=r"no template wasi/nothing\.j2"):
        inputs.templates("wasi/nothing.j2")
    with pytest.raises(PatcherError, match=r"no module patcher\.nothing"):
        inputs.modules("patcher.nothing")
    with pytest.raises(PatcherError, match="not a module of the `patcher` package"):
        inputs.modules("json")


def test_module_inputs_follow_imports_inside_patcher() -> None:
    found = {str(p.relative_to(REPO_ROOT)) for p in inputs.module_files("patcher.wasm_host.rustc_wasm")}
    assert {"patcher/rustc/options/c.py", "patcher/rustc/patchset.py", "patcher/__init__.py"} <= found
    assert not {"patcher/suite/e2e.py", "patcher/wasm_host/steps.py", "patcher/wasm_host/llvm_wasi.py"} & found


# -- steps as typed units: a new step is a record, ordered by what it ensures ------------------
class _Ctx:
    def __init__(self, ran: list[str], with_docs: bool = True) -> None:
        self.ran, self.with_docs = ran, with_docs


class _Fetch(BuildStep[_Ctx]):
    name = "fetch"

    def what(self) -> str:
        return "fetch the sources"

    def run(self) -> None:
        self.build.ran.append(self.name)


class _Compile(BuildStep[_Ctx]):
    name = "compile"
    after = (_Fetch,)

    def what(self) -> str:
        return "compile"

    def inputs(self) -> tuple[str, ...]:
        return ("compiler 1",)

    def run(self) -> None:
        self.build.ran.append(self.name)


class _Docs(BuildStep[_Ctx]):
    name = "docs"
    after = (_Fetch,)

    def applies(self) -> bool:
        return self.build.with_docs

    def what(self) -> str:
        return "documentation"

    def run(self) -> None:
        self.build.ran.append(self.name)


class _Package(BuildStep[_Ctx]):
    name = "package"
    after = (_Compile, _Docs)

    def what(self) -> str:
        return "package"

    def run(self) -> None:
        self.build.ran.append(self.name)


def test_a_new_step_is_a_record_ordered_by_what_it_ensures(tmp_path: Path) -> None:
    ran: list[str] = []
    steps = plan_steps(_Package, _Ctx(ran))
    assert [s.name for s in steps] == ["fetch", "compile", "docs", "package"]  # each once, after what it ensures
    run_steps(steps, tmp_path / "state.json", tmp_path / "record.json")
    assert ran == ["fetch", "compile", "docs", "package"]
    # a step that does not apply is left out, what it ensures stays
    assert [s.name for s in plan_steps(_Package, _Ctx([], with_docs=False))] == ["fetch", "compile", "package"]


def test_steps_that_ensure_each_other_in_a_circle_are_an_error() -> None:
    class _A(BuildStep[_Ctx]):
        name = "a"

    class _B(BuildStep[_Ctx]):
        name = "b"
        after = (_A,)

    _A.after = (_B,)
    with pytest.raises(PatcherError, match="circle: b -> a -> b"):
        plan_steps(_B, _Ctx([]))


def test_the_wasm_host_steps_in_their_order(tmp_path: Path) -> None:
    toolchain = WasiToolchain("debian", "wasm32-wasip1", Path("/usr/bin"), tmp_path / "sysroot")
    build = WasmHostBuild(tmp_path / "wasm-host", toolchain, None, tmp_path / "checkout", "c", tmp_path / "dist")
    assert [step.name for step in build.steps()] == [
        "llvm-source", "llvm-patches", "sysroot", "llvm", "llvm-config", "llvm-smoke", "rustc", "install", "hello",
    ]  # fmt: skip


def test_listing_steps_whose_inputs_an_earlier_step_makes(tmp_path: Path) -> None:
    """`build --host wasm --list` on a fresh machine: a step reading what an earlier step
    makes (LLVM's git tree) is listed as not run yet, not a crash."""

    def missing() -> tuple[str, ...]:
        raise FileNotFoundError(tmp_path / "llvm-src")

    steps = [Step("a", "first", lambda: None, ("1",)), Step("b", "reads a's output", lambda: None, missing)]
    lines = describe_steps(steps, tmp_path / "state.json")
    assert lines[1].split()[:4] == ["b", "not", "run", "yet"]
