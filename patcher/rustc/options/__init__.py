"""Options A, B and C: one record each (a.py, b.py, c.py) in a registry (registry.py)."""

from .registry import DEFAULT_OPTION, OptionSpec, all_options, crate_of, get, names, register, unregister

__all__ = ["DEFAULT_OPTION", "OptionSpec", "all_options", "crate_of", "get", "names", "register", "unregister"]
