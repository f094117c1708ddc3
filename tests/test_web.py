"""The playground's site and server without a browser or a built compiler: config.json
names what the worker loads, URLs map into the site and its file directories only, and
the server gives wasm the MIME type compileStreaming needs."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from patcher.build.install import INSTALL_MARKER, installed
from patcher.errors import PatcherError
from patcher.wasm_binary import HEADER, custom_section, section
from patcher.web import crates, server
from patcher.web.crates import CrateSet
from patcher.web.site import TARGET, Site, page_rustc, page_sysroot, render_config


def fake_wasm_install(root: Path, option: str) -> Path:
    std = root / "lib" / "rustlib" / TARGET / "lib"
    (std / "self-contained").mkdir(parents=True)
    (std / "libstd-0123.rlib").write_bytes(b"!<arch>\n")
    (std / "libstd-0123.rmeta").write_bytes(b"rust")  # std's full metadata
    (std / "librustc_middle-4567.rmeta").write_bytes(b"rust")  # a compiler crate: not for the page
    (std / "librustc_public-89ab.rlib").write_bytes(b"!<arch>\n")  # one with an rlib: not for it either
    (std / "self-contained" / "crt1-command.o").write_bytes(b"\0asm")
    (root / "bin").mkdir()
    (root / "bin" / "rustc.wasm").write_bytes(b"\0asm\1\0\0\0")
    (root / INSTALL_MARKER).write_text(json.dumps({"option": option, "slots": 64, "build_id": "abc"}))
    return root


@pytest.mark.parametrize("option", ["a", "b", "c"])
def test_config_names_the_sysroot_macros_and_programs(tmp_path: Path, option: str) -> None:
    wasm = installed(fake_wasm_install(tmp_path / "dist", option))
    std = wasm.sysroot / "lib" / "rustlib" / TARGET / "lib"
    built = {"basic": tmp_path / "basic.wasm", "describe": tmp_path / "describe.wasm"}
    for module in built.values():
        module.write_bytes(b"\0asm")
    sysroot = page_sysroot(std, frozenset({"std", "core"}))
    rustc = wasm.sysroot / "bin" / "rustc.wasm"
    config: Any = render_config(wasm, "abc", sysroot, rustc, built, fake_crates(tmp_path / "crates"))
    paths = [f["path"] for f in config["sysroot"]]
    lib = f"lib/rustlib/{TARGET}/lib"
    assert paths == [f"{lib}/libstd-0123.rlib", f"{lib}/libstd-0123.rmeta", f"{lib}/self-contained/crt1-command.o"]
    assert all(f["url"].startswith("files/abc/sysroot/") for f in config["sysroot"])
    args = config["rustcArgs"]
    assert args[:6] == ["--sysroot", "/sysroot", "--edition", "2021", "--target", TARGET]
    assert any("/macros/describe.wasm" in a for a in args)
    source = config["programs"]["describe"]["source"]
    # with macros that are a crate's, line 1 names the crate, as in the e2e suite
    assert source.startswith("#[macro_use] extern crate describe;\n") == (option != "b")
    assert "#[derive(Describe)]" in source
    # the crates: each offered one an --extern, their directory a dependency path, all loaded
    assert args[-6:-4] == ["-L", "dependency=/crates"]
    assert "--extern=serde=/crates/libserde-1.rlib" in args and "--extern=clap=/crates/libclap-4.rlib" in args
    assert [c["name"] for c in config["crates"]] == ["serde", "serde_json", "thiserror", "clap"]
    assert {d["path"] for d in config["deps"]} >= {"libserde-1.rlib", "libserde_derive-1.wasm", "libitoa-2.rlib"}
    assert all(d["url"].startswith("files/abc/crates/") for d in config["deps"])
    assert config["downloadBytes"] > config["rustc"]["size"]
    assert config["programs"]["serde_json"]["source"].startswith("use serde::{Deserialize, Serialize};")


def test_the_page_loads_rustc_wasm_without_names_and_dwarf(tmp_path: Path) -> None:
    code = section(10, b"\x01\x02\x00\x0b")
    producers = custom_section("producers", b"rustc")
    full = HEADER + code + custom_section("name", b"\x00" * 64) + custom_section(".debug_line", b"x") + producers
    (tmp_path / "rustc.wasm").write_bytes(full)
    stripped = page_rustc(tmp_path / "rustc.wasm", "v1", tmp_path / "page")
    assert stripped == tmp_path / "page" / "v1" / "rustc.wasm"
    assert stripped.read_bytes() == HEADER + code + producers
    # made once per version: a later call does not read the compiler again
    (tmp_path / "rustc.wasm").write_bytes(full + producers)
    assert page_rustc(tmp_path / "rustc.wasm", "v1", tmp_path / "page").read_bytes() == HEADER + code + producers
    # a new version replaces the old copy
    assert page_rustc(tmp_path / "rustc.wasm", "v2", tmp_path / "page").read_bytes().endswith(producers * 2)
    assert [p.name for p in (tmp_path / "page").iterdir()] == ["v2"]


def fake_crates(directory: Path) -> CrateSet:
    """What crates.collect() makes of cargo's messages for the offered crates."""
    messages = []
    names = {"serde": "1", "serde_json": "1", "thiserror": "2", "clap": "4", "itoa": "2", "serde_derive": "1",
             "syn": "2"}  # fmt: skip
    built = directory.with_name("built")
    (built / TARGET).mkdir(parents=True)
    for name, version in names.items():
        if name.endswith("derive") or name == "syn":  # host units: the module, and a stand-in
            file = built / (f"lib{name}-{version}.so" if name.endswith("derive") else f"lib{name}-{version}.rlib")
        else:
            file = built / TARGET / f"lib{name}-{version}.rlib"
        file.write_bytes(b"\0asm\1\0\0\0" if file.suffix == ".so" else b"!<arch>\n")
        package = f"registry+https://github.com/rust-lang/crates.io-index#{name}@{version}.0.0"
        message = {"reason": "compiler-artifact", "package_id": package, "target": {"name": name}}
        messages.append(json.dumps({**message, "filenames": [str(file)]}))
    return crates.collect("\n".join(["noise", *messages]), TARGET, directory)


