"""`patches/option-<name>.patch`: `git diff upstream` of each option's result, and
`patches/llvm-wasi.patch`: the LLVM porting patches against the pristine LLVM sources.

Computed without touching the working tree: the patched files are written as blobs
into the checkout's object store, a tree is built in a temporary index, and git diffs
it against `upstream`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import git

from patcher import doc_blocks
from patcher.engine.plan import make_plan, report_findings, unified_diff
from patcher.engine.render import render_template
from patcher.engine.tree import UPSTREAM_REF, upstream_reader
from patcher.llvm.patchset import SOURCE_DIRS, llvm_edits
from patcher.paths import PATCHES_DIR, REPO_ROOT
from patcher.process import run_checked
from patcher.provision.checkout import open_repo
from patcher.provision.llvm_source import pristine_reader
from patcher.rustc.options import names
from patcher.rustc.patchset import DEFAULT_SLOTS, context, edits_for

CONFIG_LLVM = REPO_ROOT / "config.llvm.toml"


def render_config_llvm() -> str:
    """config.llvm.toml: the bootstrap config for the WebAssembly-host build."""
    return render_template(
        "config.llvm.toml.j2",
        wasm_host="wasm32-wasip1-threads",
        wasm_target="wasm32-wasip1",
        llvm_targets="WebAssembly",
        linker="${WASI_SDK_PATH}/bin/clang-wasm-wrapper",
        wasi_root="${WASI_SDK_PATH}/share/wasi-sysroot",
    )


def patch_path(option: str, directory: Path = PATCHES_DIR) -> Path:
    return directory / f"option-{option}.patch"


def export_option(repo: git.Repo, option: str, directory: Path) -> Path:
    """Write the patch of one option into `directory`; its path."""
    path = patch_path(option, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(diff_for(repo, option))
    return path


def tree_for(repo: git.Repo, option: str, slots: int = DEFAULT_SLOTS) -> str:
    """The sha of the tree `upstream` + option's patch set."""
    plan = make_plan(edits_for(option), upstream_reader(repo), context(option, slots))
    if plan.findings:
        raise report_findings(plan.findings, f"export of option {option}")
    cwd = repo.working_dir
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(tmp) / "index")}
        _git(cwd, env, "read-tree", UPSTREAM_REF)
        entries = [
            f"100644 {_git(cwd, env, 'hash-object', '-w', '--stdin', data=data)}\t{rel}"
            for rel, data in sorted(plan.patched.items())
        ]
        _git(cwd, env, "update-index", "--index-info", data=("\n".join(entries) + "\n").encode())
        return _git(cwd, env, "write-tree")


def _git(cwd: str | os.PathLike[str], env: dict[str, str], *args: str, data: bytes | None = None) -> str:
    return run_checked(["git", *args], f"git {args[0]}", cwd, env, input=data).strip()


def diff_for(repo: git.Repo, option: str) -> str:
    tree = tree_for(repo, option)
    text: str = repo.git.diff(
        UPSTREAM_REF, tree, "--no-color", "--no-ext-diff", "--full-index", "--no-renames", strip_newline_in_stdout=False
    )
    return text


def main(checkout: Path, check_only: bool, given: Mapping[str, str]) -> int:
    """Patches, config.llvm.toml and the docs' generated blocks (`given`: those the
    caller makes, e.g. the command reference)."""
    repo = open_repo(checkout)
    stale = []
    if not CONFIG_LLVM.exists() or CONFIG_LLVM.read_text() != render_config_llvm():
        stale.append(CONFIG_LLVM.name)
        if not check_only:
            CONFIG_LLVM.write_text(render_config_llvm())
    generated = [(patch_path(option), lambda option=option: diff_for(repo, option)) for option in names()]
    for path, make in [*generated, (LLVM_PATCH, llvm_diff)]:
        text = make()
        if path.exists() and path.read_text() == text:
            continue
        stale.append(path.name)
        if not check_only:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    stale += [
        f"{path.relative_to(REPO_ROOT)}'s generated blocks" for path in doc_blocks.update(check_only, given=given)
    ]
    if check_only and stale:
        print(f"stale: {', '.join(stale)}; run `nox -s export`")
        return 1
    print("patches and generated docs current" if not stale else f"wrote {', '.join(stale)}")
    return 0


LLVM_PATCH = PATCHES_DIR / "llvm-wasi.patch"


def llvm_diff() -> str:
    """The LLVM porting patches as a unified diff against the pristine LLVM sources."""
    read = pristine_reader(SOURCE_DIRS)
    plan = make_plan(llvm_edits(), read, {})
    if plan.findings:
        raise report_findings(plan.findings, "export of the LLVM porting patches")
    return "".join(unified_diff(rel, plan.pristine[rel], data) for rel, data in sorted(plan.patched.items()))
