"""The expansion benchmark's parts that need no compiler: its inputs, how it reads
rustc's pass timings, and how it finds what cargo built."""

from __future__ import annotations

from pathlib import Path

import pytest

from patcher.bench import workloads
from patcher.bench.expansion import artifact, pass_seconds
from patcher.errors import PatcherError

TIME_PASSES = """time:   0.004; rss:   60MB ->   62MB (   +2MB)	parse_crate
time:  13.757; rss:   95MB ->  349MB ( +254MB)	expand_crate
time:  13.757; rss:   95MB ->  349MB ( +254MB)	macro_expand_crate
time:  46.012; rss:   67MB ->  329MB ( +262MB)	total
"""


def test_expand_crate_is_read_not_macro_expand_crate() -> None:
    assert pass_seconds(TIME_PASSES, "expand_crate") == 13.757
    assert pass_seconds(TIME_PASSES, "total") == 46.012


def test_missing_pass_is_an_error_showing_the_output() -> None:
    with pytest.raises(PatcherError, match="no expand_crate timing"):
        pass_seconds("error[E0463]: can't find crate for `serde`\n", "expand_crate")


def test_artifact_is_the_one_library_cargo_built(tmp_path: Path) -> None:
    (tmp_path / "libserde-1234.rlib").touch()
    (tmp_path / "libserde_core-99.rlib").touch()
    (tmp_path / "libserde_derive-5678.so").touch()
    assert artifact(tmp_path, "serde").name == "libserde-1234.rlib"
    assert artifact(tmp_path, "serde_derive").name == "libserde_derive-5678.so"
    (tmp_path / "libserde-abcd.rlib").touch()  # a stale second build
    with pytest.raises(PatcherError, match="expected one library for serde"):
        artifact(tmp_path, "serde")


@pytest.mark.parametrize(
    ("workload", "derives"),
    [(workloads.serde(7), 14), (workloads.clap(5), 20), (workloads.thiserror(6), 12), (workloads.describe(9), 1)],
)
def test_workloads_have_the_items_they_describe(workload: workloads.Workload, derives: int) -> None:
    assert workload.source.count("#[derive(") == derives
    assert workload.source.splitlines()[0].startswith("use ")
