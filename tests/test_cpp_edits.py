"""The C++ edit kinds behind the LLVM porting patches, on small sources."""

from __future__ import annotations

from patcher.engine.cpp_edits import (
    ConditionAlso,
    WasiBody,
    WasiGuard,
    WasiGuardRest,
    defined_also,
    function_anchor,
    include_anchor,
    not_on_wasi,
)
from patcher.engine.edits import Anchor, Edit
from patcher.engine.plan import make_plan

SOURCE = b"""#include <sys/wait.h>
#include "Unix/Program.inc"

#if defined(__linux__) || defined(__EMSCRIPTEN__)
#include <endian.h>
#endif

#ifdef LLVM_ON_UNIX
int unix_only;
#endif

static bool Execute(int PI, const char *Program) {
  return fork() == 0;
}

std::error_code llvm::sys::ChangeStdinMode(int Flags) {
  return {};
}

using namespace llvm;
int socket_stuff() {
  return socket(0, 0, 0);
}
"""


def plan(*edits: Edit, source: bytes = SOURCE) -> tuple[str, list[str]]:
    result = make_plan(list(edits), lambda rel: source, {})
    patched = result.patched.get("f.cpp", b"").decode()
    return patched, [str(f) for f in result.findings]


def test_guard_wraps_the_anchor_and_keeps_it_for_other_hosts() -> None:
    patched, findings = plan(WasiGuard("f.cpp", include_anchor("sys/wait.h")))
    assert findings == []
    assert patched.startswith('#ifndef __wasi__\n#include <sys/wait.h>\n#endif\n#include "Unix/Program.inc"')


def test_guard_with_an_alternative() -> None:
    edit = WasiGuard("f.cpp", include_anchor("Unix/Program.inc"), alternative='#include "WASI/Program.inc"')
    patched, findings = plan(edit)
    assert findings == []
    assert '#ifndef __wasi__\n#include "Unix/Program.inc"\n#else\n#include "WASI/Program.inc"\n#endif\n' in patched


def test_body_is_replaced_on_wasi_only() -> None:
    patched, findings = plan(WasiBody("f.cpp", function_anchor("Execute"), "return false;"))
    assert findings == []
    assert (
        "static bool Execute(int PI, const char *Program) {\n#ifdef __wasi__\n  return false;\n#else\n"
        "  return fork() == 0;\n#endif\n}\n"
    ) in patched


def test_qualified_function_names() -> None:
    patched, findings = plan(WasiBody("f.cpp", function_anchor("llvm::sys::ChangeStdinMode"), "return {};"))
    assert findings == []
    assert patched.count("#ifdef __wasi__") == 1


def test_condition_also_on_if_and_ifdef() -> None:
    take = defined_also("f.cpp", Anchor('((preproc_if) @anchor (#match? @anchor "__linux__"))', "endian #if", ()))
    skip = not_on_wasi(
        "f.cpp", Anchor('(preproc_ifdef name: (identifier) @n (#eq? @n "LLVM_ON_UNIX")) @anchor', "ifdef", ())
    )
    patched, findings = plan(take, skip)
    assert findings == []
    assert "#if defined(__linux__) || defined(__EMSCRIPTEN__) || defined(__wasi__)\n" in patched
    assert "#if defined(LLVM_ON_UNIX) && !defined(__wasi__)\nint unix_only;" in patched


def test_condition_on_every_match_and_ambiguity_otherwise() -> None:
    source = b"#if defined(A)\nint a;\n#endif\n#if defined(A)\nint b;\n#endif\n"
    anchor = Anchor('((preproc_if) @anchor (#match? @anchor "defined\\\\(A\\\\)"))', "#if defined(A)", ("A",))
    patched, findings = plan(ConditionAlso("f.cpp", anchor, "&& !defined(__wasi__)", every=True), source=source)
    assert findings == [] and patched.count("&& !defined(__wasi__)") == 2
    _, findings = plan(ConditionAlso("f.cpp", anchor, "&& !defined(__wasi__)"), source=source)
    assert "ambiguous anchor `#if defined(A)`" in findings[0] and "lines 1, 4" in findings[0]


def test_guard_rest_of_file() -> None:
    anchor = Anchor('((using_declaration) @anchor (#eq? @anchor "using namespace llvm;"))', "using", ("using",))
    patched, findings = plan(WasiGuardRest("f.cpp", anchor))
    assert findings == []
    assert "#ifndef __wasi__\nusing namespace llvm;\nint socket_stuff()" in patched
    assert patched.endswith("}\n#endif // __wasi__\n")


def test_a_moved_anchor_names_file_anchor_and_what_is_left() -> None:
    _, findings = plan(WasiBody("f.cpp", function_anchor("llvm::sys::Wait"), "return {};"))
    assert len(findings) == 1
    assert findings[0].startswith("f.cpp: missing anchor `function llvm::sys::Wait`")
    assert "`Wait` appears nowhere in the file" in findings[0]
