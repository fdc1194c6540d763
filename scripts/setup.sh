#!/usr/bin/env bash
# Installs what Presently needs to build, run and test on Debian/Ubuntu, then builds it.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"

apt_packages=(
  # build: WebKitGTK webview, tray (appindicator), icons, hotkeys (xdo), TLS
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev libssl-dev
  build-essential pkg-config file curl
  # run and test headless: X server, keyring, D-Bus session, WebDriver, screenshots, emoji font
  xvfb x11-utils xdotool dbus dbus-x11 gnome-keyring libsecret-tools webkit2gtk-driver
  at-spi2-core imagemagick fonts-noto-color-emoji
  # tools
  nodejs npm python3-venv
)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# node and npm may come from elsewhere (nvm, NodeSource): only install them when absent.
command -v node >/dev/null && missing=("${missing[@]/nodejs}")
command -v npm >/dev/null && missing=("${missing[@]/npm}")
python3 -m venv --help >/dev/null 2>&1 && missing=("${missing[@]/python3-venv}")
read -r -a missing <<<"${missing[*]}"
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== apt: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "Presently needs Rust (cargo): install it from https://rustup.rs and run this again." >&2
  exit 1
fi

echo "== ui: npm ci and build"
(cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)

echo "== python: venv for the desktop tests"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r tests/gui/requirements.txt

# A real Matrix homeserver for the Matrix tests (and the demo), from PyPI into a venv of
# its own, pinned; kept beside the cargo cache so a machine that installed it once skips this.
synapse_venv=${PRESENTLY_SYNAPSE_VENV:-$HOME/.cache/presently/synapse-venv}
synapse_version=1.163.2
if ! "$synapse_venv/bin/python" -c "import synapse, sys; sys.exit(synapse.__version__ != '$synapse_version')" 2>/dev/null; then
  echo "== python: Synapse $synapse_version (Matrix homeserver for the tests)"
  python3 -m venv "$synapse_venv"
  "$synapse_venv/bin/pip" install -q --disable-pip-version-check "matrix-synapse==$synapse_version"
fi

if ! command -v tauri-driver >/dev/null || ! tauri-driver --help >/dev/null 2>&1; then
  echo "== cargo install tauri-driver (WebDriver bridge for the settings window test)"
  cargo install tauri-driver --version '^2' --locked --quiet
fi

echo "== cargo build"
cargo build --workspace --quiet
