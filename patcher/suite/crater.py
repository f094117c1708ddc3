"""`nox -s crater`: our own compatibility run over every proc-macro crate in the
checkout's `vendor/` and the vendored crates that use one (their consumers).

Each crate gets a one-dependency project under build/crater/projects/, resolved offline
from `vendor/`. A macro passes when `cargo wasm --strict` builds its module. A consumer
is expanded (`-Zunpretty=expanded`) natively and through `cargo wasm --strict`, and the
two expansions are compared. Results are classified as rustc's crater does: pass,
build-fail, expansion-differs (with the first differing lines), skipped (with the reason).

Each case's result is kept under build/crater/cases/, keyed by the compiler's build id,
so an interrupted run resumes where it stopped; results/crater.json gathers them.
"""

from __future__ import annotations

import difflib
import json
import re
import subprocess
import time
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from patcher.build.install import Installed
from patcher.cargo import modules
from patcher.cargo.modules import first_error
from patcher.environment import GUEST_TARGET_ENV
from patcher.paths import REPO_ROOT, work_dir
from patcher.process import capture
from patcher.provision import vendor
from patcher.results import write_result
from patcher.suite.cargo_workspace import cargo_command

WORK = work_dir("crater")
TIMEOUT = 1800
RESULTS = ("pass", "build-fail", "expansion-differs", "skipped")


@dataclass(frozen=True)
class Crate:
    name: str
    version: str
    proc_macro: bool
    uses: tuple[str, ...] = ()  # the vendored proc macros it depends on (names)
    lib_name: str = ""  # its library's crate name, when not the package's

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def crate_name(self) -> str:
        return (self.lib_name or self.name).replace("-", "_")


@dataclass
class CaseResult:
    crate: str
    version: str
    kind: str  # "macro" or "consumer"
    uses: list[str]
    result: str = "skipped"  # one of RESULTS
    detail: str = ""
    seconds: float = 0.0
    cause: str = ""  # for a non-pass: the inherent cause it is filed under (docs/compatibility.md)


@dataclass
class Report:
    cases: list[CaseResult] = field(default_factory=list)

    def counts(self, kind: str) -> dict[str, int]:
        return {r: sum(c.kind == kind and c.result == r for c in self.cases) for r in RESULTS}


def vendored_crates(vendor_dir: Path) -> list[Crate]:
    """Every proc-macro crate in `vendor_dir`, and every other crate that depends on one."""
    manifests = {}
    for path in sorted(vendor_dir.glob("*/Cargo.toml")):
        try:
            manifests[path.parent.name] = tomllib.loads(path.read_text())
        except (OSError, tomllib.TOMLDecodeError):
            continue
    macros = {m["package"]["name"] for m in manifests.values() if _is_proc_macro(m)}
    crates = []
    for manifest in manifests.values():
        package = manifest["package"]
        uses = sorted(macros & _dependency_names(manifest))
        if _is_proc_macro(manifest) or uses:
            lib_name = manifest.get("lib", {}).get("name", "")
            crates.append(Crate(package["name"], package["version"], _is_proc_macro(manifest), tuple(uses), lib_name))
    return sorted(crates, key=lambda c: (not c.proc_macro, c.name, c.version))


def _is_proc_macro(manifest: dict) -> bool:  # type: ignore[type-arg]
    lib = manifest.get("lib", {})
    return bool(lib.get("proc-macro", lib.get("proc_macro", False)))


def _dependency_names(manifest: dict) -> set[str]:  # type: ignore[type-arg]
    tables = [
        manifest.get("dependencies", {}),
        *(t.get("dependencies", {}) for t in manifest.get("target", {}).values()),
    ]
    return {
        spec.get("package", key) if isinstance(spec, dict) else key for table in tables for key, spec in table.items()
    }


