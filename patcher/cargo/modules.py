"""Compile an unchanged proc-macro crate (a directory with a Cargo.toml) to a
WebAssembly module with the patched compiler, or natively for comparison.

cargo always builds proc-macro crates for the host, so the crate is built through a
shadow manifest (under `build/macros/`, never in the user's directory) that declares
the same sources, dependencies and features as a plain library, and `cargo rustc
--crate-type proc-macro --target wasm32-procmacro` turns it back into a proc macro for
the guest target (patcher/rustc/abi.py GUEST_TARGET). Dependencies (syn, quote, proc-macro2, ...) come from the
rustc checkout's `vendor/`, offline.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patcher.build.install import Installed
from patcher.cargo.cache import BuildImpossible
from patcher.environment import GUEST_TARGET_ENV
from patcher.errors import PatcherError
from patcher.paths import work_dir
from patcher.process import capture
from patcher.provision import vendor
from patcher.provision.stage0 import stage0_tool
from patcher.rustc.abi import GUEST_TARGET

# the target modules are built for; $RUSTC_WASM_GUEST_TARGET=wasm32-unknown-unknown builds
# them as before the guest target existed (to compare; its modules load alike)
WASM_TARGET = os.environ.get(GUEST_TARGET_ENV) or GUEST_TARGET
# How guests are compiled: cargo's release profile, one codegen unit and fat LTO (the
# interpreter runs every instruction the optimiser leaves; 2-8% faster expansion than
# release's defaults, docs/expansion-speed.md). Part of every module cache key.
GUEST_PROFILE = {"CARGO_PROFILE_RELEASE_LTO": "fat", "CARGO_PROFILE_RELEASE_CODEGEN_UNITS": "1"}
BUILD_DIR = work_dir("macros")


@dataclass(frozen=True)
class MacroCrate:
    name: str  # the library's crate name, as `--extern` wants it
    manifest: dict[str, Any]
    root: Path


def read_crate(crate_dir: Path) -> MacroCrate:
    manifest_path = crate_dir / "Cargo.toml"
    try:
        manifest = tomllib.loads(manifest_path.read_text())
    except OSError:
        raise PatcherError(f"{crate_dir}: no Cargo.toml; expected a proc-macro crate directory") from None
    except tomllib.TOMLDecodeError as err:
        raise PatcherError(f"{manifest_path}: not valid TOML: {err}") from None
    lib = manifest.get("lib", {})
    if not lib.get("proc-macro", lib.get("proc_macro", False)):
        raise PatcherError(f"{manifest_path}: not a proc-macro crate (expected `[lib] proc-macro = true`)")
    name = lib.get("name", manifest["package"]["name"]).replace("-", "_")
    return MacroCrate(name, manifest, crate_dir.resolve())


def build(crate_dir: Path, compiler: Installed, checkout: Path, wasm: bool = True, release: bool = True) -> Path:
    """Build the macro crate; return the module (`.wasm`) or native library path."""
    crate = read_crate(crate_dir)
    flavor = "wasm" if wasm else "native"
    shadow = BUILD_DIR / flavor / crate.name
    shadow.mkdir(parents=True, exist_ok=True)
    (shadow / "Cargo.toml").write_text(_shadow_manifest(crate, proc_macro=not wasm))
    cmd = [cargo(), "--offline", *vendor.cargo_source_args(checkout / "vendor")]
    manifest = shadow / "Cargo.toml"
    if wasm:
        cmd += _rustc_for_wasm(manifest, release)
    else:
        cmd += ["build", "--lib", "--manifest-path", str(manifest), "--message-format", "json-render-diagnostics"]
        cmd += ["--release"] if release else []
    env = {
        **(GUEST_PROFILE if wasm else {}),
        "RUSTC": str(compiler.rustc),
        "CARGO_TARGET_DIR": str(_target_dir(BUILD_DIR / flavor / "target", compiler)),
        "RUSTC_BOOTSTRAP": "1",
    }
    proc = capture(cmd, env=env, unset=("RUSTC_WRAPPER",))
    if proc.returncode != 0:
        raise PatcherError(f"building {crate.name} ({flavor}) failed:\n{proc.stderr[-6000:]}")
    artifact = _artifact(proc.stdout, crate.name, ".wasm" if wasm else ".so")
    out = BUILD_DIR / "out" / flavor / artifact.name
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(artifact, out)
    return out


# after `cargo rustc`'s own options: cargo adds `proc_macro` only for proc-macro targets
EXTERN_PROC_MACRO = ["--", "--extern", "proc_macro"]


def _cargo_rustc_as_proc_macro(manifest: Path) -> list[str]:
    """`cargo rustc` arguments that build the shadow library at `manifest` as a proc macro
    for WASM_TARGET."""
    return ["rustc", "--lib", "--target", WASM_TARGET, "--crate-type", "proc-macro", "--manifest-path", str(manifest)]


def _rustc_for_wasm(manifest: Path, release: bool) -> list[str]:
    args = [*_cargo_rustc_as_proc_macro(manifest), "--message-format", "json-render-diagnostics"]
    return [*args, *(["--release"] if release else []), *EXTERN_PROC_MACRO]


def cargo() -> str:
    """The cargo that drives builds: the stage0 toolchain's (rustc's own vendor/ is
    resolved with it when the checkout is provisioned)."""
    return str(stage0_tool("cargo"))


def _target_dir(target: Path, compiler: Installed) -> Path:
    """cargo's target dir for `compiler`: emptied when another compiler build is used,
    since cargo cannot tell two builds of the same rustc version apart."""
    stamp = target / ".rwpm-compiler"
    expected = f"{compiler.sysroot}\n{compiler.build_id}\n"
    if not stamp.exists() or stamp.read_text() != expected:
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        stamp.write_text(expected)
    return target


def _artifact(messages: str, name: str, suffix: str) -> Path:
    for line in messages.splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("reason") != "compiler-artifact" or msg["target"]["name"].replace("-", "_") != name:
            continue
        for filename in msg["filenames"]:
            if filename.endswith(suffix):
                return Path(filename)
    raise PatcherError(f"cargo built {name} but reported no `{suffix}` file")


def _shadow_manifest(crate: MacroCrate, proc_macro: bool) -> str:
    """The crate's manifest with absolute paths, as a library (proc_macro=False) or
    as the proc macro it is."""
    package = crate.manifest["package"]
    lib = dict(crate.manifest.get("lib", {}))
    lib.pop("proc_macro", None)
    lib["proc-macro"] = proc_macro
    lib["path"] = str(crate.root / lib.get("path", "src/lib.rs"))
    lib.setdefault("name", crate.name)
    shadow_package: dict[str, Any] = {
        "name": package["name"],
        "version": package.get("version", "0.0.0"),
        "edition": package.get("edition", "2015"),
    }
    build_script = package.get("build", "build.rs" if (crate.root / "build.rs").exists() else None)
    if build_script:
        shadow_package["build"] = str(crate.root / build_script)
    doc: dict[str, Any] = {"package": shadow_package, "lib": lib, "workspace": {}}
    for table in ("dependencies", "build-dependencies", "features"):
        if table in crate.manifest:
            doc[table] = _absolute_paths(crate.manifest[table], crate.root)
    return _toml(doc)


def _absolute_paths(table: dict[str, Any], root: Path) -> dict[str, Any]:
    out = {}
    for key, value in table.items():
        if isinstance(value, dict) and "path" in value:
            value = {**value, "path": str((root / value["path"]).resolve())}
        out[key] = value
    return out


def _toml(doc: dict[str, Any]) -> str:
    lines = ["# Generated by rustc-wasm-proc-macros (patcher/cargo/modules.py)."]
    for table, values in doc.items():
        lines.append(f"\n[{table}]")
        lines.extend(f"{_key(k)} = {_value(v)}" for k, v in values.items())
    return "\n".join(lines) + "\n"


def _key(key: str) -> str:
    return key if key.replace("-", "").replace("_", "").isalnum() else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise PatcherError(f"cannot write {value!r} into a Cargo.toml")


# -- the cargo route (patcher/cargo/front.py): a package of a resolved graph -------------


@dataclass(frozen=True)
class Resolved:
    """A package as the project's build resolved it: what a shadow manifest pins."""

    name: str
    version: str
    source: str | None  # cargo's source id; None for a path package
    root: Path
    features: tuple[str, ...]


