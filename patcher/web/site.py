"""The playground's files: the static page (web/), the WASI shim from npm, and config.json,
which names what the worker loads: rustc.wasm, the std of its target, the macros' modules,
the crates programs may use (patcher/web/crates.py), the example programs and the
arguments that load the macros and the crates.

Large files are not copied: the server maps `files/<version>/...` to dist/wasm and to the
macro modules (patcher/web/server.py). `<version>` is the install's build id, so a rebuilt
compiler gets new URLs and the page's cache never serves an old one. The page loads only
what its programs can use: rustc.wasm without its symbol names and debug sections, and of
the sysroot, the crates of rustc's `library/` (what a `rust-std` component holds).
"""

from __future__ import annotations

import json
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

from patcher.build.install import Installed
from patcher.cargo import modules
from patcher.errors import PatcherError
from patcher.paths import REPO_ROOT, work_dir
from patcher.pins import DEFAULT_VERSION
from patcher.suite.e2e import E2E_DIR, MacroFlags
from patcher.wasm_binary import without_custom_sections
from patcher.wasm_host.rustc_wasm import std_files
from patcher.web.crates import CrateSet, build_crates

WEB_DIR = REPO_ROOT / "web"
SITE_DIR = work_dir("web")
PAGE_RUSTC_DIR = work_dir("web-rustc")  # <version>/rustc.wasm, stripped
SHIM = WEB_DIR / "node_modules" / "@bjorn3" / "browser_wasi_shim"
STATIC = ("index.html", "style.css", "playground.js", "worker.js")
TARGET = "wasm32-wasip1"
MACROS = ("basic", "describe")
EXAMPLES = WEB_DIR / "examples"
# the example programs: name, file (web/examples/, or the e2e suite's without its `//@`
# header lines), title; those named `*_error` must fail, with the macro's error
PROGRAMS = {
    "serde_json": (EXAMPLES / "serde_json.rs", "serde + serde_json: a struct round-tripped as JSON"),
    "thiserror": (EXAMPLES / "thiserror.rs", "thiserror: an error enum with #[from]"),
    "clap": (EXAMPLES / "clap.rs", "clap derive: parse fixed arguments, print the help"),
    "serde_error": (EXAMPLES / "serde_error.rs", "serde: #[serde(rename = 1)], the derive's error"),
    "clap_error": (EXAMPLES / "clap_error.rs", "clap: an unsupported rename_all, the derive's error"),
    "describe": (E2E_DIR / "programs" / "syn_generics.rs", "derive(Describe) on generic types: compiles and runs"),
    "describe_error": (E2E_DIR / "programs" / "span_syn_error.rs", "derive(Describe) on a union: the macro's error"),
}


def example_source(path: Path) -> str:
    lines = path.read_text().splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith("//@"))


@dataclass(frozen=True)
class Site:
    root: Path  # what the server serves as /
    files: dict[str, Path]  # URL prefix files/<version>/<name>/ -> directory it maps to
    version: str

    def url_of(self, path: str) -> Path | None:
        """The file a URL path (without the leading /) names, or None."""
        for prefix, directory in self.files.items():
            if path.startswith(prefix):
                candidate = (directory / path.removeprefix(prefix)).resolve()
                return candidate if candidate.is_relative_to(directory.resolve()) else None
        candidate = (self.root / path).resolve()
        return candidate if candidate.is_relative_to(self.root.resolve()) else None


def shim_dir() -> Path:
    dist = SHIM / "dist"
    if not (dist / "index.js").exists():
        raise PatcherError(
            f"the WASI shim is not installed ({dist}): run `bash tools/setup.sh --web` (or `npm ci --prefix web`)"
        )
    return dist


def is_not_for_the_page(section: str) -> bool:
    """rustc.wasm's custom sections a browser does not need: the function names (a fifth
    of the module) and DWARF; they only name frames in a debugger."""
    return section == "name" or section.startswith(".debug_")


def page_rustc(rustc_wasm: Path, version: str, root: Path = PAGE_RUSTC_DIR) -> Path:
    """rustc.wasm as the page loads it, made once per version; older versions' copies
    (93 MiB each) are removed."""
    stripped = root / version / "rustc.wasm"
    if not stripped.exists():
        for old in root.iterdir() if root.is_dir() else ():
            shutil.rmtree(old)
        stripped.parent.mkdir(parents=True, exist_ok=True)
        partial = stripped.with_name("rustc.wasm.partial")
        partial.write_bytes(without_custom_sections(rustc_wasm.read_bytes(), is_not_for_the_page))
        partial.replace(stripped)
    return stripped


