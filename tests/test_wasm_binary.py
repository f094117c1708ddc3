"""Reading and rewriting a module's sections (patcher/wasm_binary.py)."""

from __future__ import annotations

import pytest

from patcher import wasm_binary
from patcher.errors import PatcherError
from patcher.wasm_binary import HEADER, custom_section, section

TYPES = section(1, b"\x01\x60\x00\x00")  # one type: () -> ()
NAMES = custom_section("name", b"\x00\x02fn")
DEBUG = custom_section(".debug_info", b"\x01" * 300)  # a size that takes two LEB128 bytes
PRODUCERS = custom_section("producers", b"x")
MODULE = HEADER + NAMES + TYPES + DEBUG + PRODUCERS


def test_leb128() -> None:
    assert [wasm_binary.leb(n) for n in (0, 127, 128, 624485)] == [b"\x00", b"\x7f", b"\x80\x01", b"\xe5\x8e\x26"]
    assert wasm_binary.read_leb(b"\xff\xe5\x8e\x26\x00", 1) == (624485, 4)


def test_sections_are_read_in_order_with_their_names() -> None:
    found = [(s.id, s.name) for s in wasm_binary.sections(MODULE)]
    assert found == [(0, "name"), (1, None), (0, ".debug_info"), (0, "producers")]


def test_dropping_custom_sections_keeps_the_rest_byte_for_byte() -> None:
    stripped = wasm_binary.without_custom_sections(MODULE, lambda n: n == "name" or n.startswith(".debug"))
    assert stripped == HEADER + TYPES + PRODUCERS
    assert wasm_binary.custom_sections(MODULE, ("producers", "name")) == NAMES + PRODUCERS


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"\x7fELF\x02\x01\x01\x00rest", "not a WebAssembly module"),
        (HEADER + b"\x01\x10\x00", "runs past the end"),
        (HEADER + b"\x00\x03\x02\xff\xfe", "malformed WebAssembly section at byte 8"),
        (HEADER + b"\x00", "malformed WebAssembly section at byte 8"),
    ],
)
def test_what_is_not_a_module_is_refused_by_name(data: bytes, says: str) -> None:
    with pytest.raises(PatcherError, match=says):
        list(wasm_binary.sections(data))
