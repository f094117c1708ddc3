"""rustc for the wasm host, without building it: the edits stay inert on native hosts,
the dependency move, bootstrap's wasm-host table, and the launcher's directory mappings
and exit codes (against a stand-in wasmtime)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from patcher.engine import rust_syntax
from patcher.engine.edits import CargoTargetDependency, CargoTargetFeatures, NewFile, RustInsert
from patcher.engine.plan import make_plan
from patcher.errors import PatcherError
from patcher.paths import TEMPLATES_DIR
from patcher.provision import bootstrap_config
from patcher.rustc.patchset import context
from patcher.rustc.wasm_host import WASM_HOST
from patcher.suite.e2e import WasmHost
from patcher.wasm_host import llvm_wasi
from patcher.wasm_host import toolchain as wasi_toolchain
from patcher.wasm_host.rustc_wasm import RustcForWasm, render_launcher, wasmtime_options
from patcher.wasm_host.steps import WasmHostBuild
from patcher.wasm_host.toolchain import WasiToolchain, compiler_rt_builtins

# What keeps a wasm-host edit from changing a native compiler: a cfg naming the host (wasm,
# WASI, atomics, unix/windows, or panic=abort, which only rustc.wasm has), a no_threads()
# test, or a build script's test of the target. A `cfg(` alone (cfg(test), say) is none.
GATE = re.compile(
    r"cfg!?\([^;{]*?(?:\b(?:wasi|wasm|unix|windows|atomics)\b|panic = \"abort\")"
    r"|no_threads\(\)"
    r"|target\.contains\(\"wa(?:sm|si)\"\)"
    r"|Ok\(\"wasi\"\) == target_os"
)
# Edits whose code is the same on every host by design, and why that is inert natively.
UNGATED_BY_DESIGN = {
    "write_coordinator_type": "CoordinatorHandle::Thread is the old JoinHandle",
    "write_coordinator_field": "the same",
    "write_no_threads_items": "its Thread arm is the old code; Deferred is made only where no_threads()",
    "write_spawn_coordinator": "spawn_coordinator/spawn_work_thread test no_threads() inside",
    "write_spawn_work": "the same",
    "write_coordinator_run": "run_to_completion joins the thread, as before",
    "write_join_coordinator": "the check it adds runs only where no_threads()",
    "link_call_run_linker": 'run_linker is exec_linker where not cfg(target_os = "wasi")',
    "errors_linker_exit_status": "LinkerExitStatus is ExitStatus there too",
    "fatal_error_hook": 'each item is cfg(panic = "abort") or its unwinding twin, which only resumes the unwind',
    "fatal_error_raise": 'unwind_or_exit unwinds where not cfg(panic = "abort")',
    "interface_fatal_error_hook": 'the hook only runs where cfg(panic = "abort")',
    "filesearch_wasi_sysroot": 'wraps the old expression; its one added statement is cfg(target_os = "wasi")',
}


def _ungated_parts(text: str) -> list[str]:
    """The top-level items and statements of a template whose head (their attributes, or
    the code before their first `{`) carries no GATE: each would change native compilers."""
    parts, attributes = [], ""
    for node in rust_syntax.parse(text.encode()).root_node.children:
        if node.type in ("line_comment", "block_comment"):
            continue
        code = node.text.decode() if node.text else ""
        if node.type == "attribute_item":
            attributes += code  # it belongs to the next item
            continue
        if not GATE.search(attributes + code.split("{")[0]):
            parts.append(code.split("\n")[0])
        attributes = ""
    if attributes and not GATE.search(attributes):  # a cfg added to the item after the insertion
        parts.append(attributes)
    return parts


@pytest.mark.parametrize("edit", [e for e in WASM_HOST if isinstance(e, RustInsert)], ids=lambda e: e.label)
def test_every_wasm_host_edit_is_gated(edit: RustInsert) -> None:
    name = Path(edit.template).name.removesuffix(".rs.j2")
    text = (TEMPLATES_DIR / edit.template).read_text()
    if name in UNGATED_BY_DESIGN:
        return
    assert _ungated_parts(text) == [], edit.template


def test_the_gate_check_sees_each_ungated_part() -> None:
    gated = '#[cfg(target_os = "wasi")]\nfn a() {}\nif cfg!(target_os = "wasi") { x() }\n'
    assert _ungated_parts(gated) == []
    assert _ungated_parts(gated + "#[cfg(test)]\nfn b() {}\n") == ["fn b() {}"]  # not a host gate
    assert _ungated_parts(gated + "let y = 1;\n") == ["let y = 1;"]
    inner = 'fn c() { if cfg!(target_os = "wasi") {} }'
    assert _ungated_parts(inner + "\n") == [inner]  # a gate inside the body gates nothing
    assert _ungated_parts("// comment\n#[cfg(any(unix, windows))]\n") == []


MANIFEST = b"""[package]
name = "rustc-main"

