"""Every version the tool pins, in one place: the rustc versions it knows (their Debian
source tarballs, pinned by size and sha256, their stage0, the system LLVM they build
against, and the versions in their Cargo.lock that the patch data names), and the LLVM
whose source the wasm-host build compiles. Another rustc version is another record here.

Debian's source packages are the only rustc sources these machines can fetch; each
entry pins the orig tarball (the rustc source with vendored crates) and, where the
archive still serves it, the Debian packaging tarball whose patch series makes it
build against system LLVM.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Tarball:
    filename: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Llvm:
    """An LLVM release: Debian's packages of its major version (the system LLVM rustc
    links, clang and lld for wasm) and its orig source tarball."""

    major: int
    version: str
    source: Tarball
    source_package: str
    top_dir: str

    @property
    def prefix(self) -> Path:
        """Where Debian installs llvm-<major>."""
        return Path(f"/usr/lib/llvm-{self.major}")


LLVM = Llvm(
    major=22,
    version="22.1.8",
    source=Tarball(
        "llvm-toolchain-22_22.1.8.orig.tar.xz",
        196_630_560,
        "b49b9277aef97616320b2da259e1f8174c65b0ce2fbe2e8629644a97693402fe",
    ),
    source_package="llvm-toolchain-22",
    top_dir="llvm-toolchain-22_22.1.8",
)


@dataclass(frozen=True)
class RustSource:
    version: str
    debian_version: str  # the source package version apt knows, e.g. "1.95.0+dfsg1-2"
    orig: Tarball
    debian: Tarball | None  # None: the archive no longer serves it (anchor checks only)
    top_dir: str  # the directory the orig tarball unpacks to
    buildable: bool  # a matching stage0 toolchain exists on these machines
    stage0: str = ""  # the Rust version that builds it (bootstrap.toml's stage0)
    llvm: Llvm = LLVM  # the system LLVM it builds against
    # versions in its Cargo.lock of crates the patch data's lock entries name, where the
    # lock holds several (cargo writes `name version` then)
    locked: Mapping[str, str] = field(default_factory=dict)

    @property
    def tarballs(self) -> list[Tarball]:
        return [t for t in (self.orig, self.debian) if t is not None]


DEFAULT_VERSION = "1.95.0"

SOURCES: dict[str, RustSource] = {
    "1.95.0": RustSource(
        version="1.95.0",
        debian_version="1.95.0+dfsg1-2",
        orig=Tarball(
            "rustc_1.95.0+dfsg1.orig.tar.xz",
            88_190_992,
            "fee0a232c32b6f919b2166efc441a7c37884905bdcc2170163579eeed5feee6b",
        ),
        debian=Tarball(
            "rustc_1.95.0+dfsg1-2.debian.tar.xz",
            153_548,
            "f0408cafd8942c9f1762d5ca10750d70996f678b616a4e4b6ed3e3e299a071b6",
        ),
        top_dir="rustc-1.95.0-src",
        buildable=True,
        stage0="1.95.0",  # the source's own version: bootstrap's `local-rebuild`
        locked={"hashbrown": "0.16.1", "libloading": "0.9.0", "wasmparser": "0.239.0"},
    ),
    "1.90.0": RustSource(
        version="1.90.0",
        debian_version="1.90.0+dfsg1-1",
        orig=Tarball(
            "rustc_1.90.0+dfsg1.orig.tar.xz",
            82_096_136,
            "d5d80189731fcbbf06155dd0dd29e7df99fd742f38c5034cbf370ee58ee3a80c",
        ),
        # The archive lists rustc_1.90.0+dfsg1-1.debian.tar.xz but answers 404 for it.
        debian=None,
        top_dir="rustc-1.90.0-src",
        buildable=False,  # needs a 1.89 stage0, which these machines lack
    ),
}


def default_source() -> RustSource:
    return SOURCES[DEFAULT_VERSION]


def source_for(version: str) -> RustSource:
    from patcher.errors import PatcherError

    try:
        return SOURCES[version]
    except KeyError:
        known = ", ".join(sorted(SOURCES))
        raise PatcherError(
            f"unknown rustc version {version!r}: this tool pins the sources of {known}.\n"
            "  Add an entry to patcher/pins.py (tarball names, sizes and sha256 from\n"
            "  `apt-get source --print-uris rustc=<debian version>`) to support another."
        ) from None
