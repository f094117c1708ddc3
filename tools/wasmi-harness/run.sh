#!/usr/bin/env bash
# The interpreter measured on its own (docs/expansion-speed.md): wasmi 1.1.0 from the
# rustc checkout's vendor/, configured as the compiler's runtime crate, running a syn +
# quote workload (guest/) compiled by the patched compiler, against the same code
# compiled natively. Prints the best of 5 runs per variant. Needs dist/native (nox -s build).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/../.." && pwd)
out=${OUT:-$repo/build/wasmi-harness}; mkdir -p "$out"
vendor=(--config "source.crates-io.replace-with='v'" --config "source.v.directory='$repo/rust-checkout/vendor'" --offline)
cargo=$("$repo/.venv/bin/python" -c 'from patcher.cargo.modules import cargo; print(cargo())')
# the profile modules are built with (GUEST_PROFILE), as VAR=value words
guest_profile=$("$repo/.venv/bin/python" -c 'from patcher.cargo.modules import GUEST_PROFILE as p; print(*(f"{k}={v}" for k, v in p.items()))')
wasm() { # name, extra env...: the guest for wasm32-unknown-unknown
    local name=$1; shift
    env "$@" RUSTC="$repo/dist/native/bin/rustc" "$cargo" build "${vendor[@]}" -q --release --lib \
        --manifest-path "$here/guest/Cargo.toml" --target wasm32-unknown-unknown --target-dir "$out/guest-$name" ${FEATURES:-}
    cp "$out/guest-$name/wasm32-unknown-unknown/release/guest.wasm" "$out/$name.wasm"
}
wasm release
wasm lto $guest_profile
FEATURES="--features bump" wasm lto-bump $guest_profile
"$cargo" build "${vendor[@]}" -q --release --manifest-path "$here/guest/Cargo.toml" --bin guest-native --target-dir "$out/native"
for profile in release cgu1; do
    "$cargo" build "${vendor[@]}" -q --profile $profile --manifest-path "$here/host/Cargo.toml" --target-dir "$out/host"
done
best() { local b=999; for _ in 1 2 3 4 5; do b=$("$@" | awk -v b="$b" '{print ($3 < b ? $3 : b)}'); done; echo "$b"; }
n=${N:-300}  # structs the workload parses and expands
echo "native (rustc -O):                         $(best "$out/native/release/guest-native" $n) s"
for guest in release lto lto-bump; do
    # the guest's instructions, as fuel counts them: the same whatever wasmi's build
    echo "guest $guest: $("$out/host/release/host" "$out/$guest.wasm" $n fuel lazy-translation | awk '{print $7}') fuel units"
    for host in release cgu1; do
        for fuel in fuel nofuel; do
            echo "  wasmi $host, $fuel: $(best "$out/host/$host/host" "$out/$guest.wasm" $n $fuel lazy-translation) s"
        done
    done
done
