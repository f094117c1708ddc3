"""The LLVM porting patches: what LLVM 22's Support library needs to build and run on a
WASI (wasm32-wasip1) host, as data.

LLVM takes its Unix code paths on WASI (templates/wasi/Platform/WASI.cmake says UNIX);
these edits cover what WASI preview 1 lacks: processes, signals, setjmp, users, file
locks, rlimits, sockets. Each edit keeps the original code for every other host
(`#ifndef __wasi__` ... `#else` ... `#endif`), so the patched tree still builds natively.
Anchors are tree-sitter-cpp queries, never line numbers; `nox -s llvm-patches -- --check`
reports every anchor upstream moved, naming file and anchor.
"""

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
from patcher.engine.edits import Anchor, Edit, NewFile
from patcher.engine.workspace import PatchSet

SUPPORT = "llvm/lib/Support"
# Every file the patch set reads or writes lies under one of these (the export and the
# fast tests extract just them from the tarball).
LIBCXXABI = "libcxxabi/src"
SOURCE_DIRS = ("llvm/include/llvm/ADT", SUPPORT, LIBCXXABI)
UNIX = f"{SUPPORT}/Unix"

UNSUPPORTED = "return std::make_error_code(std::errc::function_not_supported);"
OK = "return std::error_code();"


def _matching(node_type: str, pattern: str, description: str, names: tuple[str, ...]) -> Anchor:
    """A node of `node_type` whose text matches the regex `pattern`."""
    query = f'(({node_type}) @anchor (#match? @anchor "{pattern}"))'
    return Anchor(query, description, names)


def _function_containing(name: str, pattern: str) -> Anchor:
    """Function `name` whose text matches `pattern` (for names defined once per platform)."""
    query = f"""
    (function_definition
      declarator: (function_declarator declarator: (_) @name)
      (#eq? @name "{name}")) @anchor
    """
    return Anchor(f'({query.strip()} (#match? @anchor "{pattern}"))', f"function {name} using {pattern}", (name,))


def _ifdef(name: str) -> str:
    return f'(preproc_ifdef name: (identifier) @n (#eq? @n "{name}")) @anchor'


def _platform_include(cpp: str, inc: str) -> list[Edit]:
    """`#include "Unix/<inc>"` in `cpp` becomes `#include "WASI/<inc>"` on WASI."""
    return [
        WasiGuard(f"{SUPPORT}/{cpp}", include_anchor(f"Unix/{inc}"), alternative=f'#include "WASI/{inc}"'),
        NewFile(f"{SUPPORT}/WASI/{inc}", f"llvm/{inc}.j2"),
    ]


