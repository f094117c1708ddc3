"""The wasmtime engine's contract with its pinned library, checked without a compiler:
the library the build installs is the pinned version, it exports every function the
compiler's declarations name (templates/runtime/wasmtime_ffi.rs.j2) and the version
symbol the compiler checks, and the C API's layouts are those the declarations assume."""

from __future__ import annotations

import ctypes
import re
from pathlib import Path

import pytest

from patcher.build import wasmtime_lib
from patcher.errors import PatcherError
from patcher.paths import TEMPLATES_DIR
from patcher.rustc import engines

FFI = TEMPLATES_DIR / "runtime" / "wasmtime_ffi.rs.j2"


def declared_functions() -> list[str]:
    """The names the `api!` table of the declarations lists."""
    table = FFI.read_text().split("api! {", 1)[1].split("\n}\n", 1)[0]
    return re.findall(r"^\s+(\w+): fn\(", table, re.MULTILINE)


def test_the_library_exports_every_declared_function_and_the_version_symbol() -> None:
    library = ctypes.CDLL(str(wasmtime_lib.wheel_library()))
    names = declared_functions()
    assert len(names) > 30 and "wasmtime_func_call_unchecked" in names
    missing = [name for name in names if not hasattr(library, name)]
    assert missing == []
    assert hasattr(library, engines.WASMTIME_VERSION_SYMBOL)
    assert not hasattr(library, engines.WASMTIME_VERSION_SYMBOL.replace("51_0_0", "49_0_0"))


def test_the_c_api_layouts_are_those_the_declarations_assume() -> None:
    """Sizes of wasmtime 51's types (from its own ctypes bindings); the declarations spell
    them out (an extern's union of 24 bytes, a raw value of 16)."""
    bindings = pytest.importorskip("wasmtime._bindings")
    sizes = {
        "wasmtime_extern_t": 32,
        "wasmtime_val_raw_t": 16,
        "wasmtime_func_t": 16,
        "wasmtime_memory_t": 24,
        "wasmtime_instance_t": 16,
        "wasm_byte_vec_t": 16,
    }
    assert {name: ctypes.sizeof(getattr(bindings, name)) for name in sizes} == sizes
    text = FFI.read_text()
    assert "zeroed: [u64; 3]" in text and "v128: [u8; 16]" in text


def test_install_puts_the_library_where_the_compiler_looks(tmp_path: Path) -> None:
    installed = wasmtime_lib.install_library(tmp_path)
    assert installed == tmp_path / engines.WASMTIME_LIBRARY_IN_SYSROOT
    assert installed.read_bytes()[:4] == b"\x7fELF"
    assert f'"{engines.WASMTIME_LIBRARY_IN_SYSROOT}"' in _rendered("runtime/wasmtime_ffi.rs.j2")


def test_another_wasmtime_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wasmtime_lib.importlib.metadata, "version", lambda name: "49.0.0")
    with pytest.raises(PatcherError, match=r"needs PyPI's wasmtime==51\.0\.0.*found wasmtime 49\.0\.0"):
        wasmtime_lib.wheel_library()


def _rendered(template: str) -> str:
    from patcher.engine.render import render_template
    from patcher.rustc.patchset import DEFAULT_SLOTS, context

    return render_template(template, **context("c", DEFAULT_SLOTS))
