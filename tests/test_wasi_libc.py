"""wasi-libc's source for the threads host: found, verified by checksum, never used when
it does not match; CMake's version checked before the build."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from patcher.errors import PatcherError
from patcher.pins import Tarball
from patcher.wasm_host import wasi_libc


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A vendor directory and a cache of their own, and a pinned tarball made up here."""
    vendor, cache = tmp_path / "vendor", tmp_path / "cache"
    vendor.mkdir()
    monkeypatch.setenv("RUSTC_WASM_VENDOR", str(vendor))
    monkeypatch.setenv("RUSTC_WASM_CACHE", str(cache))
    content = b"a stand-in for the wasi-libc archive"
    pinned = Tarball("wasi-libc-test.tar.xz", len(content), hashlib.sha256(content).hexdigest())
    monkeypatch.setattr(wasi_libc, "WASI_LIBC_TARBALL", pinned)
    (vendor / "good").write_bytes(content)
    return vendor, cache


def test_the_vendored_tarball_is_verified_then_cached(dirs: tuple[Path, Path]) -> None:
    vendor, cache = dirs
    (vendor / "good").rename(vendor / "wasi-libc-test.tar.xz")
    cached = wasi_libc.fetch_tarball()
    assert cached == cache / "downloads" / "wasi-libc-test.tar.xz"
    assert cached.read_bytes() == (vendor / "wasi-libc-test.tar.xz").read_bytes()
    (vendor / "wasi-libc-test.tar.xz").unlink()
    assert wasi_libc.fetch_tarball() == cached  # the cache is enough from now on


def test_a_tarball_that_does_not_match_is_refused(dirs: tuple[Path, Path]) -> None:
    vendor, cache = dirs
    (vendor / "wasi-libc-test.tar.xz").write_bytes(b"something else entirely")
    with pytest.raises(PatcherError, match="checksum mismatch") as error:
        wasi_libc.fetch_tarball()
    assert "nothing was unpacked" in str(error.value)
    assert not (cache / "downloads" / "wasi-libc-test.tar.xz").exists()


def test_a_missing_tarball_says_where_it_was_looked_for(dirs: tuple[Path, Path]) -> None:
    vendor, cache = dirs
    with pytest.raises(PatcherError) as error:
        wasi_libc.fetch_tarball()
    message = str(error.value)
    assert str(vendor) in message and str(cache / "downloads") in message
    assert wasi_libc.WASI_LIBC_COMMIT in message and "RUSTC_WASM_VENDOR" in message


def test_the_real_pin_matches_the_vendored_file() -> None:
    vendored = wasi_libc.DEFAULT_VENDOR_DIR / wasi_libc.WASI_LIBC_TARBALL.filename
    if not vendored.exists():
        pytest.skip(f"no {vendored} on this machine")
    assert hashlib.sha256(vendored.read_bytes()).hexdigest() == wasi_libc.WASI_LIBC_TARBALL.sha256


def _fake_cmake(directory: Path, version: str) -> Path:
    directory.mkdir(parents=True)
    cmake = directory / "cmake"
    cmake.write_text(f"#!/bin/sh\necho 'cmake version {version}'\n")
    cmake.chmod(0o755)
    return cmake


def test_cmake_older_than_3_26_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cmake = _fake_cmake(tmp_path / "bin", "3.25.1")
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "python"))
    with pytest.raises(PatcherError, match=r"CMake >= 3\.26; found .*version 3\.25"):
        wasi_libc.cmake_binary()
    cmake.write_text("#!/bin/sh\necho 'cmake version 4.4.5'\n")
    assert wasi_libc.cmake_binary() == cmake
