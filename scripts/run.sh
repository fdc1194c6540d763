#!/usr/bin/env bash
# Sets up and starts Presently: the tray app with your accounts, or, when you have none
# yet, the demo against local stand-ins. Without a display it starts a private headless
# desktop, runs the demo there and saves a screenshot of the settings window.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash scripts/setup.sh
bin=${CARGO_TARGET_DIR:-$repo/target}/debug
export PATH="$bin:$PATH"

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  if presently account list --json | grep -q '"id"'; then
    exec presently tray
  fi
  exec presently demo
fi

echo "No display: running the demo on a private headless X server for a look."
PY=$repo/.venv/bin/python bash tests/gui/desktop.sh bash -c '
  export PRESENTLY_EVENTS_LOG=$RUN_DIR/events.log
  presently demo &
  demo=$!
  for _ in $(seq 400); do grep -q ready "$PRESENTLY_EVENTS_LOG" 2>/dev/null && break; sleep 0.05; done
  sleep 3  # let WebKit paint the window before the screenshot
  /usr/bin/import -window root /tmp/presently-demo.png
  kill $demo; wait $demo || true
  echo "Screenshot of the demo settings window: /tmp/presently-demo.png"
  echo "On a desktop, the same command leaves the app running in your tray."
'
