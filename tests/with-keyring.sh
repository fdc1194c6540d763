#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, so tests
# use the real Secret Service and never touch the user's own keyring.
#   bash tests/with-keyring.sh cargo test -p presently-cli
#
# gnome-keyring-daemon has been seen to end in the middle of a long run (the soak: about one
# run in three on CI, cause not found). The session bus then starts the Secret Service again
# on the next call; with the system's service file that was a daemon with other keyrings, so
# every secret looked gone. Here the bus starts it from this run's own service file instead:
# the same keyrings, unlocked with the same password, as a login would. It says so on
# stderr, and the run's end says how often it happened.
set -euo pipefail
if [ -z "${PRESENTLY_KEYRING_RUN_DIR:-}" ]; then
  run_dir=$(mktemp -d /tmp/presently-keyring.XXXXXX)
  mkdir -p "$run_dir/xdg" "$run_dir/data" "$run_dir/services"
  chmod 700 "$run_dir/xdg"
  cat >"$run_dir/start-keyring.sh" <<EOF
#!/bin/sh
echo "!! with-keyring: the Secret Service ended; D-Bus starts gnome-keyring-daemon again (same keyrings) at \$(date +%T)" >&2
echo restarted >>"$run_dir/restarts"
export XDG_RUNTIME_DIR="$run_dir/xdg" XDG_DATA_HOME="$run_dir/data"
printf 'presently-test' | exec gnome-keyring-daemon --foreground --unlock --components=secrets 2>>"$run_dir/daemon.log"
EOF
  chmod +x "$run_dir/start-keyring.sh"
  printf '[D-BUS Service]\nName=org.freedesktop.secrets\nExec=%s\n' "$run_dir/start-keyring.sh" \
    >"$run_dir/services/org.freedesktop.secrets.service"
  # The standard session bus, with this run's service directory ahead of the system's.
  cat >"$run_dir/session.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:tmpdir=/tmp</listen>
  <servicedir>$run_dir/services</servicedir>
  <standard_session_servicedirs/>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
  export PRESENTLY_KEYRING_RUN_DIR=$run_dir
  status=0
  dbus-run-session --config-file="$run_dir/session.conf" -- bash "$0" "$@" || status=$?
  if [ -s "$run_dir/restarts" ]; then
    echo "!! with-keyring: gnome-keyring-daemon was started again $(wc -l <"$run_dir/restarts") time(s) during the run" >&2
  fi
  rm -rf "$run_dir"
  exit "$status"
fi
run_dir=$PRESENTLY_KEYRING_RUN_DIR
# The tests check they run here (tests/*/common), never on the user's own keyring.
export PRESENTLY_PRIVATE_BUS=1
export XDG_RUNTIME_DIR=$run_dir/xdg XDG_DATA_HOME=$run_dir/data
# In the foreground, so that if it ends, its exit status and last words can be told.
printf 'presently-test' | gnome-keyring-daemon --foreground --unlock --components=secrets \
  >/dev/null 2>>"$run_dir/daemon.log" &
daemon=$!
gdbus wait --session --timeout 30 org.freedesktop.secrets
status=0
"$@" || status=$?
if ! kill -0 "$daemon" 2>/dev/null; then
  ended=0
  wait "$daemon" || ended=$?
  echo "!! with-keyring: the first gnome-keyring-daemon ended during the run, exit status $ended" \
    "(above 128: killed by signal $((ended > 128 ? ended - 128 : 0))); the daemons' last words:" >&2
  tail -n 20 "$run_dir/daemon.log" | sed 's/^/!!   /' >&2
fi
exit "$status"
