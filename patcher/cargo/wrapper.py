"""The RUSTC_WRAPPER of `cargo wasm`: cargo runs `wrapper <rustc> <args>` for every crate.

Per unit, by the plan ($RUSTC_WASM_PLAN, written by plan.py):
- a proc macro that runs from wasm: its module goes where cargo expects the proc macro's
  library (`lib<name>-<hash>.so`; the patched rustc recognises a module by its magic
  number), with the dep-info cargo reads; nothing is compiled;
- a stand-in (a library only those macros need): the files cargo expects, each saying
  what it is; nothing is compiled, and nothing native reads them;
- anything else: rustc, told by STRICT_ENV to refuse native proc macros in strict mode.

It runs once per crate of every build, as `python -S -E wrapper.py` (front.py writes the
script): standalone, it imports only a few standard modules (about 20 ms a call).
"""

from __future__ import annotations

import json
import os
import sys
from typing import NoReturn

# this file runs as a script of its own (python -S -E), importing nothing of `patcher`:
# these names are those of patcher/environment.py (tests/test_environment.py checks)
PLAN_ENV = "RUSTC_WASM_PLAN"
USER_WRAPPER_ENV = "RUSTC_WASM_USER_WRAPPER"  # the user's own RUSTC_WRAPPER (sccache): chained
STRICT_FLAG = "-Zproc-macro-wasm-only"
# strict mode without unstable flags (patcher/rustc/abi.py WASM_ONLY_ENV): the flag would
# need RUSTC_BOOTSTRAP, which also switches crates and their build scripts' probes to
# their nightly code paths
STRICT_ENV = "RUSTC_PROC_MACRO_WASM_ONLY"
SKIPPED_DIRS = {"target", ".git"}  # not part of a path package's sources
STAND_IN_MARK = "rustc-wasm-proc-macros stand-in:"
STAND_IN_TEXT = (
    STAND_IN_MARK + " {label} is used only by proc macros that run from WebAssembly, so it "
    "was not compiled natively (see docs/cargo-wasm.md).\npackage: {package}\n"
)
TAKES_VALUE = ("--crate-name", "--crate-type", "--emit", "--out-dir", "--cfg", "-C", "--json")


class Unit:
    """What a rustc command line says about the crate cargo is building."""

    def __init__(self, crate_name: str) -> None:
        self.crate_name = crate_name
        self.crate_types: list[str] = []
        self.emit: list[str] = []
        self.out_dir = "."
        self.extra_filename = ""
        self.features: list[str] = []
        self.json_artifacts = False
        self.from_cargo = False  # one of cargo's units, not a build script's probe

    def file(self, prefix: str, suffix: str) -> str:
        return os.path.join(self.out_dir, f"{prefix}{self.crate_name}{self.extra_filename}{suffix}")


def parse_unit(args: list[str]) -> Unit | None:
    """The unit of a crate-building command line, or None (cargo's probes: -vV, --print)."""
    opts: dict[str, list[str]] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--") and "=" in arg:
            name, value = arg.split("=", 1)
            opts.setdefault(name, []).append(value)
        elif arg in TAKES_VALUE and i + 1 < len(args):
            opts.setdefault(arg, []).append(args[i + 1])
            i += 1
        elif arg.startswith("-C") and len(arg) > 2:
            opts.setdefault("-C", []).append(arg[2:])
        i += 1
    if "--crate-name" not in opts:
        return None
    unit = Unit(opts["--crate-name"][0])
    unit.crate_types = [t for value in opts.get("--crate-type", []) for t in value.split(",")]
    unit.emit = [e.split("=")[0] for value in opts.get("--emit", []) for e in value.split(",")]
    unit.out_dir = opts.get("--out-dir", ["."])[0]
    for codegen in opts.get("-C", []):
        if codegen.startswith("extra-filename="):
            unit.extra_filename = codegen.split("=", 1)[1]
        # cargo gives every unit a metadata hash; the probes build scripts compile through
        # RUSTC_WRAPPER (proc-macro2's, autocfg's) do not, and must get a real answer
        unit.from_cargo |= codegen.startswith("metadata=")
    for cfg in opts.get("--cfg", []):
        if cfg.startswith('feature="') and cfg.endswith('"'):
            unit.features.append(cfg[len('feature="') : -1])
    unit.json_artifacts = any("artifacts" in value for value in opts.get("--json", []))
    return unit


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: wrapper <rustc> <args>... (the RUSTC_WRAPPER of `cargo wasm`)", file=sys.stderr)
        return 2
    rustc, args = argv[1], argv[2:]
    plan_path = os.environ.get(PLAN_ENV)
    unit = parse_unit(args)
    if not plan_path or unit is None:
        compile_with(rustc, args, {})
    with open(plan_path) as file:
        plan = json.load(file)
    package = os.path.realpath(os.environ.get("CARGO_MANIFEST_DIR", "."))
    # (a build script's probe is compiled for real: its answer must be the compiler's)
    if unit.from_cargo and "proc-macro" in unit.crate_types and package in plan["modules"]:
        return emit_module(plan, package, unit)
    if unit.from_cargo and {"lib", "rlib", "proc-macro"} & set(unit.crate_types) and package in plan["stand_ins"]:
        return emit_stand_in(plan, package, unit)
    compile_with(rustc, args, {STRICT_ENV: "1"} if plan["strict"] else {})