[dependencies]
# tidy-alphabetical-start
rustc_codegen_ssa = { path = "../rustc_codegen_ssa" }
rustc_driver = { path = "../rustc_driver" }
rustc_driver_impl = { path = "../rustc_driver_impl" }
# tidy-alphabetical-end

[features]
llvm = ['rustc_driver_impl/llvm']
"""


def test_dependency_moves_to_a_target_table() -> None:
    edit = CargoTargetDependency("Cargo.toml", "rustc_driver", 'cfg(not(target_family = "wasm"))')
    plan = make_plan([edit], lambda _: MANIFEST, {})
    assert plan.findings == []
    manifest = tomllib.loads(plan.patched["Cargo.toml"].decode())
    assert "rustc_driver" not in manifest["dependencies"]
    assert "rustc_driver_impl" in manifest["dependencies"]
    assert manifest["target"]['cfg(not(target_family = "wasm"))']["dependencies"]["rustc_driver"]["path"]
    assert manifest["features"]["llvm"] == ["rustc_driver_impl/llvm"]


def test_dependency_missing_is_a_finding() -> None:
    edit = CargoTargetDependency("Cargo.toml", "rustc_nothing", "cfg(unix)")
    plan = make_plan([edit], lambda _: MANIFEST, {})
    assert [f.kind for f in plan.findings] == ["missing"]
    assert "rustc_nothing" in plan.findings[0].detail


ATOMICS = 'cfg(all(target_family = "wasm", target_feature = "atomics"))'
PARKING_LOT = CargoTargetFeatures("Cargo.toml", "parking_lot", ATOMICS, ("nightly",))


def test_features_for_a_target_repeat_the_version_requirement() -> None:
    manifest = b'[package]\nname = "x"\n\n[dependencies]\nparking_lot = "0.12"\n'
    plan = make_plan([PARKING_LOT], lambda _: manifest, {})
    assert plan.findings == []
    patched = tomllib.loads(plan.patched["Cargo.toml"].decode())
    assert patched["dependencies"]["parking_lot"] == "0.12"
    assert patched["target"][ATOMICS]["dependencies"]["parking_lot"] == {"version": "0.12", "features": ["nightly"]}


def test_features_for_a_target_join_an_existing_table() -> None:
    manifest = (
        b'[dependencies]\nparking_lot = { version = "0.12.1", default-features = false }\n\n'
        b"[target.'" + ATOMICS.encode() + b'\'.dependencies]\nlibc = "0.2"\n\n[features]\n'
    )
    plan = make_plan([PARKING_LOT], lambda _: manifest, {})
    assert plan.findings == []
    table = tomllib.loads(plan.patched["Cargo.toml"].decode())["target"][ATOMICS]["dependencies"]
    assert table["parking_lot"]["version"] == "0.12.1"
    assert table["libc"] == "0.2"


def test_features_of_an_absent_dependency_are_a_finding() -> None:
    """Adding the dependency instead would change Cargo.lock: upstream has moved."""
    plan = make_plan([PARKING_LOT], lambda _: b'[dependencies]\nlibc = "0.2"\n', {})
    assert [f.kind for f in plan.findings] == ["missing"]
    assert "Cargo.lock" in plan.findings[0].detail


def test_wasm_host_edits_plan_on_synthetic_input_fail_cleanly() -> None:
    """Against files that lack every anchor, each edit reports a finding, none raises."""
    edits = [e for e in WASM_HOST if not isinstance(e, NewFile)]
    plan = make_plan(edits, lambda rel: b"// nothing here\n", context("c", 64))
    assert len({f.anchor for f in plan.findings}) >= len({e.label for e in edits}) - 1
    assert plan.patched == {}


def test_bootstrap_table_for_the_wasm_host() -> None:
    table = {
        "triple": "wasm32-wasip1",
        "llvm_config": "/w/llvm-config",
        "wasi_root": "/w/sysroot",
        "cc": "/w/bin/wasm32-wasip1-clang",
        "cxx": "/w/bin/wasm32-wasip1-clang++",
        "ar": "/usr/bin/llvm-ar-22",
        "ranlib": "/usr/bin/llvm-ranlib-22",
        "linker": "/w/bin/wasm32-wasip1-wasm-ld",
    }
    config = tomllib.loads(bootstrap_config.render(wasm_host=table))
    target = config["target"]["wasm32-wasip1"]
    assert target["llvm-config"] == "/w/llvm-config" and target["linker"].endswith("wasm-ld")
    assert config["rust"]["llvm-tools"] is False
    native = tomllib.loads(bootstrap_config.render())
    assert "wasm32-wasip1" not in native["target"] and "llvm-tools" not in native["rust"]


def _fake_wasi_sdk(root: Path, triple: str) -> Path:
    """The parts of a wasi-sdk release's layout the tool looks for (empty files)."""
    lib = root / "share" / "wasi-sysroot" / "lib" / triple
    builtins = root / "lib" / "clang" / "22" / "lib" / "wasi"
    for directory in (root / "bin", lib, builtins):
        directory.mkdir(parents=True)
    for file in (root / "bin" / "clang", lib / "libc++.a", builtins / "libclang_rt.builtins-wasm32.a"):
        file.touch()
    return root


