"""Command line: `python -m patcher <command>`. Each command is one record of `COMMANDS`
(its help, its arguments, what it needs and what it runs); the nox sessions and
docs/commands.md are made from the same table."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from pathlib import Path

from patcher import environment, export
from patcher.bench import cargo_route as bench_cargo
from patcher.bench import compare
from patcher.bench import expansion as bench_expansion
from patcher.bench import patch as bench_patch
from patcher.bench import release as bench_release
from patcher.bench import wasm_host as bench_wasm_host
from patcher.build import check, install, native
from patcher.cargo import front as cargo_front
from patcher.cargo import modules
from patcher.engine.workspace import ApplyReport, Workspace
from patcher.errors import PatcherError
from patcher.paths import DIST_DIR, checkout_dir, dist_dir
from patcher.pins import DEFAULT_VERSION, RustSource, source_for
from patcher.provision import vendor
from patcher.provision.checkout import GitSource, ensure_checkout, rustc_workspace
from patcher.release import toolchain as toolchain_release
from patcher.results import write_result
from patcher.rustc.engines import WASMTIME_LIBRARY_IN_SYSROOT
from patcher.rustc.options import DEFAULT_OPTION, all_options, names
from patcher.rustc.patchset import DEFAULT_SLOTS
from patcher.suite import bridge_fuzz, crater, e2e, ui_suite
from patcher.wasm_host import steps as wasm_host

ENGINES = ("wasmi", "wasmtime")
BENCHES = ("patch", "expansion", "cargo", "wasm-host", "release")


class Needs(Enum):
    """What a command needs before it runs."""

    SOURCE = "the pinned source only"
    CHECKOUT = "a provisioned checkout"
    WORKSPACE = "a checkout, opened for patching"


@dataclass
class Context:
    """What every command may use: the pinned source, the checkout and its workspace."""

    source: RustSource
    checkout: Path

    @cached_property
    def workspace(self) -> Workspace:
        ws = rustc_workspace(self.checkout)
        if ws.recovered:
            print("note: the previous run was interrupted while writing; its changes were rolled back")
        return ws

    def apply(self, option: str, slots: int = DEFAULT_SLOTS) -> None:
        _report(self.workspace.apply(option, slots), f"option {option}")


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[Context, argparse.Namespace], int]
    needs: Needs = Needs.CHECKOUT


# -- arguments shared by several commands ------------------------------------------------------
def _slots(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 4096:
        raise argparse.ArgumentTypeError("--slots must be between 1 and 4096")
    return value


def _option(p: argparse.ArgumentParser, slots: bool = True) -> None:
    p.add_argument("--option", choices=names(), default=DEFAULT_OPTION, help=f"a, b or c (default {DEFAULT_OPTION})")
    if slots:
        p.add_argument("--slots", type=_slots, default=DEFAULT_SLOTS, help="slot functions per macro kind")


def _dist(p: argparse.ArgumentParser, default: str = "dist/native/") -> None:
    p.add_argument("--dist", type=Path, help=f"the patched compiler (default: {default})")


def _compiler(args: argparse.Namespace) -> install.Installed:
    return install.installed(args.dist or dist_dir())


def _wasm_dist(threads: bool) -> Path:
    """Where rustc.wasm is installed: dist/wasm/, or dist/wasm-threads/ for the threads host."""
    return dist_dir("wasm-threads" if threads else "wasm")


# -- the commands -------------------------------------------------------------------------------
def _checkout_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--git-url", help="clone this rustc repository instead of using Debian's source package")
    p.add_argument("--git-tag", help="the tag to clone with --git-url, e.g. 1.95.0")


def _checkout(ctx: Context, args: argparse.Namespace) -> int:
    git_source = None
    if args.git_url or args.git_tag:
        if not (args.git_url and args.git_tag):
            raise PatcherError("--git-url and --git-tag go together")
        git_source = GitSource(args.git_url, args.git_tag)
    ensure_checkout(ctx.source, ctx.checkout, git_source)
    print(f"checkout ready: {ctx.checkout} (rustc {ctx.source.version}, pristine tree at ref `upstream`)")
    return 0


def _patch_arguments(p: argparse.ArgumentParser) -> None:
    _option(p)
    p.add_argument("--dry-run", action="store_true", help="print the unified diff, change nothing")
    p.add_argument("--revert", action="store_true", help="restore the pristine tree")


def _patch(ctx: Context, args: argparse.Namespace) -> int:
    ws = ctx.workspace
    if args.revert:
        _report(ws.revert(), "revert")
    elif args.dry_run:
        diff = ws.dry_run(args.option, args.slots)
        sys.stdout.write(diff or f"option {args.option} is already applied: nothing would change\n")
    else:
        _report(ws.apply(args.option, args.slots), f"option {args.option}, {args.slots} slots per kind")
    return 0


def _check_arguments(p: argparse.ArgumentParser) -> None:
    _option(p)
    p.add_argument("--log", type=Path, help="write the full x.py output here")


def _check(ctx: Context, args: argparse.Namespace) -> int:
    ctx.apply(args.option, args.slots)
    crates = check.crates_touched(args.option)
    seconds = check.x_check(ctx.checkout, crates, check.files_edited(args.option), args.log)
    data = {"option": args.option, "crates": list(crates), "passed": True, "seconds": round(seconds)}
    path = write_result(f"check-option-{args.option}.json", data)
    print(f"x.py check passed for option {args.option} in {seconds:.0f} s; results in {path}")
    return 0


def _export_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--check", action="store_true", help="fail if a committed file is stale, write nothing")


def _export(ctx: Context, args: argparse.Namespace) -> int:
    return export.main(ctx.checkout, check_only=args.check, given=generated_blocks())


def _status(ctx: Context, args: argparse.Namespace) -> int:
    print(ctx.workspace.status())
    return 0


def _build_arguments(p: argparse.ArgumentParser) -> None:
    _option(p)
    p.add_argument("--host", choices=("native", "wasm"), default="native", help="the host the compiler runs on")
    p.add_argument("--dist", type=Path, help="install here (default: dist/<host>/)")
    wasm = p.add_argument_group("with --host wasm")
    wasm.add_argument("--wasi-sdk", type=Path, help="use this wasi-sdk instead of Debian's clang + wasi-libc")
    wasm.add_argument("--threads", action="store_true", help="the wasm32-wasip1-threads host (dist/wasm-threads/)")
    wasm.add_argument("--cache", choices=("sccache", "ccache"), help="compiler cache for C/C++")
    wasm.add_argument("--until", help="stop after this step (see `build --host wasm --list`)")
    wasm.add_argument("--list", action="store_true", help="list the steps and their state, build nothing")


WASM_HOST_FLAGS = ("wasi_sdk", "threads", "cache", "until", "list")


def _build(ctx: Context, args: argparse.Namespace) -> int:
    if args.host == "wasm":
        request = wasm_host.Request(
            ctx.checkout, args.option, args.dist or _wasm_dist(args.threads), args.wasi_sdk, args.threads, args.cache,
            args.until, args.list,
        )  # fmt: skip
        return wasm_host.main(request)
    given = [f"--{flag.replace('_', '-')}" for flag in WASM_HOST_FLAGS if getattr(args, flag)]
    if given:
        raise PatcherError(f"{', '.join(given)}: only with --host wasm (this build is native)")
    dist = args.dist or dist_dir(args.host)
    ctx.apply(args.option, args.slots)
    seconds = native.build_native(ctx.checkout, args.option, args.slots, dist, native.log_path(ctx.checkout))
    print(f"built in {seconds:.0f} s; compiler: {dist / 'bin' / 'rustc'}")
    return 0


def _wasm_macro_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("crate", type=Path, help="the crate's directory (with its Cargo.toml)")
    p.add_argument("--native", action="store_true", help="build it as a native proc macro instead")
    p.add_argument("--debug", action="store_true", help="without optimizations")
    _dist(p)


def _wasm_macro(ctx: Context, args: argparse.Namespace) -> int:
    compiler = _compiler(args)
    if args.native or args.debug:
        out = modules.build(args.crate, compiler, ctx.checkout, wasm=not args.native, release=not args.debug)
    else:  # through the module cache, as `cargo wasm` builds modules
        cargo_args = ["--offline", *vendor.cargo_source_args(ctx.checkout / "vendor")]
        out = cargo_front.module_of_crate(args.crate.resolve(), compiler, cargo_args, modules.BUILD_DIR / "out")
    print(out)
    return 0


def _e2e_arguments(p: argparse.ArgumentParser) -> None:
    _option(p, slots=False)
    p.add_argument("--host", choices=("native", "wasm"), default="native", help="the compiler's host")
    _dist(p, "dist/<host>/")
    p.add_argument("--engine", choices=ENGINES, help="ask every compile for this wasm proc-macro engine")
    p.add_argument_group("with --host wasm").add_argument(
        "--threads", action="store_true", help="through the wasm32-wasip1-threads rustc.wasm"
    )


def _e2e(ctx: Context, args: argparse.Namespace) -> int:
    if args.host == "wasm":
        dist = args.dist or _wasm_dist(args.threads)
        return e2e.main_on_wasm_host(ctx.checkout, args.option, dist, dist_dir("native"))
    if args.threads:
        raise PatcherError("--threads: only with --host wasm")
    compiler = install.installed(args.dist or dist_dir(args.host))
    return e2e.main(compiler, ctx.checkout, args.option, args.host, engine=args.engine)


def _ui_arguments(p: argparse.ArgumentParser) -> None:
    crate_options = [spec.name for spec in all_options() if spec.compiletest_mode]
    p.add_argument("--option", choices=crate_options, default=DEFAULT_OPTION, help="an option whose modules are crates")
    p.add_argument("--native", action="store_true", help="native proc macros: the baseline")
    p.add_argument("--engine", choices=ENGINES, help="ask every compile for this engine")
    p.add_argument("--results", type=Path, help="the results file to update (default: results/ui-proc-macro.json)")
    p.add_argument("x_args", nargs="*", help="more x.py test arguments, e.g. a test's path to run it alone")


def _ui(ctx: Context, args: argparse.Namespace) -> int:
    """Build (or resume) the option's compiler, then run the suite through compiletest."""
    ctx.apply(args.option)
    native.build_native(ctx.checkout, args.option, DEFAULT_SLOTS, dist_dir(), native.log_path(ctx.checkout))
    mode = ui_suite.mode_of(args.native, args.engine)
    wasmtime = dist_dir() / WASMTIME_LIBRARY_IN_SYSROOT
    run = ui_suite.run_suite(
        ctx.checkout, args.native, ui_suite.LOG_DIR / f"{mode}.log", args.x_args, args.engine, wasmtime
    )
    if not args.x_args:  # a partial run is not the suite's result
        print(f"results: {ui_suite.write_results(run, args.results)}")
    print(ui_suite.report(run))
    problems = run.problems(whole_suite=not args.x_args)
    for problem in problems:
        print(f"problem: {problem}")
    return 1 if problems else 0


