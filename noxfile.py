"""nox sessions: one per command of `python -m patcher` (made from its table of commands,
patcher/cli.py, with the same help), plus `lint`, `fast` and `tests`. `nox` alone runs
`lint` and `fast`; CI runs `tests`. Reference: docs/commands.md.

They run in the environment nox runs from, the set-up's `.venv/` (tools/setup.sh installs
requirements.lock there): no session makes or fills a virtual environment of its own."""

from __future__ import annotations

import sys
from collections.abc import Callable

import nox

from patcher.cli import COMMANDS, Command

nox.options.default_venv_backend = "none"
nox.options.sessions = ["lint", "fast"]

PYTHON = sys.executable  # .venv/bin/python when run as .venv/bin/nox


def _command_session(command: Command) -> Callable[[nox.Session], None]:
    def session(session: nox.Session) -> None:
        args = list(session.posargs)
        version: list[str] = []
        if "--rust-version" in args:  # a global option of `python -m patcher`: it goes first
            i = args.index("--rust-version")
            version, args = args[i : i + 2], args[:i] + args[i + 2 :]
        session.run(PYTHON, "-m", "patcher", *version, command.name, *args)

    session.__doc__ = f"{command.help} (`-- --help`: its arguments)"
    session.__name__ = command.name.replace("-", "_")
    return session


for _command in COMMANDS:
    nox.session(name=_command.name)(_command_session(_command))


def _lint(session: nox.Session) -> None:
    session.run(PYTHON, "-m", "ruff", "check", "patcher", "tests", "noxfile.py")
    session.run(PYTHON, "-m", "ruff", "format", "--check", "patcher", "tests", "noxfile.py")
    session.run(PYTHON, "-m", "mypy")
    session.run(PYTHON, "-m", "pytest", "-q", "tests/test_layers.py")  # imports run down the layers


@nox.session
def lint(session: nox.Session) -> None:
    """ruff, mypy and the import-layering check."""
    _lint(session)


@nox.session
def fast(session: nox.Session) -> None:
    """The fast tier: every test that needs no built compiler (about a minute)."""
    session.run(PYTHON, "-m", "pytest", "-q", "-m", "not slow", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """The whole suite with the slow tier (CI runs this): lint, pytest; builds the compiler.

    The slow tier resumes a warm build in rust-checkout/build/ and runs the x.py gate."""
    _lint(session)
    session.run(PYTHON, "-m", "pytest", "-ra", *session.posargs)