def write_shadow(
    meta: dict[str, Any],
    shadow: Path,
    lock: Path | None,
    deps: dict[str, Resolved],
    features: tuple[str, ...],
    pins: tuple[Resolved, ...] = (),
) -> Path:
    """A shadow manifest in `shadow` for the package cargo metadata describes as `meta`
    (so workspace inheritance is already applied), as a plain library that resolves what
    the project resolved: `deps` are its dependencies the build uses (by the extern crate
    name they are declared under), each at its locked version with exactly its features;
    optional dependencies the build does not use are left out, so cargo never resolves
    them (pest_derive's `cargo` build-dependency behind a feature nobody enabled).
    `features` are the package's own enabled features; every feature it declares stays
    declared (enabling nothing), so its `cfg(feature)` checks read as they do natively.
    `pins`: libraries deeper in the graph pinned to the project's versions and features,
    where the shadow's own resolution would differ. `lock` (the project's Cargo.lock) is
    copied beside it. Returns the manifest's path."""
    shadow.mkdir(parents=True, exist_ok=True)
    lib = next(t for t in meta["targets"] if {"lib", "rlib", "proc-macro"} & set(t["kind"]))
    package: dict[str, Any] = {"name": meta["name"], "version": meta["version"], "edition": meta["edition"]}
    if meta.get("links"):
        package["links"] = meta["links"]
    build_script = next((t for t in meta["targets"] if "custom-build" in t["kind"]), None)
    package["build"] = build_script["src_path"] if build_script else False
    doc: dict[str, Any] = {
        "package": package,
        "lib": {"name": lib["name"].replace("-", "_"), "path": lib["src_path"], "proc-macro": False},
        # features per unit, as the project's build has them (the dependencies pin them)
        "workspace": {"resolver": "2"},
    }
    targets: dict[str, dict[str, Any]] = {}
    declared: dict[str, bool] = {}  # dependency key -> optional
    for dep in meta["dependencies"]:
        key = dep.get("rename") or dep["name"]
        table = {None: "dependencies", "build": "build-dependencies"}.get(dep["kind"])
        if table is None:  # dev-dependencies do not shape the library
            continue
        if table == "dependencies":
            resolved = deps.get(key.replace("-", "_"))
            if resolved is None or resolved.name != dep["name"]:
                continue  # not used by this build (another platform's, or optional and off)
            # an optional dependency stays optional behind its own feature when that is on
            optional = dep["optional"] and key in features
            spec = _pinned(resolved, dep, optional)
        elif dep["optional"]:
            continue  # a build script's optional dependency: off unless its feature is on
        else:
            spec = _dependency(dep)
        into = targets.setdefault(dep["target"], {}) if dep.get("target") else doc
        into.setdefault(table, {})[key] = spec
        if table == "dependencies":
            declared[key] = declared.get(key, True) and spec.get("optional", False)
    for i, pin in enumerate(pins):
        key = f"rwpm_pin_{i}"
        doc.setdefault("dependencies", {})[key] = _pinned(pin, {"name": pin.name, "rename": key}, False)
    if targets:
        doc["target"] = targets
    doc["features"] = _features(meta.get("features", {}), declared)
    manifest = shadow / "Cargo.toml"
    manifest.write_text(_toml({k: v for k, v in doc.items() if v != {} or k == "workspace"}))
    if lock is not None and lock.is_file():
        shutil.copyfile(lock, shadow / "Cargo.lock")
    return manifest


