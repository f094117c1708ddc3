"""wasmtime's C API library: the engine that runs wasm proc macros as native code in a
native compiler (templates/runtime/wasmtime_engine.rs.j2). One pinned version, taken from
PyPI's `wasmtime` package (whose wheel carries the library; its hash is in
requirements.lock), installed by `nox -s build` into the compiler's sysroot, where the
compiler loads it at run time. The compiler's declarations of the C API are for this
version only, and it checks the version by a symbol only this version exports.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import platform
import shutil
from pathlib import Path

from patcher.errors import PatcherError
from patcher.rustc.engines import WASMTIME_LIBRARY_IN_SYSROOT, WASMTIME_VERSION

WHEEL_LIBRARY = {"x86_64": "linux-x86_64/_libwasmtime.so", "aarch64": "linux-aarch64/_libwasmtime.so"}


def wheel_library() -> Path:
    """The library in the installed `wasmtime` package, which must be the pinned version."""
    try:
        version = importlib.metadata.version("wasmtime")
    except importlib.metadata.PackageNotFoundError:
        version = None
    spec = importlib.util.find_spec("wasmtime")
    if version != WASMTIME_VERSION or spec is None or spec.origin is None:
        found = f"wasmtime {version}" if version else "no wasmtime package"
        raise PatcherError(
            f"the compiler's wasm engine needs PyPI's wasmtime=={WASMTIME_VERSION} (requirements.lock); "
            f"found {found}: run `bash tools/setup.sh`"
        )
    relative = WHEEL_LIBRARY.get(platform.machine())
    library = Path(spec.origin).parent / relative if relative else None
    if library is None or not library.is_file():
        raise PatcherError(f"wasmtime {WASMTIME_VERSION}'s package has no C API library for {platform.machine()}")
    return library


def install_library(sysroot: Path) -> Path:
    """Put the library where the compiler in `sysroot` looks for it."""
    dest = sysroot / WASMTIME_LIBRARY_IN_SYSROOT
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(wheel_library(), dest)
    return dest
