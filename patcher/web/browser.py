"""The playground in a real browser (Debian's chromium, headless, driven by Playwright):
the page loads rustc.wasm, its sysroot, macros and crates; every example compiles, links
and prints what the same program built by the native compiler prints (serde + serde_json,
thiserror, clap, the `describe` wasm macro); the examples with a derive's error show the
native compiler's diagnostics, at the user's line and column; a reload takes rustc.wasm
from the browser's cache. Writes results/web-playground.json and screenshots.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from patcher.build.install import Installed
from patcher.errors import PatcherError
from patcher.process import capture
from patcher.results import results_dir, write_result
from patcher.suite.e2e import read_program
from patcher.wasm_host.wasmtime import wasmtime_binary
from patcher.web import server
from patcher.web.site import PROGRAMS, Site, build_site

CHROMIUM = Path("/usr/bin/chromium")
LOAD_TIMEOUT_MS = 15 * 60 * 1000  # 122 MB to download and compile on 2 cores
COMPILE_TIMEOUT_MS = 10 * 60 * 1000


@dataclass
class Reference:
    """The same program compiled by rustc.wasm under wasmtime, and by the native compiler;
    the native build's program run under wasmtime."""

    stderr: str  # the native compiler's diagnostics
    wasmtime_stderr: str  # rustc.wasm's, under wasmtime
    stdout: str  # what the natively compiled program prints
    wasmtime_s: float
    native_s: float


@dataclass
class RssSampler:
    """Peak resident memory of a browser's process tree, sampled from /proc."""

    marker: str  # a string in the browser's command line (its user data directory)
    peak_bytes: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True).start()

    def stop(self) -> int:
        self._stop.set()
        return self.peak_bytes

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            self.peak_bytes = max(self.peak_bytes, _tree_rss(self.marker))


def _tree_rss(marker: str) -> int:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    roots = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            status = (proc / "status").read_text()
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        pid = int(proc.name)
        parents[pid] = int(re.search(r"^PPid:\s+(\d+)", status, re.M).group(1))  # type: ignore[union-attr]
        m = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        rss[pid] = int(m.group(1)) * 1024 if m else 0
        if marker.encode() in cmdline:
            roots.add(pid)
    tree = set(roots)
    changed = True
    while changed:
        added = {p for p, parent in parents.items() if parent in tree and p not in tree}
        tree |= added
        changed = bool(added)
    return sum(rss[p] for p in tree)


def reference(
    wasm: Installed, native: Installed, site: Site, config: dict[str, Any], source: str, work: Path
) -> Reference:
    """Compile `source` as the page does (same file name, same module and crate names, the
    site's config.json) with rustc.wasm under wasmtime and with the native compiler for the
    same target and sysroot; run the native compiler's program under wasmtime."""
    macros = site.files[f"files/{site.version}/macros/"]
    crates = site.files[f"files/{site.version}/crates/"]
    work.mkdir(parents=True, exist_ok=True)
    (work / "main.rs").write_text(source)
    args = [  # without --sysroot /sysroot; the page's directories are the site's
        a.replace("/macros/", f"{macros}/").replace("=/crates", f"={crates}") for a in config["rustcArgs"][2:]
    ]
    timings = []
    procs = []
    for rustc, sysroot, out in (
        (wasm.rustc, [], "wasmtime.wasm"),
        (native.rustc, ["--sysroot", str(wasm.sysroot)], "main.wasm"),
    ):
        start = time.perf_counter()
        procs.append(capture([str(rustc), *sysroot, *args, "main.rs", "-o", out], cwd=work, env=_env(config)))
        timings.append(time.perf_counter() - start)
    ran = capture([str(wasmtime_binary()), "run", "main.wasm"], cwd=work) if procs[1].returncode == 0 else None
    return Reference(procs[1].stderr, procs[0].stderr, ran.stdout if ran else "", timings[0], timings[1])


def _env(config: dict[str, Any]) -> dict[str, str]:
    return dict(item.split("=", 1) for item in config["env"])


def _compile_in_page(page: Any, program: str) -> dict[str, Any]:
    page.select_option("#example", program)
    page.click("#compile")
    page.wait_for_function("window.playground.result || window.playground.error", timeout=COMPILE_TIMEOUT_MS)
    error = page.evaluate("window.playground.error")
    if error:
        raise PatcherError(f"the page reported an error compiling {program}: {error}")
    return dict(page.evaluate("window.playground.result"))


def _load(page: Any, url: str) -> dict[str, Any]:
    page.goto(url)
    page.wait_for_function("window.playground.ready || window.playground.error", timeout=LOAD_TIMEOUT_MS)
    error = page.evaluate("window.playground.error")
    if error:
        raise PatcherError(f"the page failed to load rustc.wasm: {error}")
    return dict(page.evaluate("window.playground.load"))


# pages to keep: the first example with crates, an error of a derive, the first wasm-macro example
SCREENSHOTS = {"serde_json": "web-playground-serde.png", "serde_error": "web-playground-error.png",
               "describe": "web-playground.png"}  # fmt: skip


def _error_line(source: str) -> int:
    """The line the example's error is about: the one holding the misused attribute."""
    marks = ("rename = 1", '"shouty"', "union ")
    return next(i for i, line in enumerate(source.splitlines(), 1) if any(m in line for m in marks))