def _features(original: dict[str, list[str]], declared: dict[str, bool]) -> dict[str, list[str]]:
    """The package's features, each enabling nothing (the dependencies carry their exact
    features already), except that an optional dependency's own feature turns it on.
    A feature named like a dependency that is declared unconditionally cannot exist."""
    out: dict[str, list[str]] = {}
    for name in original:
        if name in declared and not declared[name]:
            continue
        out[name] = [f"dep:{name}"] if declared.get(name) else []
    return out


def _pinned(resolved: Resolved, dep: dict[str, Any], optional: bool) -> dict[str, Any]:
    """A dependency on exactly `resolved`: its version, its source, its features."""
    spec: dict[str, Any] = {}
    if resolved.source is None:
        spec["path"] = str(resolved.root)
    else:
        spec["version"] = f"={resolved.version}"
        spec.update(_source(resolved.source, dep))
    if (dep.get("rename") or dep["name"]) != resolved.name:
        spec["package"] = resolved.name
    if optional:
        spec["optional"] = True
    spec["default-features"] = False
    spec["features"] = list(resolved.features)
    return spec


def _source(source: str, dep: dict[str, Any]) -> dict[str, Any]:
    """The manifest keys that select `source` (crates.io needs none)."""
    if source.startswith("git+"):
        url, _, rest = source[4:].partition("?")
        spec = {"git": url.split("#")[0]}
        for pair in rest.split("#")[0].split("&"):
            name, _, value = pair.partition("=")
            if name in ("rev", "tag", "branch"):
                spec[name] = value
        return spec
    if dep.get("registry"):
        return {"registry-index": dep["registry"]}
    return {}


