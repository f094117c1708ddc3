"""results/ and the docs' generated blocks: every results file stamped with its date and
command, and the README's and docs/' figures generated from them (stale figures fail here)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from patcher import doc_blocks, results
from patcher.cli import generated_blocks


def test_the_generated_blocks_are_current() -> None:
    stale = doc_blocks.update(check=True, given=generated_blocks())
    assert stale == [], f"{stale}: figures or tables differ from results/ and the code: run `nox -s export`"


def test_a_changed_result_makes_the_readme_stale(tmp_path: Path) -> None:
    copy = tmp_path / "results"
    shutil.copytree(doc_blocks.RESULTS, copy)
    readme = tmp_path / "README.md"
    readme.write_text("wasm host: <!-- figures:wasm-host-ratio -->x<!-- /figures --> slower\n")
    assert doc_blocks.update(check=False, files=[readme], results=copy) == [readme]
    assert doc_blocks.update(check=True, files=[readme], results=copy) == []
    data = json.loads((copy / "bench-wasm-host.json").read_text())
    data["cases"][0]["time_ratio"] = 9.87
    (copy / "bench-wasm-host.json").write_text(json.dumps(data))
    assert doc_blocks.update(check=True, files=[readme], results=copy) == [readme]
    assert doc_blocks.update(check=False, files=[readme], results=copy) == [readme]
    assert "9.9x" in readme.read_text() and doc_blocks.update(check=True, files=[readme], results=copy) == []


def test_an_unknown_block_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="nonsense"):
        doc_blocks.render("<!-- figures:nonsense -->x<!-- /figures -->", tmp_path)


def test_every_results_file_is_one_a_command_writes() -> None:
    """No hand-written file: each is one of the files the tool's commands write."""
    written = {
        "ui-proc-macro.json", "compare.md", "compare.json", "bench-expansion.json", "bench-cargo.json",
        "bench-patch.json", "bench-wasm-host.json", "bench-wasm-threads.json", "web-playground.json",
        "web-playground.png", "web-playground-serde.png", "web-playground-error.png", "wasm-host-build.json",
        "builds.json", "bridge-fuzz.json", "dist.json",
        "bench-release.json",
    }  # fmt: skip
    for path in sorted(doc_blocks.RESULTS.iterdir()):
        patterns = ("e2e-", "check-option-", "crater")
        assert path.name in written or path.name.startswith(patterns), f"{path.name}: no command writes it"
        if path.suffix == ".json":
            data = json.loads(path.read_text())
            entries = data if isinstance(data, list) else [data]
            assert not any("note" in entry for entry in entries), f"{path.name}: a hand-written note"


def test_results_are_stamped_with_date_and_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUSTC_WASM_RESULTS", str(tmp_path))
    monkeypatch.setattr(sys, "argv", ["/x/patcher/__main__.py", "bench", "--only", "cargo"])
    path = results.write_result("x.json", {"value": 1})
    assert json.loads(path.read_text()) == {
        "date": results.stamp()["date"], "command": "python -m patcher bench --only cargo", "value": 1,
    }  # fmt: skip
    listed = results.append_result(tmp_path / "list.json", {"seconds": 3})
    assert json.loads(listed.read_text())[0]["command"] == "python -m patcher bench --only cargo"


def test_the_build_id_is_a_digest_of_the_installed_files(tmp_path: Path) -> None:
    """Installing the same compiler again keeps its id (module caches stay valid); any
    changed file gives another."""
    from patcher.build.install import INSTALL_MARKER, content_id

    sysroot = tmp_path / "sysroot"
    (sysroot / "bin").mkdir(parents=True)
    (sysroot / "bin" / "rustc").write_bytes(b"rustc")
    (sysroot / "bin" / "rust-lld").symlink_to("/usr/bin/ld.lld-22")
    first = content_id(sysroot)
    (sysroot / INSTALL_MARKER).write_text('{"build_id": "x"}')
    assert content_id(sysroot) == first
    (sysroot / "bin" / "rustc").write_bytes(b"rustC")
    assert content_id(sysroot) != first
