"""The options, A, B and C: one record each (a.py, b.py, c.py), listed here.

The registry is this module's table, built from the records below: importing an
option's module registers nothing. `register` adds an option for the length of a
test or an experiment; `unregister` takes it out again."""

from __future__ import annotations

from . import a, b, c
from .spec import OptionSpec, crate_of

DEFAULT_OPTION = "c"

_REGISTRY: dict[str, OptionSpec] = {spec.name: spec for spec in (a.OPTION, b.OPTION, c.OPTION)}


def register(spec: OptionSpec) -> OptionSpec:
    """Add an option; its name must be new."""
    if spec.name in _REGISTRY:
        raise ValueError(f"option {spec.name!r} is registered already")
    _REGISTRY[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    _REGISTRY.pop(name)


def get(name: str) -> OptionSpec:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown option {name!r} (known: {', '.join(_REGISTRY)})") from None


def all_options() -> list[OptionSpec]:
    return list(_REGISTRY.values())


def names() -> list[str]:
    return [spec.name for spec in all_options()]


__all__ = ["DEFAULT_OPTION", "OptionSpec", "all_options", "crate_of", "get", "names", "register", "unregister"]