EDITS: list[Edit] = [
    # ADT/bit.h: WASI's libc has <endian.h>, like Linux and Emscripten.
    defined_also(
        "llvm/include/llvm/ADT/bit.h",
        _matching("preproc_if", "^#if defined\\\\(__linux__\\\\)", "#if choosing <endian.h>", ("__linux__",)),
    ),
    # Unix.h: no processes, so no <sys/wait.h>.
    WasiGuard(f"{UNIX}/Unix.h", include_anchor("sys/wait.h")),
    # Signals: no signals at all; a WASI implementation file replaces the Unix one.
    *_platform_include("Signals.cpp", "Signals.inc"),
    # Watchdog: no alarm().
    *_platform_include("Watchdog.cpp", "Watchdog.inc"),
    # Program: processes cannot be started; finding programs and file modes still work.
    WasiBody(
        f"{UNIX}/Program.inc",
        function_anchor("Execute"),
        'if (ErrMsg)\n  *ErrMsg = "cannot run " + Program.str() + ": WASI has no processes";\nreturn false;',
    ),
    WasiBody(
        f"{UNIX}/Program.inc",
        function_anchor("llvm::sys::Wait"),
        "ProcessInfo WaitResult = PI;\nWaitResult.ReturnCode = -1;\nif (ErrMsg)\n"
        '  *ErrMsg = "WASI has no child processes";\nif (ProcStat)\n  ProcStat->reset();\nreturn WaitResult;',
    ),
    WasiBody(f"{UNIX}/Program.inc", function_anchor("RedirectIO"), "return false;"),
    WasiBody(f"{UNIX}/Program.inc", function_anchor("RedirectIO_PS"), "return false;"),
    WasiBody(f"{UNIX}/Program.inc", function_anchor("SetMemoryLimits"), "return;"),
    not_on_wasi(
        f"{UNIX}/Program.inc",
        _matching("preproc_elif", "^#elif !defined\\\\(__Fuchsia__\\\\)", "#elif choosing ::wait4", ("wait4",)),
    ),
    # Process: no core files, rlimits, signal masks or terminals.
    WasiBody(f"{UNIX}/Process.inc", function_anchor("Process::PreventCoreFiles"), "return;"),
    WasiBody(f"{UNIX}/Process.inc", function_anchor("Process::FixupStandardFileDescriptors"), OK),
    WasiBody(
        f"{UNIX}/Process.inc",
        function_anchor("Process::SafelyCloseFileDescriptor"),
        "if (::close(FD) < 0)\n  return errnoAsErrorCode();\nreturn std::error_code();",
    ),
    WasiBody(f"{UNIX}/Process.inc", function_anchor("getColumns"), "return 0;"),
    # Path: no users, umask, ownership or locks; no way to find the running module.
    WasiGuard(f"{UNIX}/Path.inc", include_anchor("pwd.h")),
    WasiBody(f"{UNIX}/Path.inc", function_anchor("getMainExecutable"), 'return "";'),
    defined_also(
        f"{UNIX}/Path.inc",
        _matching(
            "preproc_call",
            "^#elif defined\\\\(__EMSCRIPTEN__\\\\)",
            "#elif for Emscripten's local disks",
            ("__EMSCRIPTEN__",),
        ),
    ),
    *(
        # no posix_madvise in wasi-libc's mman emulation: the hint is a no-op, as on AIX
        defined_also(
            f"{UNIX}/Path.inc",
            Anchor(
                "((preproc_if) @anchor (#match? @anchor"
                ' "^#if defined\\\\(__MVS__\\\\) \\\\|\\\\| defined\\\\(_AIX\\\\)"))',
                f"#if defined(__MVS__) || defined(_AIX) in {function}",
                ("posix_madvise",),
                inside=function_anchor(function).query.replace("@anchor", "@scope"),
            ),
        )
        for function in ("mapped_file_region::dontNeedImpl", "mapped_file_region::willNeedImpl")
    ),
    WasiBody(f"{UNIX}/Path.inc", function_anchor("expandTildeExpr"), "return;"),
    WasiBody(f"{UNIX}/Path.inc", function_anchor("getUmask"), "return 0022;"),
    WasiBody(f"{UNIX}/Path.inc", function_anchor("tryLockFile"), OK),
    WasiBody(f"{UNIX}/Path.inc", function_anchor("lockFile"), OK),
    WasiBody(f"{UNIX}/Path.inc", function_anchor("unlockFile"), OK),
    WasiBody(f"{UNIX}/Path.inc", function_anchor("changeFileOwnership"), UNSUPPORTED),
    WasiBody(
        f"{UNIX}/Path.inc",
        function_anchor("home_directory"),
        'const char *Home = std::getenv("HOME");\nif (!Home)\n  return false;\n'
        "result.clear();\nresult.append(Home, Home + strlen(Home));\nreturn true;",
    ),
    # CrashRecoveryContext: setjmp needs wasm exception handling; a crash just aborts.
    WasiGuard(f"{SUPPORT}/CrashRecoveryContext.cpp", include_anchor("setjmp.h")),
    WasiGuard(
        f"{SUPPORT}/CrashRecoveryContext.cpp",
        _matching("field_declaration", "jmp_buf", "field JumpBuffer", ("JumpBuffer",)),
    ),
    WasiGuard(
        f"{SUPPORT}/CrashRecoveryContext.cpp",
        _matching("if_statement", "^if \\\\(ValidJumpBuffer\\\\)", "longjmp in HandleCrash", ("longjmp",)),
        alternative="  abort();",
    ),
    WasiGuard(
        f"{SUPPORT}/CrashRecoveryContext.cpp",
        _matching("if_statement", "^if \\\\(setjmp", "setjmp in RunSafely", ("setjmp",)),
    ),
    WasiGuard(
        f"{SUPPORT}/CrashRecoveryContext.cpp",
        _matching("declaration", "^static struct sigaction PrevActions", "PrevActions", ("PrevActions",)),
    ),
    WasiGuard(f"{SUPPORT}/CrashRecoveryContext.cpp", function_anchor("CrashRecoverySignalHandler")),
    WasiBody(
        f"{SUPPORT}/CrashRecoveryContext.cpp",
        _function_containing("installExceptionOrSignalHandlers", "sigaction"),
        "return;",
    ),
    WasiBody(
        f"{SUPPORT}/CrashRecoveryContext.cpp",
        _function_containing("uninstallExceptionOrSignalHandlers", "sigaction"),
        "return;",
    ),
    # LockFileManager: no sessions to ask whether a process is alive.
    not_on_wasi(
        f"{SUPPORT}/LockFileManager.cpp",
        _matching("preproc_if", "^#if LLVM_ON_UNIX && !defined\\\\(__ANDROID__\\\\)", "#if asking getsid", ("getsid",)),
    ),
    # Jobserver: no pipes to share with make; LLVM's own fallback for other hosts.
    ConditionAlso(
        f"{SUPPORT}/Jobserver.cpp",
        _matching(
            "preproc_if", "^#if defined\\\\(LLVM_ON_UNIX\\\\)", "each #if defined(LLVM_ON_UNIX)", ("LLVM_ON_UNIX",)
        ),
        "&& !defined(__wasi__)",
        every=True,
    ),
    # ProgramStack: no getrlimit; LLVM's default stack size for other hosts.
    not_on_wasi(
        f"{SUPPORT}/ProgramStack.cpp",
        Anchor(f"(translation_unit {_ifdef('LLVM_ON_UNIX')})", "top-level #ifdef LLVM_ON_UNIX", ("LLVM_ON_UNIX",)),
    ),
    not_on_wasi(
        f"{SUPPORT}/ProgramStack.cpp",
        Anchor(
            _ifdef("LLVM_ON_UNIX"),
            "#ifdef LLVM_ON_UNIX in getDefaultStackSize",
            ("getrlimit",),
            inside=function_anchor("llvm::getDefaultStackSize").query.replace("@anchor", "@scope"),
        ),
    ),
    # libc++abi defines __cxa_thread_atexit (the destructors of C++ thread_locals) only on
    # Linux and Fuchsia, and wasi-libc has none: with threads, LLVM's Parallel.cpp imports it
    # and rustc.wasm fails to instantiate. Its fallback (pthread keys) works on WASI.
    ConditionAlso(
        f"{LIBCXXABI}/cxa_thread_atexit.cpp",
        _matching(
            "preproc_if",
            "^#if defined\\\\(__linux__\\\\) \\\\|\\\\| defined\\\\(__Fuchsia__\\\\)",
            "#if defined(__linux__) || defined(__Fuchsia__)",
            ("__cxa_thread_atexit",),
        ),
        "|| defined(__wasi__)",
    ),
    # raw_socket_stream: Unix domain sockets do not exist on WASI preview 1.
    WasiGuardRest(
        f"{SUPPORT}/raw_socket_stream.cpp",
        Anchor(
            '((using_declaration) @anchor (#eq? @anchor "using namespace llvm;"))', "using namespace llvm", ("using",)
        ),
    ),
]


def llvm_edits() -> list[Edit]:
    return list(EDITS)


def _no_context(variant: str, slots: int) -> dict[str, object]:
    return {}


def llvm_patch_set() -> PatchSet:
    """The LLVM porting patches as a workspace patch set (one variant, "wasi")."""
    return PatchSet("LLVM porting", lambda variant: llvm_edits(), _no_context)


VARIANT = "wasi"
