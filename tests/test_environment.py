"""Every environment variable is declared once, in patcher/environment.py: code names it
through that module, and whatever names one (templates, docs, scripts) names a declared one."""

from __future__ import annotations

import ast
import re

from patcher import environment
from patcher.cargo import wrapper
from patcher.paths import REPO_ROOT

STANDALONE = REPO_ROOT / "patcher" / "cargo" / "wrapper.py"
DECLARED = {variable.name for variable in environment.VARIABLES}
NAMED = re.compile(r"\b(RUSTC_WASM_[A-Z_]+|RUSTC_PROC_MACRO_WASM_ONLY|COMPILETEST_WASM_PROC_MACROS)\b")


def test_every_constant_is_in_the_table() -> None:
    constants = {value for name, value in vars(environment).items() if name.endswith("_ENV")}
    assert constants == DECLARED
    assert len(environment.VARIABLES) == len(DECLARED)


def test_code_takes_the_names_from_the_environment_module() -> None:
    spelled = []
    for path in [*(REPO_ROOT / "patcher").rglob("*.py"), REPO_ROOT / "noxfile.py"]:
        if path.name == "environment.py" or path == STANDALONE:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in DECLARED:
                spelled.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}: {node.value}")
    assert spelled == []


def test_the_standalone_wrapper_spells_the_same_names() -> None:
    """cargo wasm's rustc wrapper runs as a script of its own, importing nothing of `patcher`."""
    assert "import patcher" not in STANDALONE.read_text() and "from patcher" not in STANDALONE.read_text()
    spelled = (wrapper.PLAN_ENV, wrapper.STRICT_ENV, wrapper.USER_WRAPPER_ENV)
    assert spelled == (environment.PLAN_ENV, environment.WASM_ONLY_ENV, environment.USER_WRAPPER_ENV)


def test_whatever_names_a_variable_names_a_declared_one() -> None:
    places = [REPO_ROOT / "README.md", REPO_ROOT / "noxfile.py"]
    for folder, pattern in (
        ("patcher", "*.py"),
        ("templates", "*"),
        ("docs", "*.md"),
        ("tools", "*.sh"),
        ("tests", "*.py"),
    ):
        # the surveys are dated records of what was tried, not documentation of today's names
        places += [p for p in (REPO_ROOT / folder).rglob(pattern) if p.is_file() and not p.stem.endswith("-survey")]
    unknown = {
        f"{path.relative_to(REPO_ROOT)}: {name}"
        for path in places
        for name in NAMED.findall(path.read_text(errors="replace"))
        if name not in DECLARED
    }
    assert unknown == set()


def test_the_docs_table_is_generated_from_the_declarations() -> None:
    assert environment.markdown_table() in (REPO_ROOT / "docs" / "environment.md").read_text()
