#!/usr/bin/env bash
# The .deb as a user gets it: built by scripts/package.sh (debug, to stay quick), unpacked
# into a scratch root with dpkg -x, then the installed `presently --version` is run and the
# installed tray app is started on the private desktop until it says it is ready.
# Run inside tests/gui/desktop.sh.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
deb=$(bash "$repo/scripts/package.sh" --debug 2>"$RUN_DIR/package.log" | grep '\.deb$') || {
  echo "packaging failed:" >&2; tail -20 "$RUN_DIR/package.log" >&2; exit 1; }
rpm=$(ls "$(dirname "$deb")/../rpm/"*.rpm)
root=$(mktemp -d)
trap 'kill "${tray:-0}" 2>/dev/null || true; rm -rf "$root"' EXIT
dpkg -x "$deb" "$root"

contents=$(dpkg -c "$deb")
for path in usr/bin/presently-tray usr/bin/presently usr/share/applications/ usr/share/icons/; do
  grep -qE " (\./)?$path" <<<"$contents" || { echo "the .deb lacks $path" >&2; exit 1; }
done
desktop=$(ls "$root"/usr/share/applications/*.desktop)
grep -q '^Exec=presently-tray' "$desktop" || { echo "the desktop entry does not start presently-tray: $(cat "$desktop")" >&2; exit 1; }
[ -s "$rpm" ] || { echo "no .rpm was built" >&2; exit 1; }
echo "ok: the .deb holds the tray app, the presently command, a desktop entry and icons; an .rpm was built"

version=$("$root/usr/bin/presently" --version)
[ "$version" = "presently $(grep -m1 '^version' "$repo/Cargo.toml" | cut -d'"' -f2)" ] || {
  echo "unexpected version: $version" >&2; exit 1; }
echo "ok: the installed presently --version says $version"

config=$(mktemp -d)
events="$RUN_DIR/installed-events.log"
PRESENTLY_CONFIG_DIR=$config PRESENTLY_EVENTS_LOG=$events "$root/usr/bin/presently-tray" \
  >"$RUN_DIR/installed-tray.log" 2>&1 &
tray=$!
for _ in $(seq 600); do
  grep -qx ready "$events" 2>/dev/null && break
  kill -0 "$tray" 2>/dev/null || { echo "the installed tray app ended:" >&2; cat "$RUN_DIR/installed-tray.log" >&2; exit 1; }
  sleep 0.1
done
grep -qx ready "$events" || { echo "the installed tray app never got ready" >&2; exit 1; }
echo "ok: the installed tray app starts under Xvfb"
