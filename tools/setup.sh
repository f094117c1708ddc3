#!/usr/bin/env bash
# The set-up on a fresh Debian 12 machine (root), then the main job's first step:
#   1. apt: sources for Debian's rustc source package (tools/setup-apt.sh), LLVM 22, lld,
#      sccache (the release test chains it), the interpreter's crates, python3-venv when `python3 -m venv` cannot work;
#      --wasm-host: also clang-22, compiler-rt for wasm32, wasi-libc (sid), cmake, ninja,
#      ccache and sccache (what `build --host wasm` needs); --web: Debian's chromium (the
#      playground's browser test);
#   2. .venv/: a virtual environment with the Python tools of requirements.lock (every
#      file's hash checked) and this tool, editable, without other dependencies;
#   3. stage0: Rust 1.95.0 (by version; rustup installs it when no toolchain has it);
#   4. --web: the playground's npm packages (web/package-lock.json: the WASI shim), `npm ci`;
#   5. `.venv/bin/nox -s checkout` (skipped with --no-checkout).
# Idempotent: on a machine that has everything, it installs nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
wasm_host=no
web=no
checkout=yes
for arg in "$@"; do
    case "$arg" in
        --wasm-host) wasm_host=yes ;;
        --web) web=yes ;;
        --no-checkout) checkout=no ;;
        *) echo "usage: bash tools/setup.sh [--wasm-host] [--web] [--no-checkout]" >&2; exit 2 ;;
    esac
done

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
apt_install() {  # packages not installed yet, from the default suite (extra args first)
    local opts=() need=()
    while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do opts+=("$1" "$2"); shift 2; done
    for pkg in "$@"; do installed "${pkg%/*}" || need+=("$pkg"); done
    if [ ${#need[@]} -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${opts[@]}" "${need[@]}"
    fi
}

# -- 1. system packages ------------------------------------------------------------------
bash "$root/tools/setup-apt.sh"
apt_install llvm-22-dev llvm-22-tools lld-22 git patch xz-utils ca-certificates curl sccache
# The wasmi interpreter and its dependencies, as crate sources (vendored into the checkout).
apt_install -t sid librust-wasmi-dev
if [ "$wasm_host" = yes ]; then
    apt_install clang-22 lld-22 llvm-22-tools libclang-rt-22-dev-wasm32 cmake ninja-build ccache sccache
    # bookworm's wasi-libc is from 2022 (no pthread stubs): take sid's, which has no dependencies.
    [ -f /usr/include/wasm32-wasi/pthread.h ] || apt_install wasi-libc/sid
fi
if [ "$web" = yes ]; then
    apt_install chromium
    command -v npm >/dev/null || apt_install npm
fi

# -- 2. the virtual environment --------------------------------------------------------------
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    rm -rf "$venv"
    if ! python3 -m venv "$venv" 2>/dev/null; then
        # Debian's python3 has no venv/ensurepip until python3-venv is installed
        rm -rf "$venv"
        apt_install python3-venv
        python3 -m venv "$venv"
    fi
fi
"$venv/bin/python" -m pip install -q --require-hashes -r "$root/requirements.lock"
"$venv/bin/python" -m pip install -q --no-deps --no-build-isolation -e "$root"

# -- 3. stage0: Rust 1.95.0 --------------------------------------------------------------------
stage0() { "$venv/bin/python" -c 'from patcher.provision.stage0 import stage0_rustc; print(stage0_rustc())'; }
if ! stage0 >/dev/null 2>&1; then
    version=$("$venv/bin/python" -c 'from patcher.provision.stage0 import STAGE0_VERSION; print(STAGE0_VERSION)')
    if command -v rustup >/dev/null; then
        rustup toolchain install "$version" --profile minimal
    else
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain "$version"
        export PATH="$HOME/.cargo/bin:$PATH"
    fi
fi
echo "stage0: $(stage0)"  # refuses with what it found when there is still no Rust $version

# -- 4. the playground's npm packages -----------------------------------------------------------
if [ "$web" = yes ]; then
    npm ci --prefix "$root/web" --no-audit --no-fund
fi

# -- 5. the main job's first step ----------------------------------------------------------------
if [ "$checkout" = yes ]; then
    cd "$root"
    "$venv/bin/nox" -s checkout
fi
