"""Broken or oversized proc-macro modules for the e2e suite, made on the fly: each must
be refused when it is loaded, with an error naming what is wrong."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from patcher.build.install import Installed
from patcher.cargo import modules
from patcher.rustc.abi import DECLS_SECTION, DECLS_VERSION, GUEST_ENTRY

WASM_HEADER = b"\0asm\x01\0\0\0"


@dataclass(frozen=True)
class HostileModule:
    name: str
    path: Path
    expect: str  # in the compiler's error


def _leb(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _section(section_id: int, payload: bytes) -> bytes:
    return bytes([section_id]) + _leb(len(payload)) + payload


def _name(text: str) -> bytes:
    return _leb(len(text)) + text.encode()


def decls_section(text: str) -> bytes:
    return _section(0, _name(DECLS_SECTION) + text.encode())


def module_with_memory_only(decls: str) -> bytes:
    """A valid module with declarations and an exported memory, but no entry point."""
    memory = _section(5, b"\x01\x00\x01")  # one memory, min 1 page
    exports = _section(7, b"\x01" + _name("memory") + b"\x02\x00")
    return WASM_HEADER + decls_section(decls) + memory + exports


def module_with_entry(decls: str) -> bytes:
    """A valid module with declarations, an exported memory and the relay ABI's entry point
    (`(i32, i32) -> ()`, returning at once): everything a module needs but right `decls`."""
    types = _section(1, b"\x01\x60\x02\x7f\x7f\x00")  # one type: (i32, i32) -> ()
    functions = _section(3, b"\x01\x00")  # one function of type 0
    memory = _section(5, b"\x01\x00\x01")
    exports = _section(7, b"\x02" + _name("memory") + b"\x02\x00" + _name(GUEST_ENTRY) + b"\x00\x00")
    code = _section(10, b"\x01\x02\x00\x0b")  # one body: no locals, `end`
    return WASM_HEADER + decls_section(decls) + types + functions + memory + exports + code


def too_many_macros_crate(dest: Path, derives: int) -> Path:
    """A proc-macro crate with `derives` derive macros: one more than the slots."""
    (dest / "src").mkdir(parents=True, exist_ok=True)
    (dest / "Cargo.toml").write_text(
        '[package]\nname = "too_many"\nversion = "0.1.0"\nedition = "2021"\n\n[lib]\nproc-macro = true\n'
    )
    body = ["use proc_macro::TokenStream;"]
    for i in range(derives):
        body.append(f"#[proc_macro_derive(D{i})]\npub fn d{i}(_: TokenStream) -> TokenStream {{ TokenStream::new() }}")
    (dest / "src" / "lib.rs").write_text("\n".join(body) + "\n")
    return dest


def hostile_modules(work: Path, compiler: Installed, checkout: Path) -> Iterator[HostileModule]:
    work.mkdir(parents=True, exist_ok=True)

    def write(name: str, data: bytes) -> Path:
        path = work / f"{name}.wasm"
        path.write_bytes(data)
        return path

    yield HostileModule(
        "malformed", write("malformed", b"this is not a WebAssembly module\n"), "not a valid WebAssembly module"
    )
    yield HostileModule("no_decls", write("no_decls", WASM_HEADER), f"has no `{DECLS_SECTION}` section")
    decls = f"version:{DECLS_VERSION}\nderive:SimpleTest:simple_test\n"
    yield HostileModule(
        "missing_export", write("missing_export", module_with_memory_only(decls)), f"does not export `{GUEST_ENTRY}`"
    )
    # a module complete but for its version: only the version check can refuse it
    bad_version = module_with_entry("version:99\nderive:SimpleTest:simple_test\n")
    yield HostileModule(
        "bad_decls_version",
        write("bad_decls_version", bad_version),
        f"section has version 99, this compiler reads version {DECLS_VERSION}",
    )
    crate = too_many_macros_crate(work / "too_many", compiler.slots + 1)
    yield HostileModule("too_many_macros", modules.build(crate, compiler, checkout, wasm=True), "--slots")