def _crater_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("crates", nargs="*", help="only these crates (names; default: all)")
    p.add_argument("--fresh", action="store_true", help="run again the cases this compiler build already ran")
    _dist(p)
    p.add_argument(
        "--guest-target", default="", help="build modules for this target instead (wasm32-unknown-unknown: as before)"
    )


def _crater(ctx: Context, args: argparse.Namespace) -> int:
    return crater.main(_compiler(args), ctx.checkout, args.crates, args.fresh, args.guest_target)


def _fuzz_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=bridge_fuzz.DEFAULT_SEED)
    p.add_argument("--cases", type=int, default=bridge_fuzz.DEFAULT_CASES, help="expansions per engine")
    p.add_argument("--messages", type=int, default=bridge_fuzz.DEFAULT_MESSAGES, help="mutated messages per expansion")
    p.add_argument("--engine", choices=bridge_fuzz.ENGINES, help="one engine (default: each)")
    _dist(p)


def _fuzz(ctx: Context, args: argparse.Namespace) -> int:
    engines = (args.engine,) if args.engine else bridge_fuzz.ENGINES
    return bridge_fuzz.main(_compiler(args), ctx.checkout, args.seed, args.cases, args.messages, engines)


def _compare_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--options", default=",".join(names()), help="comma-separated (default: every option)")
    p.add_argument("--rebuild", action="store_true", help="rebuild compilers that exist already")


