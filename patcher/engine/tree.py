"""A source tree under git whose ref `upstream` is the pristine text: the patch engine
plans from that ref and writes the working tree (provision/ makes such trees)."""

from __future__ import annotations

from collections.abc import Callable

import git

UPSTREAM_REF = "upstream"


def upstream_reader(repo: git.Repo) -> Callable[[str], bytes | None]:
    """Pristine file contents (ref `upstream`) from the object store: no working tree read."""
    upstream = repo.commit(UPSTREAM_REF).tree

    def read(rel: str) -> bytes | None:
        try:
            data: bytes = (upstream / rel).data_stream.read()
            return data
        except KeyError:
            return None

    return read