def _dependency(dep: dict[str, Any]) -> dict[str, Any]:
    """A dependency as declared (a build script's: native, resolved by cargo)."""
    spec: dict[str, Any] = {"version": dep["req"]}
    if dep.get("rename"):
        spec["package"] = dep["name"]
    if dep.get("path"):
        spec["path"] = dep["path"]
    spec.update(_source(dep.get("source") or "", dep))
    if not dep["uses_default_features"]:
        spec["default-features"] = False
    if dep["features"]:
        spec["features"] = dep["features"]
    return spec


def shadow_rustc_args(manifest: Path, features: tuple[str, ...]) -> list[str]:
    """`cargo rustc` arguments for the shadow library at `manifest` as a proc macro for
    WASM_TARGET, with exactly `features`."""
    selected = ["--features", ",".join(features)] if features else []
    return [*_cargo_rustc_as_proc_macro(manifest), "--release", "--no-default-features", *selected]


def compile_shadow(
    manifest: Path,
    crate_name: str,
    features: tuple[str, ...],
    cargo_cmd: list[str],
    cwd: Path,
    env: dict[str, str],
) -> Path:
    """`cargo rustc` of the shadow library as a proc macro for WASM_TARGET, with exactly
    `features`; `env` holds RUSTC, the wrapper and the target directory. Returns the
    module cargo wrote. A crate that does not compile for wasm raises BuildImpossible
    with the first error, where it is, and its likely cause."""
    cmd = [*cargo_cmd, *shadow_rustc_args(manifest, features), "--message-format", "json-render-diagnostics"]
    cmd += EXTERN_PROC_MACRO
    # the project's RUSTFLAGS are for its own targets, not for wasm guests
    proc = capture(cmd, cwd=cwd, env={"CARGO_ENCODED_RUSTFLAGS": "", **GUEST_PROFILE, **env}, unset=("RUSTFLAGS",))
    if proc.returncode != 0:
        if "can't find crate for `std`" in proc.stderr or "can't find crate for `core`" in proc.stderr:
            raise PatcherError(
                f"the compiler has no std for {WASM_TARGET} (RUSTC={env.get('RUSTC')}): "
                "rebuild it with `nox -s build`, which installs std for that target"
            )
        if "could not compile" in proc.stderr or "failed to run custom build command" in proc.stderr:
            raise BuildImpossible(f"it does not compile for {WASM_TARGET}: {first_error(proc.stderr)}")
        raise PatcherError(f"building {crate_name} for {WASM_TARGET} failed:\n{proc.stderr[-4000:]}")
    return _artifact(proc.stdout, crate_name, ".wasm")


