"""Where the tool keeps things, all in one place: the repository's folders, the scratch
folders under build/, the installs under dist/, the checkout, the caches outside the
repository, and the layout of x.py's build folder in a checkout."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from patcher.environment import CACHE_ENV, CHECKOUT_ENV
from patcher.pins import DEFAULT_VERSION

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = REPO_ROOT / "templates"
PATCHES_DIR = REPO_ROOT / "patches"
DEFAULT_CHECKOUT = REPO_ROOT / "rust-checkout"
RESULTS_DIR = REPO_ROOT / "results"  # committed measurements (results.results_dir() may redirect writes)
DIST_DIR = REPO_ROOT / "dist"  # installed compilers: dist/native/, dist/wasm/, dist/wasm-threads/
BUILD_DIR = REPO_ROOT / "build"  # the tool's own scratch and work folders (git-ignored)


def dist_dir(name: str = "native") -> Path:
    """An installed compiler: dist/native/ (the patched compiler), dist/wasm/ (rustc.wasm)..."""
    return DIST_DIR / name


def work_dir(name: str) -> Path:
    """A folder of the tool's own under build/, one per job: `macros` (module builds),
    `e2e`, `crater`, `ui`, `bridge-fuzz`, `bench`, `web`, `wasm-host`."""
    return BUILD_DIR / name


@dataclass(frozen=True)
class XPyBuild:
    """x.py's build folder in a checkout (rustc 1.95's bootstrap layout)."""

    checkout: Path

    @property
    def root(self) -> Path:
        return self.checkout / "build"

    def log(self, name: str) -> Path:
        """The tool's log of an x.py run, e.g. `build-native`, `check`."""
        return self.root / "logs" / f"{name}.log"

    def triple(self, triple: str) -> Path:
        return self.root / triple

    def stage(self, triple: str, stage: int) -> Path:
        """A stage's sysroot, e.g. build/<host>/stage1."""
        return self.root / triple / f"stage{stage}"

    def ui_tests(self, host: str) -> Path:
        """Where compiletest keeps the UI suite's outputs."""
        return self.root / host / "test" / "ui"


def cache_dir() -> Path:
    """Downloads survive fresh clones: they live under ~/.cache unless overridden."""
    override = os.environ.get(CACHE_ENV)
    base = Path(override) if override else Path.home() / ".cache" / "rustc-wasm-proc-macros"
    return base


def downloads_dir() -> Path:
    return cache_dir() / "downloads"


def checkout_dir(version: str | None = None) -> Path:
    """The checkout of `version` (default: the default version): rust-checkout/ or
    $RUSTC_WASM_CHECKOUT, with `-<version>` appended for other versions."""
    override = os.environ.get(CHECKOUT_ENV)
    base = Path(override).resolve() if override else DEFAULT_CHECKOUT
    return base if version in (None, DEFAULT_VERSION) else base.with_name(f"{base.name}-{version}")
