"""Errors the tool reports to users: each says what was expected and what to do."""


class PatcherError(Exception):
    """A user-facing failure. The CLI prints the message and exits with status 1."""
