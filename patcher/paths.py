"""Where the tool keeps things: the checkout in the repository, downloads outside it."""

from __future__ import annotations

import os
from pathlib import Path

from patcher.pins import DEFAULT_VERSION

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = REPO_ROOT / "templates"
PATCHES_DIR = REPO_ROOT / "patches"
DEFAULT_CHECKOUT = REPO_ROOT / "rust-checkout"


def cache_dir() -> Path:
    """Downloads survive fresh clones: they live under ~/.cache unless overridden."""
    override = os.environ.get("RUSTC_WASM_CACHE")
    base = Path(override) if override else Path.home() / ".cache" / "rustc-wasm-proc-macros"
    return base


def downloads_dir() -> Path:
    return cache_dir() / "downloads"


def checkout_dir(version: str | None = None) -> Path:
    """The checkout of `version` (default: the default version): rust-checkout/ or
    $RUSTC_WASM_CHECKOUT, with `-<version>` appended for other versions."""
    override = os.environ.get("RUSTC_WASM_CHECKOUT")
    base = Path(override).resolve() if override else DEFAULT_CHECKOUT
    return base if version in (None, DEFAULT_VERSION) else base.with_name(f"{base.name}-{version}")
