"""The Jinja environment shared by every generated artifact."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from patcher.paths import TEMPLATES_DIR


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_template(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


def write_if_changed(path: Path, text: str, executable: bool = False) -> Path:
    """Write a generated file only when its text changes: builds that watch it (cargo's
    rerun-if-changed, cmake) then rebuild only when it really did."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    if executable:
        path.chmod(0o755)
    return path
