#!/usr/bin/env bash
# Everything the tool needs on a fresh Debian 12 machine of this project's kind:
# apt sources for Debian's rustc source package, LLVM 22 (bootstrap's llvm-config),
# and the pinned Python packages. Idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

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
python3 -m pip install -q -e "$here/..[dev]"
