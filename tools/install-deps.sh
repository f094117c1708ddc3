#!/usr/bin/env bash
# Everything the tool needs on a fresh Debian 12 machine of this project's kind:
# apt sources for Debian's rustc source package, LLVM 22 (bootstrap's llvm-config),
# and the pinned Python packages. Idempotent.
# With --wasm-host, also what `build --host wasm` needs: clang-22 and compiler-rt for
# wasm32, wasi-libc (sid), cmake and ninja, ccache/sccache, and the wasmtime CLI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
wasm_host=no
[ "${1:-}" = "--wasm-host" ] && wasm_host=yes

bash "$here/setup-apt.sh"
need=()
for pkg in llvm-22-dev llvm-22-tools lld-22 git patch xz-utils; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
# The wasmi interpreter and its dependencies, as crate sources (vendored into the checkout).
if ! dpkg-query -W -f='${Status}' librust-wasmi-dev 2>/dev/null | grep -q "install ok installed"; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t sid librust-wasmi-dev
fi
if [ "$wasm_host" = yes ]; then
    need=()
    for pkg in clang-22 lld-22 llvm-22-tools libclang-rt-22-dev-wasm32 cmake ninja-build ccache sccache; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
    done
    if [ ${#need[@]} -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
    fi
    # bookworm's wasi-libc is from 2022 (no pthread stubs): take sid's, which has no dependencies.
    if [ ! -f /usr/include/wasm32-wasi/pthread.h ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wasi-libc/sid
    fi
    python3 -m pip install -q -e "$here/..[dev,wasm-host]"
    exit 0
fi
python3 -m pip install -q -e "$here/..[dev]"
