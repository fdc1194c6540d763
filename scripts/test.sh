#!/usr/bin/env bash
# Sets up and runs every check and test: format, lints, front-end type check, generated
# bindings up to date, unit and CLI tests against the fakes with the real keyring, and the
# desktop tests (tray over D-Bus, real hotkey, notifications, settings window via WebDriver)
# and the .deb installed into a scratch root.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh
bin=${CARGO_TARGET_DIR:-$repo/target}/debug
step() { echo; echo "== $*"; }

# Runs one desktop test under its own Xvfb, D-Bus and keyring, up to three attempts; every
# failed attempt stays in the log. The tray app has died of heap corruption now and then in
# the window tests (glibc: malloc_consolidate, detected in the main thread's IPC allocation;
# cause not found, see the README's Tests section): such a run is flagged as such.
desktop_test() {
  local name=$1; shift
  local run_dir attempt
  for attempt in 1 2 3; do
    run_dir=$(mktemp -d "/tmp/presently-$name.XXXXXX")
    if RUN_DIR=$run_dir PY=.venv/bin/python bash tests/gui/desktop.sh "$@"; then
      return 0
    fi
    if grep -qs "malloc_consolidate\|corrupted\|double free" "$run_dir"/*.log; then
      echo "!! $name: the app crashed with heap corruption (known, open; attempt $attempt of 3)" >&2
    else
      echo "!! $name: failed (attempt $attempt of 3)" >&2
    fi
  done
  return 1
}

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all crates, all targets, warnings are errors)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "front end: type check, bindings generated from the Rust commands are current"
(cd ui && npx --no-install tsc --noEmit)
"$bin/presently-tray" --export-bindings ui/src/bindings.ts
git diff --exit-code -- ui/src/bindings.ts || {
  echo "ui/src/bindings.ts is stale: commit the regenerated file" >&2; exit 1; }

# The Matrix tests run against a real Synapse (setup.sh installed it): here they must.
export PRESENTLY_SYNAPSE_PYTHON=${PRESENTLY_SYNAPSE_VENV:-$HOME/.cache/presently/synapse-venv}/bin/python
export PRESENTLY_REQUIRE_SYNAPSE=1

step "unit, contract and CLI tests (real keyring in a private D-Bus session; Matrix on a real Synapse)"
bash tests/with-keyring.sh cargo test --workspace --exclude presently-app --quiet
bash tests/with-keyring.sh cargo test -p presently-core --quiet -- --ignored

step "soak: 1,000 changes from several processes, random faults and SIGKILLs, ten accounts"
bash tests/with-keyring.sh cargo test -p presently-cli --test soak_cli --quiet -- --ignored --nocapture

step "desktop: tray over D-Bus, hotkey, notifications (demo mode)"
desktop_test tray .venv/bin/python tests/gui/tray_test.py "$bin"

# Screenshots go under the build directory: running the tests never changes a tracked
# file (scripts/screenshots.sh refreshes the ones in docs/).
shots=${CARGO_TARGET_DIR:-$repo/target}/screenshots
step "desktop: settings window through WebDriver"
desktop_test settings-window .venv/bin/python tests/gui/settings_window_test.py \
  "$bin" "$shots/settings-window.png"

step "desktop: accounts added, signed in again and removed in the settings window"
desktop_test accounts-window .venv/bin/python tests/gui/accounts_window_test.py "$bin" "$shots"

step "desktop: presets edited in the settings window (preview, limits, hotkey, tray, order)"
desktop_test presets-window .venv/bin/python tests/gui/presets_window_test.py "$bin" "$shots"

# Last: packaging builds the tray app again with the bundler's settings.
step "packaging: the .deb installed into a scratch root runs (presently --version, the tray app)"
desktop_test package bash tests/gui/package_test.sh

echo; echo "All checks passed."
