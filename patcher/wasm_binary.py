"""The WebAssembly binary format, as far as the tool needs it: sections, and LEB128
numbers. The suites make broken modules with it; the playground strips what the browser
does not need from rustc.wasm."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from patcher.errors import PatcherError

MAGIC = b"\0asm"
HEADER = MAGIC + b"\x01\0\0\0"  # the magic and version 1
CUSTOM = 0  # the id of a custom section


def leb(n: int) -> bytes:
    """`n` as unsigned LEB128."""
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def read_leb(data: bytes, at: int) -> tuple[int, int]:
    """The unsigned LEB128 number at `at`, and where the next field starts."""
    value, shift = 0, 0
    while True:
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at, shift = at + 1, shift + 7
        if not byte & 0x80:
            return value, at


def name(text: str) -> bytes:
    return leb(len(text)) + text.encode()


def is_module_file(path: Path) -> bool:
    """Whether `path` starts as a WebAssembly module does (a proc macro's module keeps the
    `.so` name cargo gives it, so the suffix says nothing)."""
    with path.open("rb") as file:
        return file.read(len(MAGIC)) == MAGIC


def section(section_id: int, payload: bytes) -> bytes:
    return bytes([section_id]) + leb(len(payload)) + payload


def custom_section(section_name: str, payload: bytes) -> bytes:
    return section(CUSTOM, name(section_name) + payload)


@dataclass(frozen=True)
class Section:
    id: int
    name: str | None  # a custom section's name; None for the others
    start: int  # where its id byte is
    end: int  # where the next section starts


def sections(module: bytes) -> Iterator[Section]:
    """The sections of `module`, in order; a module that is not one is refused by name."""
    if not module.startswith(HEADER):
        raise PatcherError(f"not a WebAssembly module (version 1): it starts with {module[:8]!r}")
    at = len(HEADER)
    while at < len(module):
        try:
            size, body = read_leb(module, at + 1)
            section_name = None
            if module[at] == CUSTOM:
                length, name_at = read_leb(module, body)
                section_name = module[name_at : name_at + length].decode()
        except (IndexError, UnicodeDecodeError) as error:
            raise PatcherError(f"a malformed WebAssembly section at byte {at}: {error}") from error
        if body + size > len(module):
            raise PatcherError(f"a WebAssembly section at byte {at} runs past the end of the module")
        yield Section(module[at], section_name, at, body + size)
        at = body + size


def custom_sections(module: bytes, names: tuple[str, ...]) -> bytes:
    """The custom sections of `module` with these names, as they are encoded in it."""
    return b"".join(module[s.start : s.end] for s in sections(module) if s.name in names)


def without_custom_sections(module: bytes, drop: Callable[[str], bool]) -> bytes:
    """`module` without the custom sections whose names `drop` selects; code, data and
    every other section are kept byte for byte."""
    kept = (module[s.start : s.end] for s in sections(module) if s.name is None or not drop(s.name))
    return HEADER + b"".join(kept)