# What a failed module build's first error most likely means, when it is a known cause.
KNOWN_CAUSES = (
    (
        r"(cannot find|unresolved import|expected function, found module).*`(syn|synstructure)::",
        "syn 1.x and synstructure hide their proc_macro glue from wasm32-unknown-unknown and WASI; "
        f"modules must be built for {GUEST_TARGET}, which this compiler should have (rebuild it with `nox -s build`)",
    ),
    (
        r"getrandom|target is not supported|not supported by default",
        "a dependency needs the operating system's random numbers (getrandom), which the sandbox does not give "
        "(keep the macro native with --keep-native, or turn off the dependency's randomness feature)",
    ),
    (
        r"failed to run custom build command|Failed to find tool|error occurred in cc-rs",
        "a build script failed for the wasm target (often C code compiled with cc, which has no compiler for it)",
    ),
    (
        r"operation not supported on this platform|No such file or directory",
        "the macro reads files (or uses another service of the host) while it expands, which the sandbox does "
        "not give; keep it native by name with `cargo wasm --keep-native <crate>` (not in --strict)",
    ),
    (
        r"std::(os::unix|os::fd|os::windows)|`(libc|rustix|nix)::",
        "the macro uses the host operating system's API, which a WebAssembly guest does not have",
    ),
)


def first_error(stderr: str) -> str:
    """The first error of a cargo build's rendered diagnostics, with its location
    (`--> file:line:col`) and, when recognised, its likely cause."""
    lines = stderr.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("error")), None)
    if start is None:
        return (stderr.strip().splitlines() or ["no output"])[-1]
    message = lines[start]
    if message.endswith(":"):  # a heading: what follows says what went wrong
        message += "".join(f"\n    {line.strip()}" for line in lines[start + 1 : start + 8] if line.strip())
    where = next((line.strip() for line in lines[start + 1 : start + 4] if line.strip().startswith("-->")), "")
    block = "\n".join(lines[start : start + 12])
    cause = next((why for pattern, why in KNOWN_CAUSES if re.search(pattern, block)), None)
    text = f"{message}\n    {where}" if where else message
    said = next((line.strip() for line in lines[start + 1 : start + 10] if "= help: message:" in line), "")
    text = f"{text}\n    {said}" if said else text  # what a panicking macro said
    return f"{text}\n    likely cause: {cause}" if cause else text


ENGINE_LINE = "wasm-proc-macro-engine:"  # rustc -vV's line naming the engine


def engine_line(compiler: Installed) -> str:
    """What runs the compiler's wasm proc macros, as its `rustc -vV` says (a line for
    `cargo wasm` to show once per run)."""
    proc = capture([str(compiler.rustc), "-vV"])
    found = next((line for line in proc.stdout.splitlines() if line.startswith(ENGINE_LINE)), "")
    return found.removeprefix(ENGINE_LINE).strip() or "unknown (the compiler's `rustc -vV` does not say)"


def precompile(compiler: Installed, module: Path, crate_name: str) -> None:
    """wasmtime's code for `module`, made now into its compiled-code cache by loading it
    as any compile does, so that the first expansion pays nothing (a compiler whose
    engine is wasmi compiles nothing; a failure here is only a later compile's cost)."""
    with tempfile.TemporaryDirectory(prefix="rwpm-precompile-") as tmp:
        source = Path(tmp) / "rwpm_precompile.rs"
        source.write_text(f"extern crate {crate_name};\n")
        cmd = [str(compiler.rustc), "--edition", "2021", "--crate-type", "lib", str(source)]
        capture([*cmd, "--emit", "metadata", "--out-dir", tmp, "--extern", f"{crate_name}={module}"])
