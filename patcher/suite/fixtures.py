"""Broken or oversized proc-macro modules for the e2e suite, made on the fly: each must
be refused when it is loaded (or, for one that loads, when it expands), with an error
naming what is wrong."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from patcher.build.install import Installed
from patcher.cargo import modules
from patcher.rustc.abi import DECLS_SECTION, DECLS_VERSION, GUEST_ENTRY, HOST_DISPATCH, HOST_RECEIVE, HOST_REPLY
from patcher.wasm_binary import HEADER, custom_section, custom_sections, name, section


@dataclass(frozen=True)
class HostileModule:
    name: str
    path: Path
    expect: str  # in the compiler's error
    # where the error points in e2e/programs/simple_derive.rs ("line:column"); None: where
    # the program names the macro crate (an error loading the module)
    error_at: str | None = None


def decls_section(text: str) -> bytes:
    return custom_section(DECLS_SECTION, text.encode())


def module_with_memory_only(decls: str) -> bytes:
    """A valid module with declarations and an exported memory, but no entry point."""
    memory = section(5, b"\x01\x00\x01")  # one memory, min 1 page
    exports = section(7, b"\x01" + name("memory") + b"\x02\x00")
    return HEADER + decls_section(decls) + memory + exports


def module_with_entry(decls: str, custom: bytes | None = None) -> bytes:
    """A valid module with declarations, an exported memory and the relay ABI's entry point
    (`(i32, i32) -> ()`, returning at once, without a reply): everything a module needs but
    right `decls`. `custom`: custom sections to use instead of `decls` (another module's)."""
    types = section(1, b"\x01\x60\x02\x7f\x7f\x00")  # one type: (i32, i32) -> ()
    functions = section(3, b"\x01\x00")  # one function of type 0
    memory = section(5, b"\x01\x00\x01")
    exports = section(7, b"\x02" + name("memory") + b"\x02\x00" + name(GUEST_ENTRY) + b"\x00\x00")
    code = section(10, b"\x01\x02\x00\x0b")  # one body: no locals, `end`
    sections = decls_section(decls) if custom is None else custom
    return HEADER + sections + types + functions + memory + exports + code


def forging_module(custom: bytes, tree: bytes) -> bytes:
    """A module that speaks the bridge itself: its entry asks the compiler for a token stream
    of `tree` (a bridge-encoded `TokenTree` whose last 4 bytes, its span, become the call
    site's), then replies with that stream as the expansion's output. `custom`: its custom
    sections (another module's metadata and declarations)."""
    import wasmtime  # the wasm-host extra: only the e2e suite (slow tier) makes this module

    request = bytes([TS_FROM_TOKEN_TREE]) + tree[:-4]
    data = "".join(f"\\{b:02x}" for b in request)
    span_at = 1024 + len(request)
    wat = f"""(module
  (import "env" "{HOST_DISPATCH}" (func $dispatch (param i32 i32) (result i32)))
  (import "env" "{HOST_RECEIVE}" (func $receive (param i32)))
  (import "env" "{HOST_REPLY}" (func $reply (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 1024) "{data}")
  (func (export "{GUEST_ENTRY}") (param i32 i32)
    (call $receive (i32.const 0))  ;; the input: def_site, call_site, mixed_site, the stream
    (i32.store (i32.const {span_at}) (i32.load (i32.const 4)))
    (drop (call $dispatch (i32.const 1024) (i32.const {len(request) + 4})))
    (call $receive (i32.const 2048))  ;; Ok(handle)
    (i32.store16 (i32.const 3072) (i32.const 0))  ;; Ok(Some(..
    (i32.store (i32.const 3074) (i32.load (i32.const 2049)))
    (call $reply (i32.const 3072) (i32.const 6))))"""
    code = bytes(wasmtime.wat2wasm(wat))
    return code[: len(HEADER)] + custom + code[len(HEADER) :]


# method tags of the bridge (the order of `with_api!` in library/proc_macro/src/bridge/mod.rs)
TS_FROM_TOKEN_TREE = 11
# `TokenTree::Literal { kind: LitKind::ErrWithGuar, symbol: "1", suffix: None, span }`
ERROR_LITERAL = bytes([3, 10]) + (1).to_bytes(8, "little") + b"1" + bytes([1]) + b"SPAN"


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


def hostile_modules(work: Path, compiler: Installed, checkout: Path, basic: Path) -> Iterator[HostileModule]:
    """The cases; `basic` is the module of e2e/macros/basic, whose crate metadata and
    declarations a module that loads but misbehaves borrows."""
    work.mkdir(parents=True, exist_ok=True)

    def write(name: str, data: bytes) -> Path:
        path = work / f"{name}.wasm"
        path.write_bytes(data)
        return path

    yield HostileModule(
        "malformed", write("malformed", b"this is not a WebAssembly module\n"), "not a valid WebAssembly module"
    )
    yield HostileModule("no_decls", write("no_decls", HEADER), f"has no `{DECLS_SECTION}` section")
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
    # a module that loads (its crate metadata, `.rustc`, is basic's: options A and C read
    # it), but whose entry returns without replying
    borrowed = custom_sections(basic.read_bytes(), (DECLS_SECTION, ".rustc"))
    yield HostileModule(
        "no_reply",
        write("no_reply", module_with_entry("", custom=borrowed)),
        "WebAssembly proc macro `SimpleTest` returned without a reply",
        error_at="4:10",
    )
    # a module forging a literal that claims an error was reported (natively an ICE later)
    yield HostileModule(
        "forged_error_literal",
        write("forged_error_literal", forging_module(borrowed, ERROR_LITERAL)),
        "WebAssembly proc macro `SimpleTest` sent a malformed bridge request: `ts_from_token_tree`, "
        "argument `tree`: an error literal (`LitKind::ErrWithGuar`), which only the compiler makes",
        error_at="4:10",
    )
    crate = too_many_macros_crate(work / "too_many", compiler.slots + 1)
    yield HostileModule("too_many_macros", modules.build(crate, compiler, checkout, wasm=True), "--slots")