def library_crates(checkout: Path) -> frozenset[str]:
    """The crate names of rustc's `library/` workspace (std, its dependencies, test,
    proc_macro), from its Cargo.lock."""
    lock = tomllib.loads((checkout / "library" / "Cargo.lock").read_text())
    return frozenset(package["name"].replace("-", "_") for package in lock["package"])


def page_sysroot(std: Path, library: frozenset[str]) -> list[Path]:
    """The std files the page loads: those of `library`'s crates and the C runtime, not the
    compiler crates that the build of rustc.wasm leaves beside them."""
    return [p for p in std_files(std) if p.parent != std or p.name.removeprefix("lib").split("-")[0] in library]


def build_site(wasm: Installed, native: Installed, checkout: Path, root: Path = SITE_DIR) -> Site:
    """Write the page, the shim and config.json under `root`; build the macros' modules
    with the native patched compiler (as the e2e suite does), and the crates."""
    rustc_wasm = wasm.sysroot / "bin" / "rustc.wasm"
    std = wasm.sysroot / "lib" / "rustlib" / TARGET / "lib"
    if not rustc_wasm.exists() or not any(std.glob("libstd-*.rlib")):
        raise PatcherError(
            f"no rustc.wasm with a std for {TARGET} in {wasm.sysroot}: run `nox -s build -- --host wasm`"
        )
    version = wasm.build_id or "unversioned"
    modules_built = {name: modules.build(E2E_DIR / "macros" / name, native, checkout, wasm=True) for name in MACROS}
    macro_dir = {m.parent for m in modules_built.values()}
    if len(macro_dir) != 1:
        raise PatcherError(f"the macro modules are not in one directory: {sorted(macro_dir)}")
    crates = build_crates(native, wasm, TARGET, checkout / "vendor")
    rustc_for_page = page_rustc(rustc_wasm, version)
    files = {
        f"files/{version}/rustc/": rustc_for_page.parent,
        f"files/{version}/sysroot/": wasm.sysroot,
        f"files/{version}/macros/": macro_dir.pop(),
        f"files/{version}/crates/": crates.directory,
    }
    shutil.rmtree(root, ignore_errors=True)
    (root / "vendor").mkdir(parents=True)
    for name in STATIC:
        shutil.copy2(WEB_DIR / name, root / name)
    shutil.copytree(shim_dir(), root / "vendor" / "browser_wasi_shim")
    sysroot = page_sysroot(std, library_crates(checkout))
    config = render_config(wasm, version, sysroot, rustc_for_page, modules_built, crates)
    (root / "config.json").write_text(json.dumps(config, indent=1) + "\n")
    return Site(root, files, version)


def render_config(
    wasm: Installed,
    version: str,
    sysroot_files: list[Path],
    rustc_wasm: Path,
    modules_built: dict[str, Path],
    crates: CrateSet,
) -> dict[str, object]:
    flags = MacroFlags(wasm.option)
    # the examples use `describe`; with macros that are a crate's, they name it on line 1
    header = flags.header(["describe"]) if flags.by_path else ""
    in_page = {name: Path("/macros") / module.name for name, module in modules_built.items()}
    macro_args = [arg for name, path in in_page.items() for arg in flags.args(name, path)]
    rustc_size = rustc_wasm.stat().st_size
    download = rustc_size + sum(p.stat().st_size for p in [*sysroot_files, *modules_built.values(), *crates.files])
    return {
        "version": version,
        "rustcVersion": DEFAULT_VERSION,
        "option": wasm.option,
        "target": TARGET,
        "rustc": {"url": f"files/{version}/rustc/rustc.wasm", "size": rustc_size},
        "downloadBytes": download,  # everything the page loads, uncompressed
        "sysroot": [
            {"path": str(p.relative_to(wasm.sysroot)), "url": f"files/{version}/sysroot/{p.relative_to(wasm.sysroot)}"}
            for p in sysroot_files
        ],
        "macros": [
            {"name": name, "path": module.name, "url": f"files/{version}/macros/{module.name}"}
            for name, module in modules_built.items()
        ],
        "crates": [{"name": name, "version": crates.versions[name]} for name in crates.externs],
        "deps": [{"path": p.name, "url": f"files/{version}/crates/{p.name}"} for p in crates.files],
        # what the worker passes before `main.rs -o main.wasm`; -Z-style option flags need RUSTC_BOOTSTRAP
        "rustcArgs": [
            "--sysroot",
            "/sysroot",
            "--edition",
            "2021",
            "--target",
            TARGET,
            *macro_args,
            *crates.args("/crates"),
        ],
        "env": ["RUSTC_BOOTSTRAP=1"],
        "programs": {
            name: {"title": title, "source": (header if file.parent != EXAMPLES else "") + example_source(file)}
            for name, (file, title) in PROGRAMS.items()
        },
    }
