"""The release (`nox -s dist`): cargo wasm runs standalone, install.sh checks what it
installs and where, and cargo wasm chains the user's own rustc wrapper (sccache).
The whole route, from a real tarball into an empty prefix, is the slow test at the end."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from patcher import code
from patcher.build.install import INSTALL_MARKER, Installed, installed
from patcher.cargo import front, wrapper
from patcher.cargo.plan import WrapperPlan
from patcher.engine.render import render_template
from patcher.environment import DIST_ENV, USER_WRAPPER_ENV
from patcher.paths import REPO_ROOT, dist_dir
from patcher.process import capture
from patcher.provision.download import sha256_of
from patcher.release import toolchain, trial

HOST = "x86_64-unknown-linux-gnu"
SYSTEM_PYTHON = "/usr/bin/python3"


# -- cargo wasm, standalone ----------------------------------------------------------------------
def test_cargo_wasm_needs_only_the_standard_library(tmp_path: Path) -> None:
    """Every module the release copies for cargo wasm (those its command and wrapper import,
    function-level imports included) imports nothing outside the standard library: they
    all load under the system's python3 with no site packages."""
    names = []
    for source in code.module_files(*toolchain.CARGO_WASM_MODULES):
        rel = source.relative_to(REPO_ROOT)
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, tmp_path / rel)
        names.append(".".join(rel.with_suffix("").parts).removesuffix(".__init__"))
    assert "patcher.rustc.options" not in names and "patcher.engine.edits" not in names
    probe = (
        "import importlib, sys; sys.path.insert(0, sys.argv[1])\n"
        "for name in sys.argv[2:]: importlib.import_module(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names) - {'patcher', '__main__'}))"
    )
    ran = capture([SYSTEM_PYTHON, "-S", "-E", "-c", probe, str(tmp_path), *names])
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "[]"


