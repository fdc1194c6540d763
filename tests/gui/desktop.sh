#!/usr/bin/env bash
# A private headless desktop for one test run: Xvfb, a D-Bus session, an unlocked
# gnome-keyring, a notification server and a tray watcher that record what they see.
#   bash tests/gui/desktop.sh CMD...     (CMD sees DISPLAY, RUN_DIR and the bus)
set -euo pipefail
if [ -z "${PRESENTLY_PRIVATE_BUS:-}" ]; then
  export PRESENTLY_PRIVATE_BUS=1
  exec dbus-run-session -- bash "$0" "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
PY=${PY:-python3}
export RUN_DIR=${RUN_DIR:-$(mktemp -d /tmp/presently-gui.XXXXXX)}
mkdir -p "$RUN_DIR/xdg" "$RUN_DIR/data"
chmod 700 "$RUN_DIR/xdg"
export XDG_RUNTIME_DIR=$RUN_DIR/xdg XDG_DATA_HOME=$RUN_DIR/data
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

# Xvfb picks a free display number and writes it to fd 3 once it accepts connections.
exec 3> "$RUN_DIR/display"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp >"$RUN_DIR/xvfb.log" 2>&1 & pids+=($!)
exec 3>&-
for _ in $(seq 200); do [ -s "$RUN_DIR/display" ] && break; sleep 0.05; done
[ -s "$RUN_DIR/display" ] || { echo "Xvfb did not start" >&2; cat "$RUN_DIR/xvfb.log" >&2; exit 1; }
export DISPLAY=:$(head -n1 "$RUN_DIR/display")

printf 'presently-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null

"$PY" "$here/fake_notifyd.py" "$RUN_DIR/notifications.jsonl" >"$RUN_DIR/notifyd.log" 2>&1 & pids+=($!)
"$PY" "$here/fake_watcher.py" "$RUN_DIR/tray.jsonl" >"$RUN_DIR/watcher.log" 2>&1 & pids+=($!)
# Both print "ready" once their bus names are owned.
for log in notifyd watcher; do
  for _ in $(seq 100); do grep -q ready "$RUN_DIR/$log.log" 2>/dev/null && break; sleep 0.05; done
  grep -q ready "$RUN_DIR/$log.log" || { echo "$log did not start" >&2; cat "$RUN_DIR/$log.log" >&2; exit 1; }
done
"$@"
