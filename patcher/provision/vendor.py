"""Crates the patched compiler needs that rustc's own `vendor/` lacks: the wasmi
interpreter and its dependencies, taken from Debian's `librust-*-dev` packages
(installed under /usr/share/cargo/registry by `tools/setup.sh`).

They are copied into the checkout's `vendor/` with a `.cargo-checksum.json` listing
every file's sha256 (cargo verifies them at each build) and committed as part of the
pristine tree, so `git diff upstream` stays exactly what the patcher did.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from patcher.errors import PatcherError

DEBIAN_REGISTRY = Path("/usr/share/cargo/registry")


@dataclass(frozen=True)
class VendoredCrate:
    name: str
    version: str
    debian_package: str

    @property
    def dirname(self) -> str:
        return f"{self.name}-{self.version}"


# wasmi with default-features = false, features = ["std"]: this closure, plus crates
# rustc's vendor/ already has (bitflags 2, libm, hashbrown 0.16, indexmap, serde).
EXTRA_CRATES = (
    VendoredCrate("spin", "0.10.0", "librust-spin-dev"),
    # never built: cargo locks optional dependencies named by weak features (cargo#10801)
    VendoredCrate("string-interner", "0.19.0", "librust-string-interner-dev"),
    VendoredCrate("wasmi", "1.1.0", "librust-wasmi-dev"),
    VendoredCrate("wasmi_collections", "1.1.0", "librust-wasmi-collections-dev"),
    VendoredCrate("wasmi_core", "1.1.0", "librust-wasmi-core-dev"),
    VendoredCrate("wasmi_ir", "1.1.0", "librust-wasmi-ir-dev"),
    VendoredCrate("wasmparser", "0.239.0", "librust-wasmparser-dev"),
)
# Files of Debian's packaging that are not part of the crate.
_NOT_CRATE_FILES = ("debian", ".cargo-checksum.json", "Cargo.toml.orig")


def cargo_source_args(vendor: Path) -> list[str]:
    """cargo flags that resolve crates.io dependencies from `vendor` (offline)."""
    return [
        "--config",
        "source.crates-io.replace-with='vendored-sources'",
        "--config",
        f"source.vendored-sources.directory='{vendor}'",
    ]


def missing(vendor: Path) -> list[VendoredCrate]:
    return [crate for crate in EXTRA_CRATES if not (vendor / crate.dirname).is_dir()]


def vendor_extra_crates(vendor: Path, registry: Path = DEBIAN_REGISTRY) -> list[VendoredCrate]:
    """Copy every crate of EXTRA_CRATES not yet in `vendor`; return those copied."""
    todo = missing(vendor)
    absent = [crate for crate in todo if not (registry / crate.dirname / "Cargo.toml").is_file()]
    if absent:
        raise PatcherError(
            "crates the interpreter needs are not installed: "
            + ", ".join(f"{c.dirname} ({c.debian_package})" for c in absent)
            + f"\n  expected under {registry}. Run `bash tools/setup.sh` "
            "(it installs librust-wasmi-dev from Debian sid), then rerun."
        )
    for crate in todo:
        _copy_crate(registry / crate.dirname, vendor / crate.dirname)
    return todo


def _copy_crate(source: Path, dest: Path) -> None:
    staging = dest.with_name(dest.name + ".rwpm-new")
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(source, staging, ignore=shutil.ignore_patterns(*_NOT_CRATE_FILES), symlinks=False)
    write_checksums(staging)
    staging.rename(dest)


def write_checksums(crate_dir: Path) -> None:
    """The `.cargo-checksum.json` of a directory source. Debian ships no .crate file,
    so there is no package checksum; file checksums are real."""
    files = {
        path.relative_to(crate_dir).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(crate_dir.rglob("*"))
        if path.is_file() and path.name != ".cargo-checksum.json"
    }
    (crate_dir / ".cargo-checksum.json").write_text(
        json.dumps({"files": files, "package": None}, separators=(",", ":"), sort_keys=True)
    )
