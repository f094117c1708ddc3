"""Command line: `python -m patcher <command>`; the nox sessions call the same functions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from patcher import export
from patcher.bench import cargo_route as bench_cargo
from patcher.bench import compare
from patcher.bench import expansion as bench_expansion
from patcher.bench import patch as bench_patch
from patcher.bench import wasm_host as bench_wasm_host
from patcher.build import check, install, native
from patcher.cargo import front as cargo_front
from patcher.cargo import modules
from patcher.engine.workspace import ApplyReport, Workspace
from patcher.errors import PatcherError
from patcher.paths import checkout_dir
from patcher.pins import DEFAULT_VERSION, source_for
from patcher.provision import vendor
from patcher.provision.checkout import GitSource, ensure_checkout, rustc_workspace
from patcher.results import write_result
from patcher.rustc.engines import WASMTIME_LIBRARY_IN_SYSROOT
from patcher.rustc.options import DEFAULT_OPTION, all_options, names
from patcher.rustc.patchset import DEFAULT_SLOTS
from patcher.suite import bridge_fuzz, crater, e2e, ui_suite
from patcher.wasm_host import steps as wasm_host


def _slots(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 4096:
        raise argparse.ArgumentTypeError("--slots must be between 1 and 4096")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m patcher", description=__doc__)
    parser.add_argument(
        "--checkout", type=Path, help="the rustc checkout (default: rust-checkout/, or $RUSTC_WASM_CHECKOUT)"
    )
    parser.add_argument(
        "--rust-version", default=DEFAULT_VERSION, help=f"pinned rustc source (default {DEFAULT_VERSION})"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    option_names = names()
    crate_options = [spec.name for spec in all_options() if spec.compiletest_mode]

    co = sub.add_parser("checkout", help="provision the checkout (download, unpack, patch series, git ref `upstream`)")
    co.add_argument("--git-url", help="clone this rustc repository instead of using Debian's source package")
    co.add_argument("--git-tag", help="the tag to clone with --git-url, e.g. 1.95.0")

    patch = sub.add_parser("patch", help="apply an option's patch set")
    patch.add_argument("--option", choices=option_names, default=DEFAULT_OPTION)
    patch.add_argument("--slots", type=_slots, default=DEFAULT_SLOTS, help="slot functions per macro kind")
    patch.add_argument("--dry-run", action="store_true", help="print the unified diff, change nothing")
    patch.add_argument("--revert", action="store_true", help="restore the pristine tree")

    chk = sub.add_parser("check", help="apply, then `x.py check` every crate the option touches")
    chk.add_argument("--option", choices=option_names, default=DEFAULT_OPTION)
    chk.add_argument("--slots", type=_slots, default=DEFAULT_SLOTS)
    chk.add_argument("--log", type=Path, help="write the full x.py output here")

    exp = sub.add_parser("export", help="regenerate patches/option-*.patch")
    exp.add_argument("--check", action="store_true", help="fail if a committed patch is stale, write nothing")

    sub.add_parser("status", help="what the tool applied to the checkout")

    bld = sub.add_parser("build", help="apply an option, build the patched compiler, install it to dist/")
    bld.add_argument("--option", choices=option_names, default=DEFAULT_OPTION)
    bld.add_argument("--slots", type=_slots, default=DEFAULT_SLOTS)
    bld.add_argument("--host", choices=("native", "wasm"), default="native")
    bld.add_argument("--dist", type=Path, help="install here (default: dist/<host>/)")
    bld.add_argument(
        "--wasi-sdk", type=Path, help="--host wasm: use this wasi-sdk instead of Debian's clang + wasi-libc"
    )
    bld.add_argument(
        "--threads", action="store_true", help="--host wasm: the wasm32-wasip1-threads host (dist/wasm-threads/)"
    )
    bld.add_argument("--cache", choices=("sccache", "ccache"), help="--host wasm: compiler cache for C/C++")
    bld.add_argument("--until", help="--host wasm: stop after this step (see `build --host wasm --list`)")
    bld.add_argument("--list", action="store_true", help="--host wasm: list the steps and their state, build nothing")

    wm = sub.add_parser("wasm-macro", help="compile a proc-macro crate to a .wasm module")
    wm.add_argument("crate", type=Path, help="the crate's directory (with its Cargo.toml)")
    wm.add_argument("--native", action="store_true", help="build it as a native proc macro instead")
    wm.add_argument("--debug", action="store_true", help="without optimizations")
    wm.add_argument("--dist", type=Path, help="the patched compiler (default: dist/native/)")

    e2e_cmd = sub.add_parser("e2e", help="the end-to-end suite against an installed patched compiler")
    e2e_cmd.add_argument("--option", choices=option_names, default=DEFAULT_OPTION)
    e2e_cmd.add_argument("--host", choices=("native", "wasm"), default="native")
    e2e_cmd.add_argument("--dist", type=Path, help="the patched compiler (default: dist/<host>/)")
    e2e_cmd.add_argument(
        "--threads", action="store_true", help="--host wasm: through the wasm32-wasip1-threads rustc.wasm"
    )
    e2e_cmd.add_argument(
        "--engine", choices=("wasmi", "wasmtime"), help="ask every compile for this wasm proc-macro engine"
    )
    ui = sub.add_parser("ui", help="rustc's tests/ui/proc-macro through compiletest, proc macros compiled to wasm")
    ui.add_argument(
        "--option", choices=crate_options, default=DEFAULT_OPTION, help="an option whose modules are crates"
    )
    ui.add_argument("--native", action="store_true", help="native proc macros: the baseline")
    ui.add_argument("--engine", choices=("wasmi", "wasmtime"), help="ask every compile for this engine")
    ui.add_argument("--results", type=Path, help="the results file to update (default: results/ui-proc-macro.json)")
    ui.add_argument("x_args", nargs="*", help="more x.py test arguments, e.g. a test's path to run it alone")

    run = sub.add_parser(
        "crater", help="every vendored proc macro to a module, and its vendored consumers expanded both ways"
    )
    run.add_argument("crates", nargs="*", help="only these crates (names; default: all)")
    run.add_argument("--fresh", action="store_true", help="run again the cases this compiler build already ran")
    run.add_argument("--dist", type=Path, help="the patched compiler (default: dist/native/)")
    run.add_argument(
        "--guest-target", default="", help="build modules for this target instead (wasm32-unknown-unknown: as before)"
    )
    fuzz = sub.add_parser("fuzz", help="random and mutated bridge messages from a wasm macro, through each engine")
    fuzz.add_argument("--seed", type=int, default=bridge_fuzz.DEFAULT_SEED)
    fuzz.add_argument("--cases", type=int, default=bridge_fuzz.DEFAULT_CASES, help="expansions per engine")
    fuzz.add_argument(
        "--messages", type=int, default=bridge_fuzz.DEFAULT_MESSAGES, help="mutated messages per expansion"
    )
    fuzz.add_argument("--engine", choices=bridge_fuzz.ENGINES, help="one engine (default: each)")
    fuzz.add_argument("--dist", type=Path, help="the patched compiler (default: dist/native/)")

    cmp = sub.add_parser("compare", help="build and test every option in turn; writes results/compare.md (slow)")
    cmp.add_argument("--options", default=",".join(option_names), help="comma-separated (default: every option)")
    cmp.add_argument("--rebuild", action="store_true", help="rebuild compilers that exist already")

    web = sub.add_parser("web", help="serve the playground (rustc.wasm in a browser page); --check: test it")
    web.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    web.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    web.add_argument("--dist", type=Path, help="rustc.wasm's install (default: dist/wasm/)")
    web.add_argument("--check", action="store_true", help="run the browser test instead of serving (slow tier)")

    bench = sub.add_parser("bench", help="patch speed; with built compilers, expansion and rustc.wasm benchmarks")
    bench.add_argument("--only", choices=BENCHES, help="run one benchmark (default: all)")
    bench.add_argument("--dist", type=Path, help="expansion: the patched compiler (default: dist/native/)")
    bench.add_argument("--runs", type=int, default=bench_wasm_host.RUNS, help="wasm-host: runs per case")
    bench.add_argument("--rounds", type=int, default=bench_cargo.ROUNDS, help="cargo, expansion: interleaved rounds")
    return parser


def _wasm_dist(threads: bool) -> Path:
    """Where rustc.wasm is installed: dist/wasm/, or dist/wasm-threads/ for the threads host."""
    return install.dist_dir("wasm-threads" if threads else "wasm")


BENCHES = ("patch", "expansion", "cargo", "wasm-host")


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
    source = source_for(args.rust_version)
    checkout = (args.checkout or checkout_dir(args.rust_version)).resolve()
    if args.command == "checkout":
        git_source = None
        if args.git_url or args.git_tag:
            if not (args.git_url and args.git_tag):
                raise PatcherError("--git-url and --git-tag go together")
            git_source = GitSource(args.git_url, args.git_tag)
        ensure_checkout(source, checkout, git_source)
        print(f"checkout ready: {checkout} (rustc {source.version}, pristine tree at ref `upstream`)")
        return 0
    if args.command == "export":
        return export.main(checkout, check_only=args.check)
    ensure_checkout(source, checkout)
    if args.command == "compare":
        return compare.main(checkout, args.options.split(","), args.rebuild)
    if args.command == "bench":
        return _bench(checkout, args)
    if args.command == "build" and args.host == "wasm":
        request = wasm_host.Request(
            checkout, args.option, args.dist or _wasm_dist(args.threads), args.wasi_sdk, args.threads, args.cache,
            args.until, args.list,
        )  # fmt: skip
        return wasm_host.main(request)
    ws = rustc_workspace(checkout)
    if ws.recovered:
        print("note: the previous run was interrupted while writing; its changes were rolled back")
    if args.command == "status":
        print(ws.status())
        return 0
    if args.command == "patch":
        return _patch(ws, args)
    if args.command == "check":
        _report(ws.apply(args.option, args.slots), f"option {args.option}")
        crates = check.crates_touched(args.option)
        seconds = check.x_check(checkout, crates, check.files_edited(args.option), args.log)
        data = {"option": args.option, "crates": list(crates), "passed": True, "seconds": round(seconds)}
        path = write_result(f"check-option-{args.option}.json", data)
        print(f"x.py check passed for option {args.option} in {seconds:.0f} s; results in {path}")
        return 0
    if args.command == "build":
        dist = args.dist or install.dist_dir(args.host)
        _report(ws.apply(args.option, args.slots), f"option {args.option}")
        log = checkout / "build" / "logs" / f"build-{args.host}.log"
        seconds = native.build_native(checkout, args.option, args.slots, dist, log)
        print(f"built in {seconds:.0f} s; compiler: {dist / 'bin' / 'rustc'}")
        return 0
    if args.command == "ui":
        return _ui(ws, checkout, args)
    if args.command == "wasm-macro":
        compiler = install.installed(args.dist or install.dist_dir())
        if args.native or args.debug:
            out = modules.build(args.crate, compiler, checkout, wasm=not args.native, release=not args.debug)
        else:  # through the module cache, as `cargo wasm` builds modules
            cargo_args = ["--offline", *vendor.cargo_source_args(checkout / "vendor")]
            out = cargo_front.module_of_crate(args.crate.resolve(), compiler, cargo_args, modules.BUILD_DIR / "out")
        print(out)
        return 0
    if args.command == "web":
        return _web(checkout, args)
    if args.command == "e2e" and args.host == "wasm":
        dist = args.dist or _wasm_dist(args.threads)
        return e2e.main_on_wasm_host(checkout, args.option, dist, install.dist_dir("native"))
    if args.command == "crater":
        compiler = install.installed(args.dist or install.dist_dir())
        return crater.main(compiler, checkout, args.crates, args.fresh, args.guest_target)
    if args.command == "fuzz":
        compiler = install.installed(args.dist or install.dist_dir())
        engines = (args.engine,) if args.engine else bridge_fuzz.ENGINES
        return bridge_fuzz.main(compiler, checkout, args.seed, args.cases, args.messages, engines)
    if args.command == "e2e":
        compiler = install.installed(args.dist or install.dist_dir(args.host))
        return e2e.main(compiler, checkout, args.option, args.host, engine=args.engine)
    raise AssertionError(args.command)


def _bench(checkout: Path, args: argparse.Namespace) -> int:
    """The benchmarks; those whose compiler is not built say so and are skipped."""
    runs = {
        "patch": lambda: bench_patch.main(checkout),
        "expansion": lambda: bench_expansion.main(checkout, args.dist or install.dist_dir(), args.rounds),
        "cargo": lambda: bench_cargo.main(checkout, args.dist or install.dist_dir(), args.rounds),
        "wasm-host": lambda: bench_wasm_host.main(checkout, args.runs),
    }
    codes = [runs[name]() for name in ([args.only] if args.only else BENCHES)]
    return max(codes)


def _web(checkout: Path, args: argparse.Namespace) -> int:
    from patcher.web import browser, server, site

    wasm = install.installed(args.dist or install.dist_dir("wasm"))
    native = install.installed(install.dist_dir("native"))
    if args.check:
        return browser.check(wasm, native, checkout)
    server.serve(site.build_site(wasm, native, checkout), args.host, args.port)
    return 0


def _ui(ws: Workspace, checkout: Path, args: argparse.Namespace) -> int:
    """Build (or resume) the option's compiler, then run the suite through compiletest."""
    _report(ws.apply(args.option, DEFAULT_SLOTS), f"option {args.option}")
    native.build_native(
        checkout, args.option, DEFAULT_SLOTS, install.dist_dir(), checkout / "build" / "logs" / "build-native.log"
    )
    mode = ui_suite.mode_of(args.native, args.engine)
    log = ui_suite.LOG_DIR / f"{mode}.log"
    wasmtime = install.dist_dir() / WASMTIME_LIBRARY_IN_SYSROOT
    run = ui_suite.run_suite(checkout, args.native, log, args.x_args, args.engine, wasmtime)
    if not args.x_args:  # a partial run is not the suite's result
        print(f"results: {ui_suite.write_results(run, args.results)}")
    print(ui_suite.report(run))
    problems = run.problems(whole_suite=not args.x_args)
    for problem in problems:
        print(f"problem: {problem}")
    return 1 if problems else 0


def _patch(ws: Workspace, args: argparse.Namespace) -> int:
    if args.revert:
        _report(ws.revert(), "revert")
        return 0
    if args.dry_run:
        diff = ws.dry_run(args.option, args.slots)
        sys.stdout.write(diff or f"option {args.option} is already applied: nothing would change\n")
        return 0
    _report(ws.apply(args.option, args.slots), f"option {args.option}, {args.slots} slots per kind")
    return 0


def _report(outcome: ApplyReport, what: str) -> None:
    if not outcome.changed:
        print(
            f"{what}: already applied, nothing to do ({len(outcome.unchanged)} files checked, {outcome.seconds:.2f} s)"
        )
        return
    print(f"{what}: {len(outcome.changed)} file(s) written in {outcome.seconds:.2f} s")
    for rel in outcome.changed:
        print(f"  {rel}")