class Crater:
    def __init__(
        self,
        compiler: Installed,
        vendor_dir: Path,
        work: Path = WORK,
        log: Callable[[str], None] = print,
        guest_target: str = "",
    ):
        self.compiler = compiler
        self.guest_target = guest_target  # another target for the modules ("": the guest target)
        self.vendor_dir = vendor_dir
        self.work = work
        self.log = log

    def run(self, crates: list[Crate], fresh: bool = False) -> Report:
        report = Report()
        for crate in crates:
            saved = self._saved(crate)
            if saved is not None and not fresh:
                report.cases.append(saved)
                continue
            start = time.perf_counter()
            result = self.macro_case(crate) if crate.proc_macro else self.consumer_case(crate)
            result.seconds = round(time.perf_counter() - start, 1)
            result.cause = inherent_cause(result)
            self._save(crate, result)
            first_line = result.detail.splitlines()[0] if result.detail else ""
            self.log(f"  {crate.label}: {result.result} ({result.seconds:.0f} s) {first_line}")
            report.cases.append(result)
        return report

    # -- the two kinds of case ------------------------------------------------------------

    def macro_case(self, crate: Crate) -> CaseResult:
        """The macro's module builds (`cargo wasm --strict check` of a project using it)."""
        case = CaseResult(crate.name, crate.version, "macro", [])
        project = self.project(crate)
        if isinstance(project, str):
            return _with(case, "skipped", project)
        proc = self.cargo("wasm", project, ["check"], "")
        if proc.returncode != 0:
            return _with(case, "build-fail", _failure(proc.stderr))
        return _with(case, "pass", "")

    def consumer_case(self, crate: Crate) -> CaseResult:
        """The consumer's expansion, natively and with every proc macro from wasm."""
        case = CaseResult(crate.name, crate.version, "consumer", list(crate.uses))
        project = self.project(crate)
        if isinstance(project, str):
            return _with(case, "skipped", project)
        if crate.proc_macro:
            return _with(case, "skipped", "a proc macro itself: its macro case builds it, running these from wasm")
        args = ["rustc", "-p", f"{crate.name}@{crate.version}", "--lib", "--profile", "check"]
        args += ["--", "-Zunpretty=expanded"]
        native = self.cargo("native", project, args, crate.crate_name)
        if native.returncode != 0:
            return _with(case, "skipped", f"does not build natively here: {_failure(native.stderr)}")
        wasm = self.cargo("wasm", project, args, crate.crate_name)
        if wasm.returncode != 0:
            return _with(case, "build-fail", _failure(wasm.stderr))
        if native.stdout != wasm.stdout:
            return _with(case, "expansion-differs", first_difference(native.stdout, wasm.stdout))
        return _with(case, "pass", f"{len(native.stdout.splitlines())} lines of expansion, identical")

    # -- projects and cargo ---------------------------------------------------------------

    def project(self, crate: Crate) -> Path | str:
        """A project whose one dependency is `crate` at its vendored version, locked
        offline; or why there can be none."""
        project = self.work / "projects" / f"{crate.name}-{crate.version}"
        (project / "src").mkdir(parents=True, exist_ok=True)
        version = crate.version.split("+")[0]
        manifest = (
            f'[package]\nname = "crater-case"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
            f'[dependencies]\n{crate.name} = "={version}"\n\n[workspace]\n'
        )
        (project / "Cargo.toml").write_text(manifest)
        (project / "src" / "lib.rs").write_text("")
        if not (project / "Cargo.lock").exists():
            cmd = [modules.cargo(), "generate-lockfile", "--offline", *vendor.cargo_source_args(self.vendor_dir)]
            proc = capture(cmd, cwd=project)
            if proc.returncode != 0:
                errors = [line for line in proc.stderr.splitlines() if line.startswith("error")]
                return f"does not resolve from vendor/: {(errors or ['?'])[0]}"
        return project

    def cargo(self, route: str, project: Path, args: list[str], bootstrap: str) -> subprocess.CompletedProcess[str]:
        """`cargo <args>` natively or as `cargo wasm --strict`, offline from vendor/; with
        RUSTC_BOOTSTRAP for `bootstrap` (the crate whose expansion is printed) alone."""
        # per compiler build: cargo cannot tell two builds of one rustc version apart
        target = self.work / f"target-{route}" / (self.compiler.build_id or "unknown")
        cmd, env, unset = cargo_command(self.compiler, route, args, target)
        env["CARGO_HOME"] = str(self._cargo_home())
        if self.guest_target:
            env[GUEST_TARGET_ENV] = self.guest_target
        if bootstrap:
            env["RUSTC_BOOTSTRAP"] = bootstrap
            unset = tuple(u for u in unset if u != "RUSTC_BOOTSTRAP")
        proc = capture(cmd, cwd=project, env=env, unset=unset, timeout=TIMEOUT)
        self.log(f"    {route}: cargo {' '.join(args)} -> exit {proc.returncode}")
        return proc

    def _cargo_home(self) -> Path:
        """A CARGO_HOME whose config points crates.io at vendor/ (so every cargo of the
        run, module builds included, resolves offline from it)."""
        home = self.work / "cargo-home"
        home.mkdir(parents=True, exist_ok=True)
        config = (
            '[source.crates-io]\nreplace-with = "vendored-sources"\n\n'
            f'[source.vendored-sources]\ndirectory = "{self.vendor_dir}"\n\n[net]\noffline = true\n'
        )
        (home / "config.toml").write_text(config)
        return home

    # -- resuming -------------------------------------------------------------------------

    def _case_file(self, crate: Crate) -> Path:
        return self.work / "cases" / (self.compiler.build_id or "unknown") / f"{crate.name}-{crate.version}.json"

    def _saved(self, crate: Crate) -> CaseResult | None:
        path = self._case_file(crate)
        return CaseResult(**json.loads(path.read_text())) if path.exists() else None

    def _save(self, crate: Crate, result: CaseResult) -> None:
        path = self._case_file(crate)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(result), indent=1) + "\n")


def _with(case: CaseResult, result: str, detail: str) -> CaseResult:
    case.result, case.detail = result, detail
    return case


