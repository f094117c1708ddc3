"""The rustc versions the tool knows, pinned by checksum.

Debian's source packages are the only rustc sources these machines can fetch; each
entry pins the orig tarball (the rustc source with vendored crates) and, where the
archive still serves it, the Debian packaging tarball whose patch series makes it
build against system LLVM.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tarball:
    filename: str
    size: int
    sha256: str


@dataclass(frozen=True)
class RustSource:
    version: str
    debian_version: str  # the source package version apt knows, e.g. "1.95.0+dfsg1-2"
    orig: Tarball
    debian: Tarball | None  # None: the archive no longer serves it (anchor checks only)
    top_dir: str  # the directory the orig tarball unpacks to
    buildable: bool  # a matching stage0 toolchain exists on these machines

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