def _judge(name: str, source: str, got: dict[str, Any], ref: Reference, data: dict[str, Any]) -> list[str]:
    """What is wrong with the page's compile and run of example `name`."""
    problems = []
    if got["stderr"] != ref.stderr:
        problems.append(f"{name}: page diagnostics {got['stderr']!r}, native compiler's {ref.stderr!r}")
    if got["stderr"] != ref.wasmtime_stderr:
        problems.append(
            f"{name}: page diagnostics {got['stderr']!r}, rustc.wasm under wasmtime {ref.wasmtime_stderr!r}"
        )
    if name.endswith("_error"):
        at = f"--> main.rs:{_error_line(source)}:"
        data.setdefault("error_locations", {})[name] = next(
            (line.strip() for line in got["stderr"].splitlines() if at in line), None
        )
        if got["exitCode"] != 1 or at not in got["stderr"]:
            problems.append(f"{name}: expected an error at {at}, got exit {got['exitCode']}: {got['stderr']!r}")
    else:
        stdout = got["run"]["stdout"] if got["run"] else None
        if got["exitCode"] != 0 or got["run"]["exitCode"] != 0 or stdout != ref.stdout:
            problems.append(f"{name}: page {got}, the native build printed {ref.stdout!r}")
    return problems


def check(wasm: Installed, native: Installed, checkout: Path, chromium: Path = CHROMIUM) -> int:
    from playwright.sync_api import sync_playwright  # the `web` extra

    if not chromium.exists():
        raise PatcherError(f"no {chromium}: run `bash tools/setup.sh --web` (Debian's chromium)")
    site = build_site(wasm, native, checkout)
    results_dir().mkdir(parents=True, exist_ok=True)
    config = json.loads((site.root / "config.json").read_text())
    work = Path(tempfile.mkdtemp(prefix="web-check-"))
    programs = config["programs"]
    refs = {name: reference(wasm, native, site, config, p["source"], work / name) for name, p in programs.items()}
    http = server.start(site)
    url = server.url_of(http)
    profile = work / "profile"
    sampler = RssSampler(str(profile))
    problems: list[str] = []
    data: dict[str, Any] = {
        "url": url,
        "option": wasm.option,
        "crates": config["crates"],
        "download_mib": round(config["downloadBytes"] / 2**20, 1),
    }
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                str(profile), executable_path=str(chromium), headless=True, args=["--no-sandbox"]
            )
            sampler.start()
            page = context.new_page()
            page.set_viewport_size({"width": 1400, "height": 900})
            messages: list[str] = []
            transferred: list[int] = []
            page.on("console", lambda m: messages.append(m.text))
            page.on("response", lambda r: transferred.append(int(r.headers.get("content-length", "0"))))
            first = _load(page, url)
            # the rustc.wasm that arrived (decompressed) is the one config.json names
            if first["bytes"] != config["rustc"]["size"]:
                problems.append(
                    f"the page received {first['bytes']} bytes of rustc.wasm, not {config['rustc']['size']}"
                )
            data["transfer_mib"] = round(sum(transferred) / 2**20, 1)  # compressed, as sent
            compile_s: dict[str, dict[str, float]] = {}
            outputs: dict[str, str] = {}
            for name, program in programs.items():
                got = _compile_in_page(page, name)
                problems += _judge(name, program["source"], got, refs[name], data)
                compile_s[name] = {
                    "chromium": round(got["compileMs"] / 1000, 2),
                    "wasmtime": round(refs[name].wasmtime_s, 2),
                    "native": round(refs[name].native_s, 2),
                }
                outputs[name] = (got["run"]["stdout"] if got["run"] else got["stderr"])[:4000]
                if name in SCREENSHOTS:
                    page.screenshot(path=str(results_dir() / SCREENSHOTS[name]), full_page=True)
            # the wasm-macro examples' own expectations (the e2e suite's headers)
            lines = read_program(PROGRAMS["describe"][0]).stdout
            if outputs["describe"].splitlines() != lines:
                problems.append(f"describe: printed {outputs['describe']!r}, the e2e header says {lines!r}")
            error = read_program(PROGRAMS["describe_error"][0]).error or ""
            if not error or error not in outputs["describe_error"]:
                problems.append(f"describe_error: no {error!r} (the e2e header) in {outputs['describe_error']!r}")
            reload = _load(page, url)
            if not reload["fromCache"]:
                problems.append("the reload downloaded rustc.wasm again")
            again = _compile_in_page(page, "serde_json")
            compile_s["serde_json"]["chromium_after_reload"] = round(again["compileMs"] / 1000, 2)
            data.update(
                chromium=context.browser.version if context.browser else "",
                first_load=first,
                reload=reload,
                compile_s=compile_s,
                outputs=outputs,
                console=messages[-20:],
            )
            context.close()
    finally:
        data["chromium_peak_rss_mib"] = round(sampler.stop() / 2**20, 1)
        http.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    data["problems"] = problems
    data["passed"] = not problems
    path = write_result("web-playground.json", data)
    for problem in problems:
        print(f"FAIL {problem}")
    print(f"web: {'passed' if not problems else 'FAILED'}; results in {path}")
    return 0 if not problems else 1