def _failure(stderr: str) -> str:
    """What a failed cargo run says: strict mode's refusal whole, else the first error."""
    strict = next((line for line in stderr.splitlines() if "strict mode:" in line), None)
    if strict:
        start = stderr.index(strict)
        return stderr[start : start + 1200].strip()
    return first_error(stderr)


def first_difference(native: str, wasm: str, context: int = 2) -> str:
    """The first differing lines of two expansions, as a short unified diff."""
    diff = difflib.unified_diff(native.splitlines(), wasm.splitlines(), "native", "wasm", n=context, lineterm="")
    lines = list(diff)
    hunk_end = next((i for i, line in enumerate(lines[3:], 3) if line.startswith("@@")), len(lines))
    return "\n".join(lines[: min(hunk_end, 14)])


# The inherent causes a non-pass may be filed under, recognised in its detail.
INHERENT_CAUSES = (
    ("pointer width", r"__wbg_[A-Za-z0-9_]+_[0-9a-f]{16}"),
    ("host access", r"No such file|not supported on this platform|operation not supported|cannot read|env::var"),
)


def inherent_cause(result: CaseResult) -> str:
    if result.result == "pass":
        return ""
    return next((cause for cause, pattern in INHERENT_CAUSES if re.search(pattern, result.detail)), "")


def main(compiler: Installed, checkout: Path, only: list[str], fresh: bool, guest_target: str = "") -> int:
    """Run the cases (`only`: crate names, default all), write results/crater.json and
    the table in docs/compatibility.md. `guest_target`: build the modules for another
    target (wasm32-unknown-unknown: as before the guest target), into
    results/crater-<target>.json, for comparison."""
    crates = vendored_crates(checkout / "vendor")
    if only:
        crates = [c for c in crates if c.name in only]
    start = time.perf_counter()
    work = WORK.with_name(f"crater-{guest_target}") if guest_target else WORK
    report = Crater(compiler, checkout / "vendor", work, guest_target=guest_target).run(crates, fresh)
    seconds = round(time.perf_counter() - start)
    data = {
        "compiler": compiler.build_id,
        "guest_target": guest_target or modules.WASM_TARGET,
        "seconds_this_run": seconds,
        "seconds_all_cases": round(sum(c.seconds for c in report.cases)),
        "macros": report.counts("macro"),
        "consumers": report.counts("consumer"),
        "cases": [asdict(c) for c in report.cases],
    }
    path = write_result(f"crater-{guest_target}.json" if guest_target else "crater.json", data)
    print(f"wrote {path}\n  macros: {data['macros']}\n  consumers: {data['consumers']}")
    if not only and not guest_target:
        print(f"wrote {write_docs(data)}")
    return 0


DOCS = REPO_ROOT / "docs" / "compatibility.md"
MARKERS = ("<!-- crater:results -->", "<!-- /crater:results -->")


def write_docs(data: dict[str, object]) -> Path:
    """The results table between MARKERS in docs/compatibility.md."""
    text = DOCS.read_text()
    start, end = text.index(MARKERS[0]) + len(MARKERS[0]), text.index(MARKERS[1])
    counts = f"Macros: {_counts(data['macros'])}. Consumers: {_counts(data['consumers'])}."
    cases = data["cases"]
    assert isinstance(cases, list)
    DOCS.write_text(text[:start] + f"\n{counts}\n\n{table(cases)}\n" + text[end:])
    return DOCS


def _counts(counts: object) -> str:
    assert isinstance(counts, dict)
    return ", ".join(f"{n} {result}" for result, n in counts.items())


def table(cases: list[dict[str, object]]) -> str:
    """The Markdown table of results/crater.json's cases, non-passes first."""
    order = {r: i for i, r in enumerate(("build-fail", "expansion-differs", "skipped", "pass"))}
    rows = ["| crate | kind | uses | result | cause | detail |", "| --- | --- | --- | --- | --- | --- |"]
    for case in sorted(cases, key=lambda c: (order[str(c["result"])], str(c["kind"]), str(c["crate"]))):
        detail = _telling_lines(str(case["detail"])).replace("|", "\\|")[:200]
        uses = ", ".join(case["uses"]) if isinstance(case["uses"], list) else ""
        row = [f"{case['crate']} {case['version']}", case["kind"], uses, case["result"], case.get("cause", ""), detail]
        rows.append("| " + " | ".join(str(cell) for cell in row) + " |")
    return "\n".join(rows)


def _telling_lines(detail: str) -> str:
    """What of a case's detail a table row shows: a diff's first removed and added
    lines, a panicking macro's message, else the first line."""
    lines = [line.strip() for line in detail.splitlines()]
    diff = detail.startswith("--- native")
    changed = [line for line in lines if diff and line[:1] in "-+" and line[:3] not in ("---", "+++")][:2]
    if changed:
        return "<br>".join(f"`{line}`" for line in changed)
    said = next((line for line in lines if line.startswith("= help: message:")), "")
    return said.removeprefix("= help: ") if said else (lines[0] if lines else "")
