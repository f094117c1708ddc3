"""Options A, B and C side by side: for each, build the compiler (installed to
dist/native-<option>/), run the e2e suite and the expansion benchmark; write
results/compare.md and results/compare.json. Three compiler builds: run it when you
have an hour, not in CI. Options already built with the current patch set are reused
(`--rebuild` to force)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from patcher.bench import option_expansion as bench_expansion
from patcher.bench.expansion import DESCRIBE
from patcher.build.install import installed
from patcher.build.native import build_native
from patcher.cargo import modules
from patcher.errors import PatcherError
from patcher.paths import PATCHES_DIR, dist_dir
from patcher.provision.checkout import rustc_workspace
from patcher.results import command, results_dir, write_result
from patcher.rustc import options
from patcher.rustc.patchset import DEFAULT_SLOTS
from patcher.suite import e2e


def patch_size(option: str) -> tuple[int, int]:
    """(changed lines, files touched) of the exported patch of `option`."""
    text = (PATCHES_DIR / f"option-{option}.patch").read_text()
    files = len(re.findall(r"^diff --git ", text, re.MULTILINE))
    lines = sum(1 for line in text.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---")))
    return lines, files


def last_build_seconds(option: str) -> float | None:
    """The duration of the last recorded build of `option` (results/builds.json)."""
    path = results_dir() / "builds.json"
    # a run of under a minute found nothing to build (a resumed, finished build): not a build
    runs = (
        [r for r in json.loads(path.read_text()) if r["option"] == option and r["seconds"] >= 60]
        if path.exists()
        else []
    )
    return float(runs[-1]["seconds"]) if runs else None


def built_for(option: str) -> Path:
    """Where `option`'s compiler is: dist/native-<option>/, or dist/native/ when that holds
    this option (`nox -s build` installs there)."""
    dist = dist_dir(f"native-{option}")
    default = dist_dir("native")
    if not (dist / "bin" / "rustc").exists() and (default / "bin" / "rustc").exists():
        try:
            if installed(default).option == option:
                return default
        except PatcherError:
            pass
    return dist


def run_option(checkout: Path, option: str, rebuild: bool) -> dict[str, object]:
    dist = dist_dir(f"native-{option}") if rebuild else built_for(option)
    seconds: float | None = None
    if rebuild or not (dist / "bin" / "rustc").exists():
        rustc_workspace(checkout).apply(option, DEFAULT_SLOTS)
        log = checkout / "build" / "logs" / f"build-native-{option}.log"
        seconds = build_native(checkout, option, DEFAULT_SLOTS, dist, log)
    else:
        seconds = last_build_seconds(option)
    compiler = installed(dist)
    outcomes = e2e.Suite(compiler, checkout, option).run()
    e2e.write_results(outcomes, "native", option)
    wasm = modules.build(DESCRIBE, compiler, checkout, wasm=True)
    native = modules.build(DESCRIBE, compiler, checkout, wasm=False)
    expansion = bench_expansion.bench_expansion(compiler, wasm, native)
    lines, files = patch_size(option)
    return {
        "option": option,
        "patch_lines": lines,
        "files_touched": files,
        "build_s": round(seconds) if seconds is not None else None,
        "e2e_passed": sum(o.passed for o in outcomes),
        "e2e_total": len(outcomes),
        "wasm_expand_s": expansion["wasm_expand_s"],
        "native_expand_s": expansion["native_expand_s"],
    }


def write_table(rows: list[dict[str, object]]) -> Path:
    out = [
        f"# Options {_listed([options.get(str(r['option'])).title for r in rows])} compared",
        "",
        f"Written by `{command()}` on {time.strftime('%Y-%m-%d')}.",
        "",
        "Expansion: `Describe` (syn) on a 1000-field struct, rustc's `expand_crate` time, median of "
        f"{bench_expansion.RUNS}. Build: x.py build of stage1 + std (host, wasm32) after switching to the option "
        "(the last recorded one when the build was reused).",
        "",
        "| option | patch lines | files touched | build (s) | e2e passed | wasm expansion (s) | native expansion (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        title = options.get(str(r["option"])).title
        out.append(
            f"| {title} | {r['patch_lines']} | {r['files_touched']} | {r['build_s'] or ''} "
            f"| {r['e2e_passed']}/{r['e2e_total']} | {r['wasm_expand_s']:.3f} | {r['native_expand_s']:.3f} |"
        )
    path = results_dir() / "compare.md"
    path.write_text("\n".join(out) + "\n")
    write_result("compare.json", {"options": rows})
    return path


def _listed(titles: list[str]) -> str:
    """ "A, B and C"."""
    return " and ".join([", ".join(titles[:-1]), titles[-1]]) if len(titles) > 1 else "".join(titles)


def main(checkout: Path, option_names: list[str], rebuild: bool) -> int:
    """`python -m patcher compare`: every option in `option_names`, in turn."""
    rows = [run_option(checkout, option, rebuild) for option in option_names]
    path = write_table(rows)
    print(path.read_text())
    return 0 if all(r["e2e_passed"] == r["e2e_total"] for r in rows) else 1
