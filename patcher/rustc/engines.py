"""The wasm proc-macro engines the patched compiler has (templates/runtime/engine.rs.j2):
wasmi, vendored into the checkout, and wasmtime's C API library, loaded at run time.
Plain constants, for the templates and for the install (patcher/build/wasmtime_lib.py)."""

from __future__ import annotations

WASMI_VERSION = "1.1.0"  # patcher/provision/vendor.py vendors it
WASMTIME_VERSION = "51.0.0"  # PyPI's `wasmtime` package carries the library (requirements.lock)
# an internal symbol of the library whose name carries its version: the compiler's check
WASMTIME_VERSION_SYMBOL = "resolve_vmctx_memory_ptr_" + WASMTIME_VERSION.replace(".", "_")
# where `nox -s build` installs the library, relative to the compiler's sysroot
WASMTIME_LIBRARY_IN_SYSROOT = "lib/rustc-wasm-proc-macros/libwasmtime.so"
ENGINES = ("auto", "wasmi", "wasmtime")


def template_context() -> dict[str, str]:
    return {
        "wasmi_version": WASMI_VERSION,
        "wasmtime_version": WASMTIME_VERSION,
        "wasmtime_version_symbol": WASMTIME_VERSION_SYMBOL,
        "wasmtime_library_in_sysroot": WASMTIME_LIBRARY_IN_SYSROOT,
    }
