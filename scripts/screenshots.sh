#!/usr/bin/env bash
# Refreshes the screenshots in docs/ from the window tests (the tests themselves write
# theirs under the build directory and never change a tracked file).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh
bin=${CARGO_TARGET_DIR:-$repo/target}/debug
shots=$(mktemp -d)
trap 'rm -rf "$shots"' EXIT
PY=.venv/bin/python bash tests/gui/desktop.sh .venv/bin/python tests/gui/settings_window_test.py \
  "$bin" "$shots/settings-window.png"
PY=.venv/bin/python bash tests/gui/desktop.sh .venv/bin/python tests/gui/accounts_window_test.py \
  "$bin" "$shots"
PY=.venv/bin/python bash tests/gui/desktop.sh .venv/bin/python tests/gui/presets_window_test.py \
  "$bin" "$shots"
# The same pages on a dark desktop (WebKit follows the GTK theme's dark variant).
GTK_THEME=Adwaita:dark PY=.venv/bin/python bash tests/gui/desktop.sh .venv/bin/python \
  tests/gui/accounts_window_test.py "$bin" "$shots/dark"
GTK_THEME=Adwaita:dark PY=.venv/bin/python bash tests/gui/desktop.sh .venv/bin/python \
  tests/gui/presets_window_test.py "$bin" "$shots/dark"
cp "$shots/dark/accounts-zoom-waiting.png" docs/add-account-dark.png
cp "$shots/dark/preset-editor.png" docs/preset-editor-dark.png
cp "$shots/general.png" docs/general.png
cp "$shots/dark/general.png" docs/general-dark.png
cp "$shots/settings-window-200-accounts.png" docs/zoom-200-accounts.png
cp "$shots/settings-window-200-editor.png" docs/zoom-200-editor.png
cp "$shots/settings-window.png" docs/settings-window.png
cp "$shots/preset-editor.png" docs/preset-editor.png
cp "$shots/accounts-zoom-waiting.png" docs/add-account.png
echo "docs/ screenshots refreshed: settings-window, add-account, preset-editor, general (light, dark), 200 % zoom"
