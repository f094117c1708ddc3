"""The playground in a real browser (Debian's chromium, headless, driven by Playwright):
the page loads rustc.wasm, the default program (a derive from the `describe` wasm macro)
compiles, links and prints what wasmtime prints, a program with a macro error shows the
error at the line and column rustc.wasm reports under wasmtime, and a reload takes
rustc.wasm from the browser's cache. Writes results/web-playground.json and a screenshot.
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
from patcher.suite.e2e import E2E_DIR, read_program
from patcher.wasm_host.wasmtime import wasmtime_binary
from patcher.web import server
from patcher.web.site import PROGRAMS, Site, build_site

CHROMIUM = Path("/usr/bin/chromium")
LOAD_TIMEOUT_MS = 15 * 60 * 1000  # 122 MB to download and compile on 2 cores
COMPILE_TIMEOUT_MS = 10 * 60 * 1000


@dataclass
class Reference:
    """The same program compiled by rustc.wasm under wasmtime, and by the native compiler."""

    stderr: str
    stdout: str
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
    """Compile `source` as the page does (same file name, same module names, the site's
    config.json) with rustc.wasm under wasmtime and with the native compiler for the same
    target and sysroot."""
    macros = site.files[f"files/{site.version}/macros/"]
    work.mkdir(parents=True, exist_ok=True)
    (work / "main.rs").write_text(source)
    args = [a.replace("/macros/", f"{macros}/") for a in config["rustcArgs"][2:]]  # without --sysroot /sysroot
    timings = []
    procs = []
    for rustc, sysroot in ((wasm.rustc, []), (native.rustc, ["--sysroot", str(wasm.sysroot)])):
        start = time.perf_counter()
        procs.append(capture([str(rustc), *sysroot, *args, "main.rs", "-o", "main.wasm"], cwd=work, env=_env(config)))
        timings.append(time.perf_counter() - start)
    ran = capture([str(wasmtime_binary()), "run", "main.wasm"], cwd=work) if procs[0].returncode == 0 else None
    return Reference(procs[0].stderr, ran.stdout if ran else "", timings[0], timings[1])


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


def check(wasm: Installed, native: Installed, checkout: Path, chromium: Path = CHROMIUM) -> int:
    from playwright.sync_api import sync_playwright  # the `web` extra

    if not chromium.exists():
        raise PatcherError(f"no {chromium}: run `bash tools/setup.sh --web` (Debian's chromium)")
    site = build_site(wasm, native, checkout)
    results_dir().mkdir(parents=True, exist_ok=True)
    config = json.loads((site.root / "config.json").read_text())
    work = Path(tempfile.mkdtemp(prefix="web-check-"))
    refs = {
        name: reference(wasm, native, site, config, p["source"], work / name) for name, p in config["programs"].items()
    }
    http = server.start(site)
    url = server.url_of(http)
    profile = work / "profile"
    sampler = RssSampler(str(profile))
    problems: list[str] = []
    data: dict[str, Any] = {"url": url, "option": wasm.option}
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                str(profile), executable_path=str(chromium), headless=True, args=["--no-sandbox"]
            )
            sampler.start()
            page = context.new_page()
            page.set_viewport_size({"width": 1400, "height": 900})
            messages: list[str] = []
            page.on("console", lambda m: messages.append(m.text))
            first = _load(page, url)
            ok = _compile_in_page(page, "describe")
            expected = refs["describe"]
            # what the e2e program's header says it prints, and what it prints under wasmtime
            lines = read_program(E2E_DIR / "programs" / PROGRAMS["describe"][0]).stdout
            stdout = ok["run"]["stdout"] if ok["run"] else None
            if ok["exitCode"] != 0 or stdout != expected.stdout or stdout.splitlines() != lines:
                problems.append(f"describe: got {ok}, expected stdout {lines!r} (wasmtime: {expected.stdout!r})")
            page.screenshot(path=str(results_dir() / "web-playground.png"), full_page=True)
            bad = _compile_in_page(page, "describe_error")
            expected_error = refs["describe_error"].stderr
            message = read_program(E2E_DIR / "programs" / PROGRAMS["describe_error"][0]).error or ""
            # the macro's error points at the `union` keyword, line:column as rustc prints it
            source = config["programs"]["describe_error"]["source"].splitlines()
            at = f"--> main.rs:{next(i for i, x in enumerate(source, 1) if x.startswith('union'))}:1"
            data["error_location"] = at
            if at not in bad["stderr"]:
                problems.append(f"describe_error: no {at!r} in the page's stderr {bad['stderr']!r}")
            if bad["exitCode"] != 1 or message not in bad["stderr"] or bad["stderr"] != expected_error:
                problems.append(f"describe_error: page stderr {bad['stderr']!r}, wasmtime stderr {expected_error!r}")
            reload = _load(page, url)
            if not reload["fromCache"]:
                problems.append("the reload downloaded rustc.wasm again")
            again = _compile_in_page(page, "describe")
            data.update(
                chromium=context.browser.version if context.browser else "",
                first_load=first,
                reload=reload,
                compile_s={
                    "chromium": round(ok["compileMs"] / 1000, 2),
                    "chromium_after_reload": round(again["compileMs"] / 1000, 2),
                    "wasmtime": round(expected.wasmtime_s, 2),
                    "native": round(expected.native_s, 2),
                },
                program_stdout=ok["run"]["stdout"] if ok["run"] else "",
                error_stderr=bad["stderr"],
                wasm_memory_mib=round(max(ok["memoryBytes"], bad["memoryBytes"]) / 2**20, 1),
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
