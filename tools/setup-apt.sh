#!/usr/bin/env bash
# Configure apt so the tool can fetch what it needs from Debian's archive:
#   - deb-src entries for sid (the rustc source packages live there),
#   - sid and trixie binary suites at low pin priority (only asked for explicitly).
# The archive URI is reused from the machine's existing entry, never hard-coded.
# Idempotent: rerunning changes nothing once configured.
set -euo pipefail

src_list=/etc/apt/sources.list.d/rustc-wasm-proc-macros.sources
prefs=/etc/apt/preferences.d/rustc-wasm-proc-macros.pref

debian_uri=$(awk '/^URIs:/ && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
if [ -z "$debian_uri" ]; then
    debian_uri=$(awk '$1=="deb" && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
fi
if [ -z "$debian_uri" ]; then
    echo "setup-apt: no Debian archive entry found in /etc/apt/sources.list*;" >&2
    echo "  expected a 'URIs: <mirror>/debian' line to reuse for sid and trixie." >&2
    exit 1
fi

want=$(cat <<SRC
Types: deb deb-src
URIs: $debian_uri
Suites: sid trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
)
want_prefs=$(cat <<PREF
Package: *
Pin: release n=sid
Pin-Priority: 50

Package: *
Pin: release n=trixie
Pin-Priority: 100
PREF
)

changed=0
if [ "$(cat "$src_list" 2>/dev/null)" != "$want" ]; then
    printf '%s\n' "$want" > "$src_list"; changed=1
fi
if [ "$(cat "$prefs" 2>/dev/null)" != "$want_prefs" ]; then
    printf '%s\n' "$want_prefs" > "$prefs"; changed=1
fi
stamp=/var/lib/apt/lists/.rustc-wasm-proc-macros-updated
if [ "$changed" = 1 ] || [ ! -e "$stamp" ]; then
    apt-get update -qq
    touch "$stamp"
fi