def test_threads_host_on_debian_builds_its_own_libc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a wasi-sdk the threads host is Debian's clang-22 with a sysroot of its own:
    Debian's wasi-libc is not needed (the tool builds one), and the steps build wasi-libc
    before libc++, then LLVM with threads."""
    assert not any("wasm32-wasi/pthread.h" in m for m in wasi_toolchain.missing_debian_files("wasm32-wasip1-threads"))
    monkeypatch.setattr(wasi_toolchain, "missing_debian_files", lambda triple: [])
    toolchain = wasi_toolchain.resolve(tmp_path / "build", None, threads=True)
    assert toolchain.kind == "debian" and toolchain.triple == "wasm32-wasip1-threads"
    assert toolchain.sysroot == tmp_path / "build" / "sysroot-wasm32-wasip1-threads"
    assert "-DLLVM_ENABLE_THREADS=ON" in llvm_wasi.cmake_args(toolchain)
    build = WasmHostBuild(tmp_path / "build", toolchain, None, tmp_path / "checkout", "c", tmp_path / "dist")
    names = [step.name for step in build.steps()]
    assert names.index("wasi-libc") + 1 == names.index("sysroot") < names.index("llvm")
    assert build.llvm_build.name == "llvm-build-wasm32-wasip1-threads"
    single = wasi_toolchain.resolve(tmp_path / "build", None, threads=False)
    assert "wasi-libc" not in [s.name for s in WasmHostBuild(tmp_path, single, None, tmp_path, "c", tmp_path).steps()]


def test_threads_host_wasmtime_options() -> None:
    """rustc.wasm for the threads host is precompiled with the threads proposal and run
    with wasi-threads as well; the single-threaded host gets neither."""
    assert wasmtime_options(True, run=False)[-2:] == ("-W", "threads=y")
    assert wasmtime_options(True)[-4:] == ("-W", "threads=y", "-S", "threads=y")
    assert "threads=y" not in wasmtime_options(False)
    threads = WasmHost(Path("/w/wasmtime"), Path("/dist"), "wasm32-wasip1-threads")
    assert threads.label == "wasm-threads"
    assert threads.run_command(Path("p.wasm")) == ["/w/wasmtime", "run", "-W", "threads=y", "-S", "threads=y", "p.wasm"]
    assert WasmHost(Path("/w/wasmtime"), Path("/dist")).run_command(Path("p.wasm")) == ["/w/wasmtime", "run", "p.wasm"]


def test_threads_host_goes_through_a_wasi_sdk(tmp_path: Path) -> None:
    """The wasm32-wasip1-threads host from a wasi-sdk, as far as a machine without one can
    check it: the toolchain, LLVM with threads, bootstrap's table and the -pthread wrappers."""
    with pytest.raises(PatcherError, match="does not look like a wasi-sdk for wasm32-wasip1-threads"):
        wasi_toolchain.resolve(tmp_path / "build", _fake_wasi_sdk(tmp_path / "p1-only", "wasm32-wasip1"), threads=True)
    toolchain = wasi_toolchain.resolve(
        tmp_path / "build", _fake_wasi_sdk(tmp_path / "sdk", "wasm32-wasip1-threads"), threads=True
    )
    assert toolchain.triple == "wasm32-wasip1-threads" and "-pthread" in toolchain.cflags()
    assert "-DLLVM_ENABLE_THREADS=ON" in llvm_wasi.cmake_args(toolchain)
    table = RustcForWasm(
        tmp_path / "checkout", toolchain, tmp_path / "llvm-config", tmp_path / "tools"
    ).bootstrap_target()
    target = tomllib.loads(bootstrap_config.render(wasm_host=table))["target"]["wasm32-wasip1-threads"]
    assert target["linker"].endswith("wasm32-wasip1-threads-wasm-ld")
    assert (
        "-pthread" in Path(target["cc"]).read_text()
        and str(tmp_path / "sdk" / "bin" / "clang") in Path(target["cc"]).read_text()
    )