def compile_with(rustc: str, args: list[str], env: dict[str, str]) -> NoReturn:
    """Run rustc in this process's place: through the user's own wrapper when there is one
    (sccache sees the command it would see natively), else directly."""
    user = os.environ.get(USER_WRAPPER_ENV)
    command = [user, rustc, *args] if user else [rustc, *args]
    os.execvpe(command[0], command, {**os.environ, **env})


def emit_module(plan: dict, package: str, unit: Unit) -> int:  # type: ignore[type-arg]
    import hashlib

    label = plan["labels"].get(package, package)
    wanted = sorted(unit.features)
    module = next((m for m in plan["modules"][package] if sorted(m["features"]) == wanted), None)
    if module is None:
        built = ", ".join(str(m["features"]) for m in plan["modules"][package])
        print(
            f"error: cargo asks for proc macro {label} with features {wanted}; its module was built "
            f"with {built}. Run the same cargo command through `cargo wasm` again, or report it.",
            file=sys.stderr,
        )
        return 1
    out = unit.file(*plan["dylib"])
    with open(module["path"], "rb") as file:
        data = file.read()
    if hashlib.sha256(data).hexdigest() != module["sha256"]:
        print(f"error: the cached module of {label} ({module['path']}) changed since it was checked", file=sys.stderr)
        return 1
    partial = f"{out}.partial"
    with open(partial, "wb") as file:
        file.write(data)
    os.replace(partial, out)
    write_dep_info(unit, [out], package)
    return 0


def emit_stand_in(plan: dict, package: str, unit: Unit) -> int:  # type: ignore[type-arg]
    text = STAND_IN_TEXT.format(label=plan["labels"].get(package, package), package=package)
    outputs = []
    if "metadata" in unit.emit:
        outputs.append(unit.file("lib", ".rmeta"))
    if "link" in unit.emit:
        outputs.append(unit.file(*plan["dylib"]) if "proc-macro" in unit.crate_types else unit.file("lib", ".rlib"))
    for out in outputs:
        with open(out, "w") as file:
            file.write(text)
        if unit.json_artifacts:  # cargo's pipelining starts dependents on this message
            emit = "metadata" if out.endswith(".rmeta") else "link"
            print(json.dumps({"$message_type": "artifact", "artifact": out, "emit": emit}), file=sys.stderr)
    write_dep_info(unit, outputs, package)
    return 0


def write_dep_info(unit: Unit, outputs: list[str], package: str) -> None:
    """The dep-info cargo reads for freshness: every file of the package (a superset of
    what rustc would list, so an edit anywhere in a path package rebuilds)."""
    if "dep-info" not in unit.emit:
        return
    sources = [_escape(p) for p in package_files(package)]
    dep_info = unit.file("", ".d")
    lines = [f"{_escape(out)}: {' '.join(sources)}" for out in [dep_info, *outputs]]
    lines += ["", *(f"{src}:" for src in sources)]
    with open(dep_info, "w") as file:
        file.write("\n".join(lines) + "\n")


def package_files(root: str) -> list[str]:
    """The files of the package at `root`, in a stable order (build outputs and hidden
    directories left out)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith("."))
        found += [os.path.join(dirpath, name) for name in sorted(filenames)]
    return found


def _escape(path: str) -> str:
    return path.replace(" ", "\\ ")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