def _compare(ctx: Context, args: argparse.Namespace) -> int:
    return compare.main(ctx.checkout, args.options.split(","), args.rebuild)


def _web_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    _dist(p, "dist/wasm/")
    p.add_argument("--check", action="store_true", help="run the browser test instead of serving (slow tier)")


def _web(ctx: Context, args: argparse.Namespace) -> int:
    from patcher.web import browser, server, site  # Playwright and the site's tools load only here

    wasm = install.installed(args.dist or dist_dir("wasm"))
    native_compiler = install.installed(dist_dir("native"))
    if args.check:
        return browser.check(wasm, native_compiler, ctx.checkout)
    server.serve(site.build_site(wasm, native_compiler, ctx.checkout), args.host, args.port)
    return 0


def _bench_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--only", choices=BENCHES, help="run one benchmark (default: all)")
    _dist(p)
    p.add_argument("--runs", type=int, default=bench_wasm_host.RUNS, help="wasm-host: runs per case")
    p.add_argument("--rounds", type=int, default=bench_cargo.ROUNDS, help="cargo, expansion: interleaved rounds")


def _bench(ctx: Context, args: argparse.Namespace) -> int:
    """The benchmarks; those whose compiler is not built say so and are skipped."""
    dist = args.dist or dist_dir()
    runs = {
        "patch": lambda: bench_patch.main(ctx.checkout),
        "expansion": lambda: bench_expansion.main(ctx.checkout, dist, args.rounds),
        "cargo": lambda: bench_cargo.main(ctx.checkout, dist, args.rounds),
        "wasm-host": lambda: bench_wasm_host.main(ctx.checkout, args.runs),
        "release": lambda: bench_release.main(ctx.checkout, dist),
    }
    return max(runs[name]() for name in ([args.only] if args.only else BENCHES))