def _echoing_wrappers(tmp_path: Path, tool: str) -> tuple[WasiToolchain, dict[str, Path]]:
    """The wrappers of a fake threads wasi-sdk whose `tool` prints its arguments as JSON."""
    sdk = _fake_wasi_sdk(tmp_path / "sdk", "wasm32-wasip1-threads")
    toolchain = wasi_toolchain.resolve(tmp_path / "build", sdk, threads=True)
    (sdk / "bin" / tool).write_text(f"#!{sys.executable}\nimport json, sys\nprint(json.dumps(sys.argv[1:]))\n")
    (sdk / "bin" / tool).chmod(0o755)
    rustc = RustcForWasm(tmp_path / "checkout", toolchain, tmp_path / "llvm-config", tmp_path / "tools")
    return toolchain, rustc.write_wrappers()


def test_cc_wrapper_passes_the_host_triple_last(tmp_path: Path) -> None:
    """cc-rs passes --target=wasm32-wasi for wasm32-wasip1-threads and clang takes the last
    --target, so the wrapper's own comes after the caller's (else clang looks for
    include/wasm32-wasi/__config_site, which the threads sysroot does not have)."""
    cxx = _echoing_wrappers(tmp_path, "clang++")[1]["cxx"]
    out = subprocess.run([str(cxx), "--target=wasm32-wasi", "-c", "x.cpp"], capture_output=True, text=True, check=True)
    args = json.loads(out.stdout)
    assert args[-1] == "--target=wasm32-wasip1-threads" and "--target=wasm32-wasi" in args


def test_linker_wrapper_adds_the_sysroot_after_the_callers_arguments(tmp_path: Path) -> None:
    """The wasm-ld wrapper drops the -gz bootstrap adds and puts the sysroot's libraries
    and compiler-rt's builtins after the caller's arguments."""
    toolchain, wrappers = _echoing_wrappers(tmp_path, "wasm-ld")
    out = subprocess.run(
        [str(wrappers["linker"]), "-flavor", "wasm", "-gz", "a.o"], capture_output=True, text=True, check=True
    )
    args = json.loads(out.stdout)
    assert args == ["-flavor", "wasm", "a.o", f"-L{toolchain.lib_dir}", str(compiler_rt_builtins(toolchain))]


def test_rustc_step_relinks_rustc_wasm(tmp_path: Path) -> None:
    """cargo does not see the C++ libraries rustc.wasm links: the step drops rustc-main's
    fingerprints (and nothing else) so that cargo links it again."""
    sdk = _fake_wasi_sdk(tmp_path / "sdk", "wasm32-wasip1-threads")
    toolchain = wasi_toolchain.resolve(tmp_path / "build", sdk, threads=True)
    rustc = RustcForWasm(tmp_path / "checkout", toolchain, tmp_path / "llvm-config", tmp_path / "tools")
    fingerprints = tmp_path / "checkout" / "build" / "host" / "stage2-rustc" / rustc.triple / "release" / ".fingerprint"
    for name in ("rustc-main-1", "rustc-main-2", "rustc_driver_impl-3"):
        (fingerprints / name).mkdir(parents=True)
    (tmp_path / "checkout" / "build" / "lock").write_text("")
    rustc.forget_rustc_link()
    assert sorted(p.name for p in fingerprints.iterdir()) == ["rustc_driver_impl-3"]


