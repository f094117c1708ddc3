"""The bridge fuzzer's own logic: the program it compiles, how it reads the guest's
announcements and the compiler's errors (the fuzzing itself is the slow tier's)."""

from __future__ import annotations

from patcher.suite import bridge_fuzz


def test_program_expands_the_fuzzer_once_per_case() -> None:
    text = bridge_fuzz.program(7, range(3, 6), 8)
    assert text.splitlines() == [
        "#[macro_use] extern crate hostile_bridge;",
        "fuzz!(7 3 8);",
        "fuzz!(7 4 8);",
        "fuzz!(7 5 8);",
        f'echo! {{ compile_error!("{bridge_fuzz.AFTER_THE_FUZZ}"); }}',
        "fn main() {}",
    ]


def test_a_crash_is_blamed_on_the_last_message_announced() -> None:
    stdout = "fuzz 3.0 valid 09aa\nsomething the macro printed\nfuzz 3.1 flip 0601000000\n"
    assert bridge_fuzz.last_message(stdout) == "fuzz 3.1 flip 0601000000"
    assert bridge_fuzz.last_message("") == "(none)"


def test_errors_are_counted_by_how_the_expansion_ended() -> None:
    stderr = """error: proc macro panicked
 = help: message: WebAssembly proc macro `fuzz` sent a malformed bridge request: an empty request
error: proc macro panicked
 = help: message: WebAssembly proc macro `fuzz` sent a malformed reply: a second reply
error: proc macro panicked
 = help: message: Missing proc macro quoted span: 7
error: expected item, found `<`
error: aborting due to 4 previous errors
"""
    kinds = bridge_fuzz.classify(stderr)
    assert kinds == {
        "malformed request": 1,
        "malformed reply": 1,
        "compiler could not serve": 1,
        "other errors": 2,  # a parse error of the output, and the summary line
    }
