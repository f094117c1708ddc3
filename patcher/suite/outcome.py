"""One case's result, as every suite reports it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Outcome:
    case: str
    passed: bool
    seconds: float
    detail: str = ""