FAKE_WASMTIME = """#!{python}
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "w") as log:
    json.dump(args + ["RUST_MIN_STACK=" + os.environ.get("RUST_MIN_STACK", "")], log)
mode = os.environ.get("FAKE_MODE", "ok")
if mode == "error":
    sys.stderr.write("error[E0425]: cannot find value `x` in this scope\\n")
if mode == "ice":  # as rustc 1.95 reports its own panic: the panic line, then an `error` banner
    sys.stderr.write("thread 'rustc' (1) panicked at compiler/rustc_middle/src/ty/mod.rs:1:1:\\nboom\\n")
    sys.stderr.write("error: the compiler unexpectedly panicked. this is a bug.\\n")
if mode == "trap":  # a trap with nothing said before it
    pass
if mode in ("error", "ice", "trap"):
    sys.stderr.write("Error: failed to run main module `rustc.cwasm`\\n\\nCaused by:\\n    wasm trap\\n")
    sys.exit(134)
sys.exit(0)
"""


def _launcher(tmp_path: Path, threads: bool = False) -> tuple[Path, Path]:
    sysroot = tmp_path / "dist"
    (sysroot / "bin").mkdir(parents=True)
    wasmtime = tmp_path / "wasmtime"
    wasmtime.write_text(FAKE_WASMTIME.format(python=sys.executable))
    wasmtime.chmod(0o755)
    launcher = sysroot / "bin" / "rustc"
    launcher.write_text(render_launcher(wasmtime, threads))
    launcher.chmod(0o755)
    return launcher, sysroot


def _run(launcher: Path, cwd: Path, args: list[str], mode: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    log = cwd / "wasmtime-args.json"
    env = {**os.environ, "FAKE_LOG": str(log), "FAKE_MODE": mode, "RUST_LOG": "info"}
    proc = subprocess.run([str(launcher), *args], cwd=cwd, env=env, capture_output=True, text=True)
    return proc, json.loads(log.read_text())


def test_launcher_maps_directories_and_environment(tmp_path: Path) -> None:
    launcher, sysroot = _launcher(tmp_path)
    work, elsewhere = tmp_path / "work", tmp_path / "macros"
    work.mkdir()
    elsewhere.mkdir()
    proc, args = _run(launcher, work, ["main.rs", f"--wasm-proc-macro=Demo={elsewhere}/demo.wasm"], "ok")
    assert proc.returncode == 0, proc.stderr
    dirs = [args[i + 1] for i, a in enumerate(args) if a == "--dir"]
    assert f"{work}::{work}" in dirs and f"{sysroot}::{sysroot}" in dirs and f"{elsewhere}::{elsewhere}" in dirs
    assert f"PWD={work}" in args and "--env=RUST_LOG" in args
    assert args[args.index("--sysroot") + 1] == str(sysroot)
    assert args[-3:-1] == ["main.rs", f"--wasm-proc-macro=Demo={elsewhere}/demo.wasm"]


def test_threads_launcher_runs_wasi_threads_with_big_native_stacks(tmp_path: Path) -> None:
    launcher, _ = _launcher(tmp_path, threads=True)
    proc, args = _run(launcher, tmp_path, ["main.rs"], "ok")
    assert proc.returncode == 0, proc.stderr
    run = args[: args.index("--allow-precompiled")]
    assert "threads=y" in run[run.index("-W", run.index("max-memory-size=4294967296")) + 1]
    assert run[run.index("-S") + 1] == "threads=y"
    # wasmtime's own threads get the stack; the guest does not inherit the variable
    assert args[-1] == "RUST_MIN_STACK=41943040" and not any("RUST_MIN_STACK" in a for a in args[:-1])
    single, _ = _launcher(tmp_path / "single")
    _, args = _run(single, tmp_path, ["main.rs"], "ok")
    assert "threads=y" not in args and args[-1] == "RUST_MIN_STACK="


def test_launcher_turns_traps_into_rustc_exit_codes(tmp_path: Path) -> None:
    launcher, _ = _launcher(tmp_path)
    proc, _ = _run(launcher, tmp_path, ["bad.rs"], "error")
    assert proc.returncode == 1
    assert "error[E0425]" in proc.stderr and "failed to run main module" not in proc.stderr
    proc, _ = _run(launcher, tmp_path, ["x.rs"], "ice")
    assert proc.returncode == 101  # not 1, though the banner is an `error` line
    assert "the compiler unexpectedly panicked" in proc.stderr
    proc, _ = _run(launcher, tmp_path, ["x.rs"], "trap")
    assert proc.returncode == 101
    assert "rustc.wasm trapped" in proc.stderr
