"""The playground's site and server without a browser or a built compiler: config.json
names what the worker loads, URLs map into the site and its file directories only, and
the server gives wasm the MIME type compileStreaming needs."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from patcher.build.install import INSTALL_MARKER, installed
from patcher.web import server
from patcher.web.site import TARGET, Site, render_config


def fake_wasm_install(root: Path, option: str) -> Path:
    std = root / "lib" / "rustlib" / TARGET / "lib"
    (std / "self-contained").mkdir(parents=True)
    (std / "libstd-0123.rlib").write_bytes(b"!<arch>\n")
    (std / "libstd-0123.rmeta").write_bytes(b"rust")  # std's full metadata
    (std / "librustc_middle-4567.rmeta").write_bytes(b"rust")  # a compiler crate: not for the page
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
    config: Any = render_config(wasm, "abc", std, built)
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