def _release_arguments(p: argparse.ArgumentParser) -> None:
    _dist(p)
    p.add_argument("--out", type=Path, help="write the tarball here (default: dist/)")


def _release(ctx: Context, args: argparse.Namespace) -> int:
    return toolchain_release.main(_compiler(args), args.out or DIST_DIR)


def _no_arguments(p: argparse.ArgumentParser) -> None:
    pass


COMMANDS: tuple[Command, ...] = (
    Command("checkout", "provision the checkout (download, unpack, patch series, git ref `upstream`)",
            _checkout_arguments, _checkout, Needs.SOURCE),
    Command("patch", "apply an option's patch set (or show it, or revert it)", _patch_arguments, _patch,
            Needs.WORKSPACE),
    Command("check", "apply, then `x.py check` every crate the option touches", _check_arguments, _check,
            Needs.WORKSPACE),
    Command("export", "regenerate patches/*.patch, config.llvm.toml and the docs' generated blocks",
            _export_arguments, _export, Needs.SOURCE),
    Command("status", "what the tool applied to the checkout", _no_arguments, _status, Needs.WORKSPACE),
    Command("build", "apply an option, build the patched compiler (native, or rustc.wasm), install it to dist/",
            _build_arguments, _build),
    Command("wasm-macro", "compile a proc-macro crate to a .wasm module; prints its path last",
            _wasm_macro_arguments, _wasm_macro),
    Command("e2e", "the end-to-end suite against an installed patched compiler (the option must match)",
            _e2e_arguments, _e2e),
    Command("ui", "rustc's tests/ui/proc-macro through compiletest, proc macros compiled to wasm",
            _ui_arguments, _ui, Needs.WORKSPACE),
    Command("crater", "every vendored proc macro to a module, and its vendored consumers expanded both ways",
            _crater_arguments, _crater),
    Command("fuzz", "random and mutated bridge messages from a wasm macro, through each engine",
            _fuzz_arguments, _fuzz),
    Command("compare", "build and test every option in turn; writes results/compare.md (slow)",
            _compare_arguments, _compare),
    Command("web", "serve the playground (rustc.wasm in a browser page); --check: test it in Chromium",
            _web_arguments, _web),
    Command("bench", "patch speed; with built compilers, expansion and rustc.wasm benchmarks",
            _bench_arguments, _bench),
    Command("dist", "pack the installed compiler as a relocatable tarball with install.sh (after `build`)",
            _release_arguments, _release, Needs.SOURCE),
)  # fmt: skip


def _formatter(prog: str) -> argparse.HelpFormatter:
    """Help at one width wherever it is printed, so that docs/commands.md is reproducible."""
    return argparse.HelpFormatter(prog, width=100)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m patcher", description=__doc__, formatter_class=_formatter)
    parser.add_argument(
        "--checkout", type=Path, help=f"the rustc checkout (default: rust-checkout/, or ${environment.CHECKOUT_ENV})"
    )
    parser.add_argument(
        "--rust-version", default=DEFAULT_VERSION, help=f"pinned rustc source (default {DEFAULT_VERSION})"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.arguments(
            sub.add_parser(command.name, help=command.help, description=command.help, formatter_class=_formatter)
        )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except PatcherError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; an interrupted write is rolled back on the next run", file=sys.stderr)
        return 130


def run(args: argparse.Namespace) -> int:
    command = next(c for c in COMMANDS if c.name == args.command)
    ctx = Context(source_for(args.rust_version), (args.checkout or checkout_dir(args.rust_version)).resolve())
    if command.needs is not Needs.SOURCE:
        ensure_checkout(ctx.source, ctx.checkout)
    return command.run(ctx, args)


def _report(report: ApplyReport, what: str) -> None:
    if not report.changed:
        checked = f"{len(report.unchanged)} files checked, {report.seconds:.2f} s"
        print(f"{what}: already applied, nothing to do ({checked})")
        return
    print(f"{what}: {len(report.changed)} file(s) written in {report.seconds:.2f} s")
    for rel in report.changed:
        print(f"  {rel}")


# -- the reference the docs carry (docs/commands.md, docs/environment.md) -------------------------
def commands_reference() -> str:
    """Every command's help as argparse prints it, for docs/commands.md."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    parts = [f"```text\n{_plain(parser.format_help())}```"]
    for command in COMMANDS:
        usage = _plain(sub.choices[command.name].format_help())
        parts.append(f"### `{command.name}`\n\n`nox -s {command.name} -- [arguments]`\n\n```text\n{usage}```")
    return "\n\n".join(parts)


def _plain(text: str) -> str:
    """argparse's help at a fixed width (it wraps to the terminal's), without trailing spaces."""
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def generated_blocks() -> dict[str, str]:
    return {"commands": commands_reference(), "environment": environment.markdown_table()}