def test_crates_are_collected_from_cargos_messages(tmp_path: Path) -> None:
    found = fake_crates(tmp_path / "out")
    assert found.externs == {
        "serde": "libserde-1.rlib", "serde_json": "libserde_json-1.rlib", "thiserror": "libthiserror-2.rlib",
        "clap": "libclap-4.rlib",
    }  # fmt: skip
    assert found.versions["clap"] == "4.0.0"
    assert {p.name for p in found.files} == {
        "libserde-1.rlib", "libserde_json-1.rlib", "libthiserror-2.rlib", "libclap-4.rlib", "libitoa-2.rlib",
        "libserde_derive-1.wasm",
    }  # fmt: skip
    with pytest.raises(PatcherError, match="no library for serde, serde_json, thiserror, clap"):
        crates.collect("", TARGET, tmp_path / "empty")


def test_urls_stay_inside_the_site(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "files").mkdir()
    site = Site(tmp_path / "site", {"files/v/sysroot/": tmp_path / "files"}, "v")
    assert site.url_of("files/v/sysroot/lib/x.rlib") == (tmp_path / "files" / "lib" / "x.rlib").resolve()
    assert site.url_of("files/v/sysroot/../../secret") is None
    assert site.url_of("../etc/passwd") is None
    assert site.url_of("index.html") == (tmp_path / "site" / "index.html").resolve()


def test_server_serves_wasm_as_application_wasm(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<p>page</p>")
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "rustc.wasm").write_bytes(b"\0asm\1\0\0\0")
    site = Site(tmp_path / "site", {"files/v/rustc/": tmp_path / "files"}, "v")
    http = server.start(site)
    try:
        url = server.url_of(http)
        with urllib.request.urlopen(url + "files/v/rustc/rustc.wasm") as response:
            assert response.headers["Content-Type"] == "application/wasm"
            assert "immutable" in response.headers["Cache-Control"]
            assert response.read() == b"\0asm\1\0\0\0"
        with urllib.request.urlopen(url) as response:
            assert response.read() == b"<p>page</p>"
            assert response.headers["Cache-Control"] == "no-cache"
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(url + "files/v/rustc/missing.wasm")
    finally:
        http.shutdown()


def test_server_sends_versioned_files_gzipped_when_accepted(tmp_path: Path) -> None:
    import gzip

    (tmp_path / "site").mkdir()
    (tmp_path / "files").mkdir()
    body = b"\0asm\1\0\0\0" + bytes(4096)
    (tmp_path / "files" / "rustc.wasm").write_bytes(body)
    site = Site(tmp_path / "site", {"files/v/rustc/": tmp_path / "files"}, "v")
    http = server.start(site)
    try:
        url = server.url_of(http) + "files/v/rustc/rustc.wasm"
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert response.headers["Content-Type"] == "application/wasm"
            packed = response.read()
        assert gzip.decompress(packed) == body and len(packed) < len(body)
        with urllib.request.urlopen(url) as response:  # no Accept-Encoding: as it is
            assert response.headers.get("Content-Encoding") is None and response.read() == body
        # the file changes under the same URL (the tool strips it otherwise): the gzip follows
        changed = body + b"more"
        (tmp_path / "files" / "rustc.wasm").write_bytes(changed)
        os.utime(tmp_path / "files" / "rustc.wasm", ns=(time.time_ns() + 10**9,) * 2)
        with urllib.request.urlopen(request) as response:
            assert gzip.decompress(response.read()) == changed
    finally:
        http.shutdown()
