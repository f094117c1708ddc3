#!/usr/bin/env bash
# The dependencies without the checkout: tools/setup.sh --no-checkout (see there);
# --wasm-host also installs what `build --host wasm` needs, --web the playground's browser and npm packages.
set -euo pipefail
exec bash "$(cd "$(dirname "$0")" && pwd)/setup.sh" --no-checkout "$@"
