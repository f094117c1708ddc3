"""nox sessions: thin wrappers around `python -m patcher`; see README.md."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests"]

DEPS = ["-e", ".[dev]"]


def _patcher(session: nox.Session, *args: str) -> None:
    session.install(*DEPS)
    session.run("python", "-m", "patcher", *args)


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
    """Regenerate patches/option-{a,b,c}.patch (`-- --check`: fail if stale)."""
    _patcher(session, "export", *session.posargs)


@nox.session
def status(session: nox.Session) -> None:
    """Show what the tool applied to the checkout."""
    _patcher(session, "status")


@nox.session
def bench(session: nox.Session) -> None:
    """Patch-speed benchmark; writes results/bench-patch.json."""
    session.install(*DEPS)
    session.run("python", "-m", "patcher.bench", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff and mypy."""
    session.install(*DEPS)
    session.run("ruff", "check", "patcher", "tests", "noxfile.py")
    session.run("mypy")


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite (CI runs this): lint, pytest, including the x.py check gate for option c."""
    session.install(*DEPS)
    session.run("ruff", "check", "patcher", "tests", "noxfile.py")
    session.run("mypy")
    session.run("pytest", "-ra", *session.posargs)


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
