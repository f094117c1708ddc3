"""The pieces around the compiler that need no build: Cargo.lock and allow-list edits,
the shadow manifest of `wasm-macro`, e2e program headers and option flags, and the
hand-made hostile modules."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from patcher.cargo import modules
from patcher.engine.edits import CRATES_IO, Anchor, CargoLockPackage, LockedPackage, SortedStringEntries, Splice
from patcher.errors import PatcherError
from patcher.rustc.abi import DECLS_SECTION, GUEST_ENTRY
from patcher.suite import fixtures
from patcher.suite.e2e import MacroFlags, read_program

LOCK = """version = 4

[[package]]
name = "alpha"
version = "0.0.0"
dependencies = [
 "zeta",
]

[[package]]
name = "wasmparser"
version = "0.236.1"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "wasmparser"
version = "0.245.1"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "zeta"
version = "1.0.0"
"""


def apply(source: str, splices: list[Splice]) -> str:
    data = source.encode()
    for s in sorted(splices, key=lambda s: s.start, reverse=True):
        data = data[: s.start] + s.text + data[s.end :]
    return data.decode()


def test_lock_packages_go_where_cargo_writes_them() -> None:
    edit = CargoLockPackage(
        "Cargo.lock",
        (
            LockedPackage("mid", "0.0.0", ("wasmparser 0.239.0",)),
            LockedPackage("wasmparser", "0.239.0", (), CRATES_IO),
        ),
        ("alpha",),
    )
    splices, findings = edit.splices(LOCK.encode(), {})
    assert findings == []
    patched = apply(LOCK, splices)
    packages = tomllib.loads(patched)["package"]
    assert [(p["name"], p["version"]) for p in packages] == [
        ("alpha", "0.0.0"),
        ("mid", "0.0.0"),
        ("wasmparser", "0.236.1"),
        ("wasmparser", "0.239.0"),  # between the versions, as cargo sorts them
        ("wasmparser", "0.245.1"),
        ("zeta", "1.0.0"),
    ]
    assert packages[0]["dependencies"] == ["mid", "zeta"]
    assert edit.probe(patched.encode())


def test_lock_refuses_a_second_version_that_would_make_references_ambiguous() -> None:
    edit = CargoLockPackage("Cargo.lock", (LockedPackage("zeta", "2.0.0", (), CRATES_IO),), ())
    splices, findings = edit.splices(LOCK.encode(), {})
    assert splices == [] and findings and "zeta" in findings[0].anchor


ALLOW_LIST = b"""const PERMITTED: &[&str] = &[
    // tidy-alphabetical-start
    "adler2",
    "smallvec",
    "wasmparser",
    // tidy-alphabetical-end
];
"""


def test_allow_list_entries_are_inserted_in_order() -> None:
    edit = SortedStringEntries(
        "deps.rs",
        Anchor(
            "((const_item name: (identifier) @n value: (reference_expression value: (array_expression) @anchor))"
            ' (#eq? @n "PERMITTED"))',
            "const PERMITTED",
            ("PERMITTED",),
        ),
        ("wasmi_core", "spin", "wasmi", "zzz"),
    )
    splices, findings = edit.splices(ALLOW_LIST, {})
    assert findings == []
    patched = apply(ALLOW_LIST.decode(), splices)
    names = [line.strip().strip('",') for line in patched.splitlines() if line.strip().startswith('"')]
    assert names == ["adler2", "smallvec", "spin", "wasmi", "wasmi_core", "wasmparser", "zzz"]
    assert edit.probe(patched.encode())
    assert edit.splices(patched.encode(), {})[1], "adding them twice is a conflict"


def write_crate(root: Path, lib: str) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "src" / "lib.rs").write_text("")
    (root / "helper").mkdir()
    (root / "Cargo.toml").write_text(
        f'[package]\nname = "my-macro"\nversion = "0.2.0"\nedition = "2021"\n\n{lib}\n'
        '[dependencies]\nsyn = { version = "2", features = ["full"] }\nhelper = { path = "helper" }\n'
        '\n[features]\ndefault = ["extra"]\nextra = []\n'
    )
    return root


def test_shadow_manifest_is_a_library_with_absolute_paths(tmp_path: Path) -> None:
    crate = modules.read_crate(write_crate(tmp_path / "c", "[lib]\nproc-macro = true\n"))
    assert crate.name == "my_macro"
    shadow = tomllib.loads(modules._shadow_manifest(crate, proc_macro=False))
    assert shadow["lib"] == {"proc-macro": False, "path": str(crate.root / "src/lib.rs"), "name": "my_macro"}
    assert shadow["dependencies"]["helper"]["path"] == str(crate.root / "helper")
    assert shadow["dependencies"]["syn"] == {"version": "2", "features": ["full"]}
    assert shadow["features"] == {"default": ["extra"], "extra": []}
    assert shadow["package"]["edition"] == "2021"


def test_a_crate_that_is_not_a_proc_macro_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PatcherError, match="not a proc-macro crate"):
        modules.read_crate(write_crate(tmp_path / "c", ""))
    with pytest.raises(PatcherError, match=r"no Cargo\.toml"):
        modules.read_crate(tmp_path / "missing")


def test_program_headers_and_flags(tmp_path: Path) -> None:
    path = tmp_path / "p.rs"
    path.write_text("//@ macros: basic describe\n//@ stdout: a b\n//@ env: X=1=2\n//@ wasm-only\nfn main() {}\n")
    program = read_program(path)
    assert program.macros == ["basic", "describe"]
    assert program.stdout == ["a b"] and program.env == {"X": "1=2"} and program.wasm_only
    module = Path("m.wasm")
    assert MacroFlags("c").args("basic", module) == ["--wasm-proc-macro", "basic=m.wasm"]
    assert MacroFlags("a").args("basic", module) == ["--extern", "basic=m.wasm"]
    assert MacroFlags("b").args("basic", module) == ["-Zwasm-proc-macro=m.wasm"]
    # one header line whatever the option, so that spans compare across options
    for option in ("a", "b", "c", "native"):
        assert MacroFlags(option).header(["basic", "describe"]).count("\n") == 1


def test_hand_made_modules() -> None:
    assert fixtures._leb(0) == b"\x00" and fixtures._leb(127) == b"\x7f" and fixtures._leb(128) == b"\x80\x01"
    module = fixtures.module_with_memory_only("version:1\n")
    assert module.startswith(fixtures.WASM_HEADER)
    assert DECLS_SECTION.encode() + b"version:1\n" in module
    assert b"memory" in module and GUEST_ENTRY.encode() not in module
