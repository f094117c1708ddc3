"""Fetch Debian source tarballs once into the cache, verified by size and sha256."""

from __future__ import annotations

import hashlib
import shlex
import urllib.request
from pathlib import Path

from patcher.errors import PatcherError
from patcher.paths import downloads_dir
from patcher.pins import RustSource, Tarball
from patcher.process import capture


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_valid(path: Path, tarball: Tarball) -> bool:
    return path.is_file() and path.stat().st_size == tarball.size and sha256_of(path) == tarball.sha256


def archive_uris(package: str) -> dict[str, str]:
    """Ask apt where the archive serves the source package `package` (e.g. `rustc=1.95.0+dfsg1-2`):
    its URI comes from the machine's apt configuration; the repository never names a host."""
    cmd = ["apt-get", "source", "--print-uris", package]
    try:
        out = capture(cmd)
    except FileNotFoundError:
        raise PatcherError("apt-get not found: the sources come from Debian's archive") from None
    uris: dict[str, str] = {}
    for line in out.stdout.splitlines():
        if line.startswith("'"):
            parts = shlex.split(line)
            uris[parts[1]] = parts[0]
    if not uris:
        raise PatcherError(
            f"apt does not know the source package {package}.\n"
            f"  `{' '.join(cmd)}` said: {out.stderr.strip() or out.stdout.strip()}\n"
            "  Run `bash tools/setup-apt.sh` (adds Debian's sid deb-src entries), then retry."
        )
    return uris


def fetch_one(tarball: Tarball, package: str) -> Path:
    """The cached `tarball` of the source package `package`, downloaded if missing or invalid."""
    dest = downloads_dir()
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / tarball.filename
    if is_valid(path, tarball):
        return path
    uris = archive_uris(package)
    if tarball.filename not in uris:
        raise PatcherError(f"apt lists no {tarball.filename} for {package}")
    _download(uris[tarball.filename], path, tarball)
    return path


def fetch(source: RustSource) -> dict[str, Path]:
    """Return the cached tarballs of `source`, downloading any that are missing."""
    package = f"rustc={source.debian_version}"
    return {t.filename: fetch_one(t, package) for t in source.tarballs}


def _download(uri: str, path: Path, tarball: Tarball) -> None:
    part = path.with_name(path.name + ".part")
    print(f"downloading {tarball.filename} ({tarball.size / 1e6:.1f} MB)", flush=True)
    try:
        with urllib.request.urlopen(uri, timeout=60) as response, part.open("wb") as out:
            while block := response.read(1 << 20):
                out.write(block)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise PatcherError(f"download of {tarball.filename} failed: {exc}") from None
    if not is_valid(part, tarball):
        got = sha256_of(part)
        part.unlink()
        raise PatcherError(
            f"{tarball.filename}: checksum mismatch (expected sha256 {tarball.sha256}, "
            f"size {tarball.size}; got {got}). The download was discarded; retry, and if it "
            "persists the archive's file has changed: update patcher/pins.py."
        )
    part.replace(path)
