"""The module cache, shared by every project of a user: one entry per module, keyed by
everything that determines it (see `module_key`).

Layout under the cache directory (`$RUSTC_WASM_MODULE_CACHE`, default
~/.cache/rustc-wasm-proc-macros/modules):

    <key>/module.wasm   the module
    <key>/entry.json    what it is (crate, version, features, the key's parts) and its
                        sha256 and size, checked on every load: a corrupt or truncated
                        entry is rebuilt, never loaded
    <key>/failed.json   instead of a module: why the crate cannot be built for wasm (so
                        the next build falls back at once)
    <key>.lock          held while an entry is built; concurrent builds wait for it

An entry appears by rename of a complete directory, so a reader never sees half of one.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patcher.environment import CACHE_ENV as DOWNLOADS_CACHE_ENV
from patcher.environment import MODULE_CACHE_ENV
from patcher.wasm_binary import MAGIC

CACHE_ENV = MODULE_CACHE_ENV
MODULE = "module.wasm"
ENTRY = "entry.json"
FAILED = "failed.json"


def cache_root() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    base = os.environ.get(DOWNLOADS_CACHE_ENV)
    return (Path(base) if base else Path.home() / ".cache" / "rustc-wasm-proc-macros") / "modules"


def module_key(parts: dict[str, Any]) -> str:
    """sha256 of the key's parts, canonically encoded."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Hit:
    module: Path | None  # None: the crate cannot be built for wasm
    reason: str = ""  # why not, when module is None
    sha256: str = ""  # the module's, as checked
    built: bool = False  # built by this call (a miss), not found


class ModuleCache:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or cache_root()

    def get_or_build(self, key: str, describe: dict[str, Any], build: Callable[[Path], None]) -> Hit:
        """The entry for `key`; on a miss (or a bad entry) `build(path)` writes the module
        to `path` while the key's lock is held. A build that raises BuildImpossible is
        recorded as a failure; any other error leaves no entry."""
        found = self.lookup(key)
        if found is not None:
            return found
        self.root.mkdir(parents=True, exist_ok=True)
        with self._locked(key):
            found = self.lookup(key)  # someone else may have built it while we waited
            if found is not None:
                return found
            staging = self.root / f"{key}.new-{os.getpid()}"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            try:
                build(staging / MODULE)
                data = (staging / MODULE).read_bytes()
                entry = {**describe, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                (staging / ENTRY).write_text(json.dumps(entry, indent=1, sort_keys=True) + "\n")
            except BuildImpossible as err:
                (staging / MODULE).unlink(missing_ok=True)
                (staging / FAILED).write_text(json.dumps({**describe, "reason": str(err)}, indent=1) + "\n")
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            shutil.rmtree(self.root / key, ignore_errors=True)
            os.rename(staging, self.root / key)
        found = self.lookup(key)
        assert found is not None
        return Hit(found.module, found.reason, found.sha256, built=True)

    def lookup(self, key: str) -> Hit | None:
        """A verified entry, or None (absent, or corrupt: then it is removed)."""
        entry_dir = self.root / key
        if (entry_dir / FAILED).is_file():
            try:
                return Hit(None, json.loads((entry_dir / FAILED).read_text())["reason"])
            except (OSError, ValueError, KeyError):
                pass
        elif (sha256 := verify(entry_dir)) is not None:
            return Hit(entry_dir / MODULE, sha256=sha256)
        if entry_dir.exists():
            shutil.rmtree(entry_dir, ignore_errors=True)
        return None

    def entries(self) -> list[Path]:
        """The entries' directories (work directories and locks have a dot in their names)."""
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.iterdir() if p.is_dir() and "." not in p.name)

    @contextlib.contextmanager
    def _locked(self, key: str) -> Iterator[None]:
        with (self.root / f"{key}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


class BuildImpossible(Exception):
    """The crate cannot be compiled for wasm (e.g. it links a C library): not a transient
    failure, so the cache remembers it."""


def verify(entry_dir: Path) -> str | None:
    """The module's sha256 if the entry's module is there, whole, as recorded, and starts
    as a wasm module does; else None."""
    try:
        entry = json.loads((entry_dir / ENTRY).read_text())
        data = (entry_dir / MODULE).read_bytes()
    except (OSError, ValueError):
        return None
    sha256 = hashlib.sha256(data).hexdigest()
    whole = len(data) == entry.get("size") and data.startswith(MAGIC) and sha256 == entry.get("sha256")
    return sha256 if whole else None
