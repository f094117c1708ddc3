"""--rust-version 1.90.0: the patch set finds every anchor it can by structure and refuses
the rest, all of them in one report, writing nothing. What 1.90 lacks is known exactly: the
wasm-host edits' anchors (code added or moved in 1.91-1.95: the codegen coordinator, enzyme's
loader, the panic=abort warning; `rustc -vV`'s backend line, where the engine is named) and one conflict in the harness (`P<ast::Item>`, which 1.95
spells `Box<ast::Item>`). A change in this list is a change in what the patcher sees.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from patcher.paths import checkout_dir
from patcher.pins import source_for
from patcher.provision.checkout import ensure_checkout, rustc_workspace
from patcher.rustc.options import names

from .conftest import run_cli

# every option's report names these, and nothing else (the options' own anchors all match);
# the report's lines as they are, whatever their length
# ruff: noqa: E501
DIFFERING_ANCHORS = [
    "compiler/rustc/Cargo.toml: missing anchor `wasi in [target.'cfg(target_os = \"wasi\")'.dependencies]`",
    "compiler/rustc_builtin_macros/src/proc_macro_harness.rs: conflict anchor `fn mk_decls`",
    "compiler/rustc_codegen_llvm/src/llvm/enzyme_ffi.rs: missing anchor `field `lib: libloading::Library` of struct EnzymeWrapper`",
    "compiler/rustc_codegen_llvm/src/llvm/enzyme_ffi.rs: missing anchor `fn call_dynamic`",
    "compiler/rustc_codegen_llvm/src/llvm/enzyme_ffi.rs: missing anchor `fn load_ptr_by_symbol_mut_void`",
    "compiler/rustc_codegen_llvm/src/llvm/enzyme_ffi.rs: missing anchor `macro_rules! load_ptrs_by_symbols_fn`",
    "compiler/rustc_codegen_llvm/src/llvm/enzyme_ffi.rs: missing anchor `macro_rules! load_ptrs_by_symbols_mut_void`",
    "compiler/rustc_codegen_llvm/src/llvm_util.rs: missing anchor `!llvm::LLVMIsMultithreaded().is_true() in fn init`",
    "compiler/rustc_codegen_ssa/src/back/linker.rs: missing anchor `let mut symbols = if let CrateType::ProcMacro .. in fn exported_symbols`",
    "compiler/rustc_codegen_ssa/src/back/write.rs: conflict anchor `field `future` of struct Coordinator`",
    "compiler/rustc_codegen_ssa/src/back/write.rs: conflict anchor `return type of fn start_executing_work`",
    "compiler/rustc_codegen_ssa/src/back/write.rs: missing anchor `B::spawn_named_thread(..) in fn spawn_thin_lto_work`",
    "compiler/rustc_codegen_ssa/src/back/write.rs: missing anchor `let helper = jobserver::client().into_helper_thread(..) in fn do_thin_lto`",
    "compiler/rustc_driver_impl/src/lib.rs: missing anchor `get_backend_from_raw_matches(..).print_version(); in fn version_at_macro_invocation`",
    "compiler/rustc_driver_impl/src/lib.rs: missing anchor `std::process::id() in fn ice_path_with_config`",
    "compiler/rustc_interface/src/passes.rs: missing anchor `if is_proc_macro_crate && !sess.panic_strategy().unwinds() { .. } (the panic=abort warning)`",
    "compiler/rustc_interface/src/passes.rs: missing anchor `is_proc_macro_crate && !sess.panic_strategy().unwinds() (the panic=abort warning)`",
    "compiler/rustc_span/src/fatal_error.rs: missing anchor `fn catch_fatal_errors`",
    "library/proc_macro/src/bridge/server.rs: missing anchor `with_api!(define_dispatcher, ..)`",
]


@pytest.fixture(scope="module")
def checkout_190() -> Path:
    path = checkout_dir("1.90.0")
    ensure_checkout(source_for("1.90.0"), path)
    return path


def _differing(stderr: str) -> list[str]:
    return sorted(
        line for line in stderr.splitlines() if line.startswith(("compiler/", "library/")) and " anchor `" in line
    )


@pytest.mark.parametrize("option", names())
def test_190_is_refused_with_every_differing_anchor_and_nothing_written(checkout_190: Path, option: str) -> None:
    rustc_workspace(checkout_190).revert()
    result = run_cli("--rust-version", "1.90.0", "patch", "--option", option)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "19 problem(s), 16 missing anchor(s); nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert _differing(result.stderr) == DIFFERING_ANCHORS
    assert rustc_workspace(checkout_190).changed_files() == []  # the no-write guarantee
