"""The pieces around the compiler that need no build: Cargo.lock and allow-list edits,
the shadow manifest of `wasm-macro`, e2e program headers and option flags, and the
hand-made hostile modules."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest

from patcher import wasm_binary
from patcher.cargo import modules
from patcher.engine.edits import CRATES_IO, Anchor, CargoLockPackage, LockedPackage, SortedStringEntries, Splice
from patcher.errors import PatcherError
from patcher.rustc.abi import DECLS_SECTION, GUEST_ENTRY
from patcher.suite import e2e, expected, fixtures
from patcher.suite.e2e import MacroFlags, read_program
from patcher.wasm_host.wasmtime import wasmtime_binary

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
    module = fixtures.module_with_memory_only("version:1\n")
    assert module.startswith(wasm_binary.HEADER)
    assert DECLS_SECTION.encode() + b"version:1\n" in module
    assert b"memory" in module and GUEST_ENTRY.encode() not in module


def test_the_bad_version_module_is_complete_but_for_its_version(tmp_path: Path) -> None:
    """Only the version check can refuse it: it validates, and exports what the ABI needs."""
    module = tmp_path / "m.wasm"
    module.write_bytes(fixtures.module_with_entry("version:99\nderive:SimpleTest:simple_test\n"))
    cmd = [str(wasmtime_binary()), "compile", str(module), "-o", str(tmp_path / "m.cwasm")]
    compiled = subprocess.run(cmd, capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stderr
    data = module.read_bytes()
    assert GUEST_ENTRY.encode() in data and b"memory" in data


def test_the_no_reply_module_borrows_another_modules_metadata(tmp_path: Path) -> None:
    """It keeps the custom sections asked for, byte for byte, and drops the others; the
    result is a valid module with the entry the ABI needs."""
    rustc = wasm_binary.custom_section(".rustc", b"metadata")
    other = wasm_binary.custom_section("producers", b"x")
    donor = wasm_binary.HEADER + rustc + other + fixtures.decls_section("version:3\n")
    kept = wasm_binary.custom_sections(donor, (DECLS_SECTION, ".rustc"))
    assert kept == rustc + fixtures.decls_section("version:3\n")
    module = tmp_path / "m.wasm"
    module.write_bytes(fixtures.module_with_entry("", custom=kept))
    cmd = [str(wasmtime_binary()), "compile", str(module), "-o", str(tmp_path / "m.cwasm")]
    compiled = subprocess.run(cmd, capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stderr
    assert b"metadata" in module.read_bytes() and b"producers" not in module.read_bytes()


def test_error_locations_are_read_from_the_first_error() -> None:
    stderr = (
        "error: proc macro panicked\n --> /w/hostile_traps.rs:6:1\n  |\n6 | traps!();\n"
        "error: aborting due to 1 previous error\n"
    )
    assert e2e.error_location(stderr) == "6:1"
    assert e2e.error_location("error: extern location for x does not exist: /m.wasm\n") == ""
    program = e2e.Program("p", Path("p.rs"), ["hostile"], error="x", error_at="5:1")
    assert e2e.expected_location(program, MacroFlags("c")) == "6:1"  # after the header line
    loads = e2e.Program("p", Path("p.rs"), ["hostile"], error="x", error_at=e2e.LOAD)
    assert e2e.expected_location(loads, MacroFlags("c")) == MacroFlags("c").load_site() != ""
    assert e2e.expected_location(loads, MacroFlags("b")) == ""  # a flag names the module: no source location
    assert e2e._misplaced(stderr, "6:1") == "" and "not 6:1" in e2e._misplaced(stderr, "5:1")


def test_every_error_program_says_where_its_error_points() -> None:
    for program in e2e.programs():
        assert (program.error is None) == (program.error_at is None), program.name


def test_expected_cases_name_every_program_and_depend_on_option_and_host() -> None:
    assert sorted(expected.PROGRAMS) == sorted(p.name for p in e2e.programs())
    link_errors = (e2e.E2E_DIR / "link_errors").glob("*.rs")
    assert sorted(expected.LINK_ERRORS) == sorted(f"link-error:{p.stem}" for p in link_errors)
    native_c, native_b = expected.expected_cases("c", "native"), expected.expected_cases("b", "native")
    assert len(native_c) == 47 and "cargo:stable-code-paths" in native_c and "dependent:same-flags" in native_c
    assert "engine:cache-corrupt" in native_c  # a native compiler's default engine is wasmtime
    assert expected.expected_cases("c", "native", "wasmtime") == native_c
    wasmi = expected.expected_cases("c", "native", "wasmi")
    assert len(wasmi) == 43 and not any(case.startswith("engine:") for case in wasmi)
    assert not any(case.startswith(("cargo:", "dependent:")) for case in native_b) and len(native_b) == 35
    threads = expected.expected_cases("c", "wasm-threads")
    assert "parallel:all_kinds" in threads and "link-error:missing_library" in threads and "cargo:build" not in threads
    ran = [c for c in wasmi if c != "cargo:test"] + ["module:malformed", "new"]
    assert expected.differences(ran, "c", "native", "wasmi") == (
        "missing: cargo:test; not in patcher/suite/expected.py: new; run twice: module:malformed"
    )
    assert expected.differences(native_c, "c", "native") == ""
    assert "missing: engine:cache-corrupt" in expected.differences(wasmi, "c", "native", "wasmtime")