def test_cargo_wasm_refuses_a_toolchain_without_wasm_support(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = tmp_path / "stable"
    (plain / "bin").mkdir(parents=True)
    (plain / "bin" / "rustc").write_text("")
    monkeypatch.setenv(DIST_ENV, str(plain))
    with pytest.raises(Exception, match=r"without wasm proc-macro support .* point RUSTC_WASM_DIST at"):
        front.make_route(["build"], False, frozenset())


# -- the user's own rustc wrapper, chained -------------------------------------------------------
def test_the_users_wrapper_comes_from_the_environment_or_cargo_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("RUSTC_WRAPPER", "CARGO_BUILD_RUSTC_WRAPPER"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("CARGO_HOME", str(tmp_path / "home"))
    project = tmp_path / "project" / "crate"
    project.mkdir(parents=True)
    assert front.user_wrapper(project) is None
    (tmp_path / "project" / ".cargo").mkdir()
    (tmp_path / "project" / ".cargo" / "config.toml").write_text('[build]\nrustc-wrapper = "tools/cache"\n')
    assert front.user_wrapper(project) == str(tmp_path / "project" / "tools/cache")  # relative to the config
    (project / ".cargo").mkdir()
    (project / ".cargo" / "config.toml").write_text('[build]\nrustc-wrapper = "sccache"\n')
    assert front.user_wrapper(project) == "sccache"  # the nearest configuration; a bare name: PATH
    monkeypatch.setenv("CARGO_BUILD_RUSTC_WRAPPER", "/opt/cache")
    assert front.user_wrapper(project) == "/opt/cache"  # the environment before configuration
    monkeypatch.setenv("RUSTC_WRAPPER", "")
    assert front.user_wrapper(project) is None  # empty: no wrapper, as for cargo
    monkeypatch.setenv("RUSTC_WRAPPER", str(tmp_path / "work" / f"{front.WRAPPER_NAME}-0123"))
    assert front.user_wrapper(project) is None  # cargo wasm's own, inherited by a module build


def test_the_wrapper_compiles_through_the_users_wrapper(tmp_path: Path) -> None:
    """A crate cargo wasm compiles goes through the user's wrapper with the command it
    would get natively (rustc, then rustc's arguments)."""
    log = tmp_path / "calls"
    user = tmp_path / "cache-wrapper"
    user.write_text(f'#!/bin/sh\necho "$@" > {log}\necho "$RUSTC_PROC_MACRO_WASM_ONLY" >> {log}\n')
    user.chmod(user.stat().st_mode | stat.S_IEXEC)
    plan = WrapperPlan(True, ("lib", ".so")).write(tmp_path / "plan.json")
    args = ["--crate-name", "app", "--edition=2021", "src/main.rs", "--crate-type", "bin", "-C", "metadata=0"]
    env = {"RUSTC_WASM_PLAN": str(plan), "CARGO_MANIFEST_DIR": str(tmp_path), USER_WRAPPER_ENV: str(user)}
    ran = capture([sys.executable, "-S", "-E", wrapper.__file__, "/opt/rustc", *args], env=env)
    assert ran.returncode == 0, ran.stderr
    assert log.read_text().splitlines() == [" ".join(["/opt/rustc", *args]), "1"]  # strict reaches rustc


# -- install.sh on a small toolchain of its own --------------------------------------------------
def _release_tree(tmp_path: Path, build_id: str = "0123456789abcdef") -> Path:
    """A release directory as make_release lays it out, around a stand-in compiler."""
    root = tmp_path / "release"
    bin_dir = root / "toolchain" / "bin"
    bin_dir.mkdir(parents=True)
    (root / "toolchain" / "lib" / "rustlib" / HOST / "bin").mkdir(parents=True)
    (bin_dir / "rustc").write_text("#!/bin/sh\necho 'rustc 1.95.0 (rustc-wasm-proc-macros)'\n")
    (bin_dir / "rustc").chmod(0o755)
    marker = {"option": "c", "slots": 64, "host": HOST, "build_id": build_id}
    (root / "toolchain" / INSTALL_MARKER).write_text(json.dumps(marker) + "\n")
    files = sorted(p for p in (root / "toolchain").rglob("*") if p.is_file())
    sums = [f"{sha256_of(p)}  {p.relative_to(root / 'toolchain')}\n" for p in files]
    (root / "SHA256SUMS").write_text("".join(sums))
    compiler = Installed(root / "toolchain", "c", 64, build_id, HOST)
    (root / "install.sh").write_text(toolchain._install_script("rustc-wasm-proc-macros-test", compiler))
    (root / "install.sh").chmod(0o755)
    return root


def _install(release: Path, prefix: Path, *more: str) -> subprocess.CompletedProcess[str]:
    return capture(["sh", str(release / "install.sh"), "--prefix", str(prefix), *more])


def test_install_checks_files_and_links_the_systems_lld(tmp_path: Path) -> None:
    release, prefix = _release_tree(tmp_path), tmp_path / "prefix"
    done = _install(release, prefix)
    assert done.returncode == 0, done.stderr
    assert (prefix / "bin" / "rustc").is_file()
    lld = prefix / "lib" / "rustlib" / HOST / "bin" / "rust-lld"
    assert lld.is_symlink() and Path(os.readlink(lld)).name in ("lld", "ld.lld-22")
    assert f"put {prefix}/bin on PATH" in done.stdout and "--rustup NAME" in done.stdout
    again = _install(release, prefix)
    assert again.returncode == 0 and "installed in" in again.stdout and "already" in again.stdout


def test_install_refuses_a_damaged_file(tmp_path: Path) -> None:
    release = _release_tree(tmp_path)
    (release / "toolchain" / "bin" / "rustc").write_text("#!/bin/sh\necho tampered\n")
    done = _install(release, tmp_path / "prefix")
    assert done.returncode == 1
    assert "differ from SHA256SUMS" in done.stderr and "bin/rustc: FAILED" in done.stderr
    assert not (tmp_path / "prefix").exists()


def test_install_refuses_another_toolchains_prefix(tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    assert _install(_release_tree(tmp_path / "old", "1111111111111111"), prefix).returncode == 0
    release = _release_tree(tmp_path / "new", "2222222222222222")
    refused = _install(release, prefix)
    assert refused.returncode == 1
    assert "holds another toolchain (build 1111111111111111, this is 2222222222222222)" in refused.stderr
    assert json.loads((prefix / INSTALL_MARKER).read_text())["build_id"] == "1111111111111111"  # untouched
    assert _install(release, prefix, "--force").returncode == 0
    assert json.loads((prefix / INSTALL_MARKER).read_text())["build_id"] == "2222222222222222"
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    busy = _install(release, tmp_path / "busy")
    assert busy.returncode == 1 and "is not empty" in busy.stderr


# -- the whole route, as a new user --------------------------------------------------------------
@pytest.mark.slow
def test_a_new_user_installs_the_release_and_builds_with_it(tmp_path: Path, checkout: Path) -> None:
    """`nox -s dist`, then on a "machine" with an empty HOME: install.sh into an empty prefix
    with `--rustup wasm-pm`, `cargo +wasm-pm wasm --strict build` of e2e/workspace behaving
    as the native build; sccache chained (hits on a second clean build); a second machine,
    without rustup, whose copied module cache gives only hits (patcher/release/trial.py)."""
    figures = trial.try_release(installed(dist_dir()), checkout / "vendor", tmp_path / "trial")
    assert figures["sccache hits"] > 0
    print("\n".join(f"{name}: {value}" for name, value in figures.items()))


def test_cargo_wasm_in_rustups_bin_uses_the_toolchain_cargo_runs_with(tmp_path: Path) -> None:
    """The cargo-wasm that `install.sh --rustup` puts in rustup's bin/ asks `rustc` (rustup's
    proxy, honouring `cargo +NAME`) for its sysroot: a toolchain without wasm support is
    named in a clear error, one with it is used."""
    script = tmp_path / "cargo-home" / "bin" / "cargo-wasm"
    script.parent.mkdir(parents=True)
    script.write_text(
        render_template("release/cargo-wasm.sh.j2", python_dir=toolchain.PYTHON_DIR, marker=INSTALL_MARKER)
    )
    stable = tmp_path / "stable"
    (stable / "bin").mkdir(parents=True)
    fake_rustc = tmp_path / "proxy" / "rustc"
    fake_rustc.parent.mkdir()
    fake_rustc.write_text(f"#!/bin/sh\necho {stable}\n")
    fake_rustc.chmod(0o755)
    env = {"PATH": f"{fake_rustc.parent}:/usr/bin:/bin", "RUSTUP_TOOLCHAIN": "stable"}
    refused = capture(["sh", str(script), "build"], env=env)
    assert refused.returncode == 1
    assert f"the toolchain at {stable} (stable) has no wasm proc-macro support" in refused.stderr
    # a rustc-wasm-proc-macros toolchain: its own launcher's Python runs
    (stable / INSTALL_MARKER).write_text("{}")
    (stable / "bin" / "cargo-wasm").write_text("")
    (stable / "bin" / "cargo-wasm").chmod(0o755)
    entry = stable / toolchain.PYTHON_DIR / "cargo_wasm.py"
    entry.parent.mkdir(parents=True)
    entry.write_text("import os, sys; print(os.environ['RUSTC_WASM_DIST'], sys.argv[1:])\n")
    used = capture(["sh", str(script), "build"], env=env)
    assert used.returncode == 0, used.stderr
    assert used.stdout.strip() == f"{stable} ['build']"
