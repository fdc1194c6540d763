#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, so tests
# use the real Secret Service and never touch the user's own keyring.
#   bash tests/with-keyring.sh cargo test -p presently-cli
set -euo pipefail
if [ -z "${PRESENTLY_PRIVATE_BUS:-}" ]; then
  export PRESENTLY_PRIVATE_BUS=1
  exec dbus-run-session -- bash "$0" "$@"
fi
run_dir=$(mktemp -d /tmp/presently-keyring.XXXXXX)
trap 'rm -rf "$run_dir"' EXIT
mkdir -p "$run_dir/xdg" "$run_dir/data"
chmod 700 "$run_dir/xdg"
export XDG_RUNTIME_DIR=$run_dir/xdg XDG_DATA_HOME=$run_dir/data
printf 'presently-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
"$@"
