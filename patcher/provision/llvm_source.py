"""LLVM's sources for the WASI host: Debian's llvm-toolchain-22 orig tarball, unpacked
(only the parts the build needs) into a git repository whose ref `upstream` is the
pristine tree, exactly like the rustc checkout, so the LLVM porting patches are
applied, checked and reverted by the same engine."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import git

from patcher.errors import PatcherError
from patcher.paths import cache_dir
from patcher.pins import LLVM
from patcher.process import run_checked
from patcher.provision import download
from patcher.provision.checkout import commit_pristine, provisioned_version

LLVM_VERSION = LLVM.version
LLVM_TARBALL = LLVM.source
LLVM_SOURCE_PACKAGE = LLVM.source_package
TOP_DIR = LLVM.top_dir
# What the WASI host build reads: LLVM itself, its cmake modules, the C++ runtimes
# (libc++ with threads for the Debian route), and lld for a later in-process linker.
PARTS = ("llvm", "cmake", "third-party", "libcxx", "libcxxabi", "libunwind", "runtimes", "libc", "lld")
EXCLUDES = ("*.rwpm-new", "*.rwpm-old")


def fetch_tarball() -> Path:
    """The cached orig tarball, downloaded through apt's idea of the archive if missing."""
    return download.fetch_one(LLVM_TARBALL, LLVM_SOURCE_PACKAGE)


def ensure_llvm_source(root: Path) -> git.Repo:
    """Provision `root` with LLVM's pristine sources unless it already holds them."""
    have = provisioned_version(root)
    if have == f"llvm {LLVM_VERSION}":
        return git.Repo(root)
    if have is not None or (root.exists() and any(root.iterdir())):
        raise PatcherError(
            f"{root} exists and is not LLVM {LLVM_VERSION} sources this tool provisioned; "
            "move it away or delete it, then rerun."
        )
    tarball = fetch_tarball()
    root.mkdir(parents=True, exist_ok=True)
    print(f"unpacking {', '.join(PARTS)} from {tarball.name} (about 1.6 GiB)", flush=True)
    members = [f"{TOP_DIR}/{part}" for part in PARTS]
    run_checked(["tar", "-xJf", str(tarball), "--strip-components=1", "-C", str(root), *members], "tar")
    return commit_upstream(root)


def commit_upstream(root: Path) -> git.Repo:
    print("recording the pristine LLVM tree as ref `upstream` (git add takes a few minutes)", flush=True)
    origin = f"Debian {LLVM_TARBALL.filename}"
    message = f"upstream: LLVM {LLVM_VERSION} ({origin})"
    return commit_pristine(root, EXCLUDES, message, {"version": f"llvm {LLVM_VERSION}", "origin": origin})


def pristine_reader(dirs: tuple[str, ...]) -> Callable[[str], bytes | None]:
    """Read pristine LLVM files without a full source tree: the directories `dirs` are
    extracted once from the cached tarball (tens of seconds) into the cache. For the
    patch export and the fast tests; the build uses the git tree of ensure_llvm_source."""
    root = cache_dir() / "llvm-pristine" / LLVM_TARBALL.sha256[:16]
    stamp = root / ".extracted"
    wanted = "\n".join(sorted(dirs))
    if not stamp.exists() or stamp.read_text() != wanted:
        tarball = fetch_tarball()
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        members = [f"{TOP_DIR}/{d}" for d in dirs]
        run_checked(["tar", "-xJf", str(tarball), "--strip-components=1", "-C", str(root), *members], "tar")
        stamp.write_text(wanted)

    def read(rel: str) -> bytes | None:
        if not any(rel.startswith(d + "/") for d in dirs):
            raise PatcherError(f"{rel} is outside the extracted directories {dirs}: add its directory")
        path = root / rel
        return path.read_bytes() if path.is_file() else None

    return read
