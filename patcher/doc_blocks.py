"""The generated blocks of README.md and docs/*.md, so that they cannot drift from what
was measured or from the code they describe.

A generated block sits between two markers:

    <!-- figures:NAME -->...<!-- /figures -->

and its text is FIGURES[NAME](results directory) for a figure from results/, or the text
a caller passes for NAME (tables the code's own records give: commands, environment
variables). `nox -s export` rewrites every block; `nox -s export -- --check` (run by the
tests) fails when one differs. A figure the results cannot give is not written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from patcher.paths import REPO_ROOT, RESULTS_DIR

README = REPO_ROOT / "README.md"
DOCS = REPO_ROOT / "docs"
RESULTS = RESULTS_DIR  # the committed figures (not $RUSTC_WASM_RESULTS: the docs describe these)
BLOCK = re.compile(r"<!-- figures:(?P<name>[\w-]+) -->(?P<body>.*?)<!-- /figures -->", re.DOTALL)


def _load(results: Path, name: str) -> Any:
    return json.loads((results / name).read_text())


def _made(data: dict[str, Any]) -> str:
    """When and how a results file says it was made."""
    how = f" by `{data['command']}`" if data.get("command") else ""
    return f"{data.get('date', 'undated')}{how}"


def _table(caption: str | None, header: list[str], rows: list[str]) -> str:
    """A markdown table (rows already as `| ... |` lines), after its caption and a blank line."""
    lines = [caption, ""] if caption is not None else []
    lines += ["| " + " | ".join(header) + " |", "| --- " * len(header) + "|", *rows]
    return "\n".join(lines)


def _ratio_range(ratios: list[float]) -> str:
    low, high = min(ratios), max(ratios)
    return f"{low:.1f}x" if f"{low:.1f}" == f"{high:.1f}" else f"{low:.1f}-{high:.1f}x"


# -- the blocks ---------------------------------------------------------------------------


def wasm_host_ratio(results: Path) -> str:
    """rustc.wasm's time against native, over the benchmark's crates (inline)."""
    data = _load(results, "bench-wasm-host.json")
    return _ratio_range([float(case["time_ratio"]) for case in data["cases"]])


def wasm_host_table(results: Path) -> str:
    data = _load(results, "bench-wasm-host.json")
    rows = [
        f"| {case['what']} | {case['native_s']:.3f} s | {case['wasm_s']:.3f} s | {case['time_ratio']:.1f}x "
        f"| {case['native_peak_mib']:.0f} / {case['wasm_peak_mib']:.0f} MiB |"
        for case in data["cases"]
    ]
    caption = f"Measured {_made(data)}: median of {data['runs']} runs; goal: {data['goal']}."
    return _table(caption, ["crate", "native", "rustc.wasm", "ratio", "peak memory native / rustc.wasm"], rows)


def wasm_threads_table(results: Path) -> str:
    data = _load(results, "bench-wasm-threads.json")
    sides = [
        ("threads host", "wasm_threads"),
        ("serial backend", "wasm_threads_serial_backend"),
        ("`-Zthreads=2`", "wasm_threads_front_end_threads2"),
        ("single host", "wasm_single"),
    ]
    present = [(title, key) for title, key in sides if f"{key}_s" in data["cases"][0]]
    rows = []
    for case in data["cases"]:
        times = " | ".join(f"{case[f'{key}_s']:.3f} s" for _, key in present)
        peaks = " / ".join(f"{case[f'{key}_peak_mib']:.0f}" for _, key in present)
        rows.append(
            f"| {case['what']} | {case['native_s']:.3f} s | {times} | {case['wasm_threads_time_ratio']:.2f}x "
            f"| {case['native_peak_mib']:.0f} / {peaks} |"
        )
    titles = [title for title, _ in present]
    header = ["crate", "native", *titles, "threads host / native", "peak MiB, native / " + " / ".join(titles)]
    caption = f"Measured {_made(data)}: median of {data['runs']} interleaved runs; goal: {data['goal']}."
    return _table(caption, header, rows)


def expansion_table(results: Path) -> str:
    data = _load(results, "bench-expansion.json")
    sides = [(key, title) for key, title in EXPANSION_SIDES if any(key in w for w in data["expansion"].values())]
    rows = []
    for workload in data["expansion"].values():
        times = " | ".join(f"{workload[key]['expand_s']:.3f} s" if key in workload else "" for key, _ in sides)
        wasm = workload.get("wasmtime", workload.get("wasm"))["expand_s"]
        native, optimised = workload["native"]["expand_s"], workload["native_optimised"]["expand_s"]
        rows.append(
            f"| {workload['macro']}: {workload['input']} | {times} | {wasm / native:.2f}x | {wasm / optimised:.2f}x |"
        )
    caption = (
        f"Measured {_made(data)}: rustc's `expand_crate`, median of {data['rounds']} interleaved rounds; "
        f"goal: {data['goal']}."
    )
    header = ["workload", *(title for _, title in sides), "wasm / native", "wasm / optimised"]
    return _table(caption, header, rows)


# the sides of the expansion benchmark, as results/bench-expansion.json names them; the
# ratios are of wasmtime's warm time (of `wasm`, the one engine, in results before wasmtime)
EXPANSION_SIDES = (
    ("native", "native"),
    ("native_optimised", "native optimised"),
    ("wasmtime", "wasmtime, cache warm"),
    ("wasmtime_cold", "wasmtime, cache cold"),
    ("wasmi", "wasmi"),
    ("wasm", "wasm (wasmi)"),
)


def clean_builds_table(results: Path) -> str:
    data = _load(results, "bench-expansion.json")
    rows = [
        f"| `{name}` | {build['native_clean_build_s']:.1f} s | {build['wasm_clean_build_s']:.1f} s "
        f"| {build['speedup_wasm_over_native']:.2f}x |"
        for name, build in data["clean_build"].items()
    ]
    return _table(f"Measured {_made(data)}.", ["crate", "native", "through `cargo wasm`", "wasm speed-up"], rows)


def cargo_table(results: Path) -> str:
    data = _load(results, "bench-cargo.json")
    median = data["median_seconds"]
    what = {
        "native": "clean build, native proc macros",
        "wasm_warm": "clean build through `cargo wasm`, module cache warm",
        "wasm_cold": "clean build through `cargo wasm`, module cache empty",
        "native_incr": "incremental rebuild after editing the binary, native",
        "wasm_incr": "incremental rebuild after editing the binary, `cargo wasm`",
    }
    caption = f"Measured {_made(data)}: {data['workspace']}, medians of {data['rounds']} interleaved rounds."
    rows = [f"| {what.get(key, key)} | {seconds:.2f} |" for key, seconds in median.items()]
    speeds = (
        f"Warm clean build: {data['speedup_warm']:.2f}x native's speed; incremental: "
        f"{data['incremental_ratio']:.2f}x native's time."
    )
    return _table(caption, ["build", "seconds"], rows) + "\n\n" + speeds


def release_table(results: Path) -> str:
    data = _load(results, "bench-release.json")
    caption = f"Measured {_made(data)}: {data['project']}, one run of each step on 2 cores."
    rows = [f"| {name} | {value} |" for name, value in data["figures"].items()]
    return _table(caption, ["step", "value"], rows)


def web_table(results: Path) -> str:
    """The playground in Chromium: load and compile times per example (web --check)."""
    data = _load(results, "web-playground.json")
    first, reload = data["first_load"], data["reload"]
    caption = (
        f"Measured {_made(data)}: Chromium {data['chromium'].split('.')[0]} headless, page and server on loopback; "
        f"{data['download_mib']} MiB to load ({data['transfer_mib']} MiB as sent, gzip), first load: fetch "
        f"{first['fetchMs'] / 1000:.1f} s, compile {first['compileMs'] / 1000:.1f} s, "
        f"files {first['filesMs'] / 1000:.1f} s; "
        f"reload: fetch {reload['fetchMs'] / 1000:.2f} s, compile {reload['compileMs'] / 1000:.2f} s, files "
        f"{reload['filesMs'] / 1000:.2f} s. Compile and link, seconds:"
    )
    rows = [
        f"| `{name}` | {t['chromium']} | {t['wasmtime']} | {t['native']} |" for name, t in data["compile_s"].items()
    ]
    return _table(caption, ["example", "Chromium", "rustc.wasm under wasmtime", "native"], rows)


def ui_table(results: Path) -> str:
    data = _load(results, "ui-proc-macro.json")
    rows = []
    modes = (
        ("native", "native proc macros (baseline)"),
        ("wasm", "every proc macro compiled to wasm, the default engine (wasmtime)"),
        ("wasm-wasmi", "every proc macro compiled to wasm, under wasmi"),
        ("wasm-wasmtime", "every proc macro compiled to wasm, under wasmtime by name"),
    )
    for mode, title in modes:
        if mode in data:
            run = data[mode]
            rows.append(
                f"| {title} | {run['passed']} | {run['failed']} | {run['ignored']} | {run['pass_rate']:.1%} "
                f"| {run['ices']} | {run['seconds']} s | {_made(run)} |"
            )
    header = ["mode", "passed", "failed", "ignored", "pass rate", "ICEs", "suite time", "measured"]
    return _table(None, header, rows)


def e2e_table(results: Path) -> str:
    rows = []
    for path in sorted(results.glob("e2e-*-option-*.json")):
        data = _load(results, path.name)
        engine = data.get("engine", "default")  # default: the compiler's own choice
        passed = f"{data['passed']}/{data['total']}"
        rows.append(f"| {data['host']} | {data['option'].upper()} | {engine} | {passed} | {_made(data)} |")
    return _table(None, ["host", "option", "engine", "passed", "measured"], rows)


def longest_native_build(results: Path) -> str:
    """The longest recorded native build, in minutes (inline): a cold one."""
    builds = [b for b in _load(results, "builds.json") if b["host"] == "native"]
    return f"{max(b['seconds'] for b in builds) / 60:.0f} minutes"


FIGURES: dict[str, Callable[[Path], str]] = {
    "wasm-host-ratio": wasm_host_ratio,
    "wasm-host": wasm_host_table,
    "wasm-threads": wasm_threads_table,
    "expansion": expansion_table,
    "clean-builds": clean_builds_table,
    "cargo": cargo_table,
    "ui": ui_table,
    "e2e": e2e_table,
    "longest-native-build": longest_native_build,
    "release": release_table,
    "web": web_table,
}


def render(text: str, results: Path, given: Mapping[str, str] | None = None) -> str:
    """`text` with every block's body generated afresh (a block spanning lines keeps its
    body on lines of its own)."""

    def body(match: re.Match[str]) -> str:
        name = match["name"]
        if given and name in given:
            figure = given[name].rstrip("\n")
        elif name in FIGURES:
            figure = FIGURES[name](results)
        else:
            raise KeyError(f"a figures block `{name}` that patcher/doc_blocks.py does not know")
        if "\n" in match["body"]:
            figure = f"\n{figure}\n"
        return f"<!-- figures:{name} -->{figure}<!-- /figures -->"

    return BLOCK.sub(body, text)


def documents() -> list[Path]:
    """The files whose blocks are generated: README.md and docs/*.md."""
    return [README, *sorted(DOCS.glob("*.md"))]


def update(
    check: bool, files: list[Path] | None = None, results: Path | None = None, given: Mapping[str, str] | None = None
) -> list[Path]:
    """Rewrite the blocks of `files` (default: `documents()`), or with `check` only
    compare; the files that were not current."""
    stale = []
    for path in files if files is not None else documents():
        text = path.read_text()
        new = render(text, results or RESULTS, given)
        if new != text:
            stale.append(path)
            if not check:
                path.write_text(new)
    return stale
