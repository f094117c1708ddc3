"""How the e2e suite compares rustc.wasm's stderr with the native compiler's: whole, apart
from the names a link's temporary files get."""

from __future__ import annotations

from patcher.suite.e2e import _stderr_diff, _without_temp_names

NATIVE = """error: linking with `rust-lld` failed: exit status: 1
  |
  = note: "rust-lld" "-flavor" "wasm" "/w/rustcA1b2C3/symbols.o" "/w/out.missing_library.9f3a61c0d2e4b5a7-cgu.0.rcgu.o"
  = note: rust-lld: error: unable to find library -le2e_nowhere

error: aborting due to 1 previous error

"""


def test_temporary_names_do_not_count() -> None:
    other_run = NATIVE.replace("rustcA1b2C3", "rustcZz9Yy8").replace("9f3a61c0d2e4b5a7", "0123456789abcdef")
    assert other_run != NATIVE
    assert _stderr_diff(_without_temp_names(other_run), _without_temp_names(NATIVE)) == ""


def test_a_missing_line_is_shown() -> None:
    without_summary = NATIVE.replace("error: aborting due to 1 previous error\n", "")
    diff = _stderr_diff(without_summary, NATIVE)
    assert "-error: aborting due to 1 previous error" in diff
    assert _stderr_diff(NATIVE, NATIVE) == ""
