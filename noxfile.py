"""nox sessions: thin wrappers around `python -m patcher`; see README.md.

They run in the environment nox runs from, the set-up's `.venv/` (tools/setup.sh installs
requirements.lock there): no session makes or fills a virtual environment of its own."""

from __future__ import annotations

import sys

import nox

nox.options.default_venv_backend = "none"
nox.options.sessions = ["tests"]

PYTHON = sys.executable  # .venv/bin/python when run as .venv/bin/nox


def _patcher(session: nox.Session, *args: str) -> None:
    session.run(PYTHON, "-m", "patcher", *args)


def _lint(session: nox.Session) -> None:
    session.run(PYTHON, "-m", "ruff", "check", "patcher", "tests", "noxfile.py")
    session.run(PYTHON, "-m", "ruff", "format", "--check", "patcher", "tests")
    session.run(PYTHON, "-m", "mypy")


@nox.session
def checkout(session: nox.Session) -> None:
    """Provision rust-checkout/ (pinned rustc source, pristine tree at ref `upstream`)."""
    _patcher(session, *_version(session), "checkout", *_rest(session))


@nox.session
def patch(session: nox.Session) -> None:
    """Apply an option: `-- --option c [--slots N] [--dry-run] [--revert]`."""
    _patcher(session, *_version(session), "patch", *_rest(session))


@nox.session
def check(session: nox.Session) -> None:
    """Apply an option and `x.py check` every crate it touches: `-- --option c`."""
    _patcher(session, *_version(session), "check", *_rest(session))


@nox.session
def export(session: nox.Session) -> None:
    """Regenerate patches/option-<name>.patch (`-- --check`: fail if stale)."""
    _patcher(session, "export", *session.posargs)


@nox.session
def status(session: nox.Session) -> None:
    """Show what the tool applied to the checkout."""
    _patcher(session, "status")


@nox.session
def build(session: nox.Session) -> None:
    """Apply an option, build the patched stage1 compiler and std (host + wasm32), install
    it to dist/native/: `-- [--option c] [--slots N]`. Resumes an interrupted build."""
    _patcher(session, "build", *session.posargs)


@nox.session(name="wasm-macro")
def wasm_macro(session: nox.Session) -> None:
    """Compile a proc-macro crate to .wasm with the patched compiler: `-- path/to/crate`.
    Prints the module's path last."""
    _patcher(session, "wasm-macro", *session.posargs)


@nox.session
def ui(session: nox.Session) -> None:
    """rustc's tests/ui/proc-macro through compiletest, every proc macro compiled to wasm
    (`-- --native`: native proc macros, the baseline); writes results/ui-proc-macro.json."""
    _patcher(session, "ui", *session.posargs)


@nox.session
def e2e(session: nox.Session) -> None:
    """The end-to-end suite against dist/native/: `-- --option c` (must match the build)."""
    _patcher(session, "e2e", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """Random and mutated bridge messages from a wasm macro through each engine, against
    dist/native/: `-- [--seed N] [--cases N] [--messages N]`; writes results/bridge-fuzz.json."""
    _patcher(session, "fuzz", *session.posargs)


@nox.session
def crater(session: nox.Session) -> None:
    """The compatibility run against dist/native/: every proc macro in the checkout's
    vendor/ to a module, and its vendored consumers expanded natively and from wasm:
    `-- [crate ...] [--fresh]`; resumes; writes results/crater.json (about an hour cold)."""
    _patcher(session, "crater", *session.posargs)


@nox.session
def compare(session: nox.Session) -> None:
    """Build and test every option in turn; writes results/compare.md (slow: a build per option)."""
    _patcher(session, "compare", *session.posargs)


@nox.session
def web(session: nox.Session) -> None:
    """The playground: rustc.wasm in a browser page, served on 127.0.0.1 (prints its URL):
    `-- [--port N] [--host H]`; `-- --check` runs the browser test in Debian's chromium
    (results/web-playground.json, results/web-playground.png). Needs dist/wasm and dist/native."""
    _patcher(session, "web", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: patch speed (results/bench-patch.json) and, with a built compiler,
    wasm vs native expansion and clean builds (results/bench-expansion.json), and with
    rustc.wasm, rustc.wasm vs native rustc (results/bench-wasm-host.json)."""
    _patcher(session, "bench", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff and mypy."""
    _lint(session)


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite (CI runs this): lint, pytest, including the x.py check gate for option c."""
    _lint(session)
    session.run(PYTHON, "-m", "pytest", "-ra", *session.posargs)


def _version(session: nox.Session) -> list[str]:
    args = list(session.posargs)
    if "--rust-version" in args:
        i = args.index("--rust-version")
        return ["--rust-version", args[i + 1]]
    return []


def _rest(session: nox.Session) -> list[str]:
    args = list(session.posargs)
    if "--rust-version" in args:
        i = args.index("--rust-version")
        del args[i : i + 2]
    return args
