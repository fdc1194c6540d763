#!/usr/bin/env bash
# Builds release binaries and prints measured figures beside their targets.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
(cd ui && npm run --silent build)
cargo build --release -p presently-cli -p presently-fakes -p presently-app --quiet
bin=${CARGO_TARGET_DIR:-$repo/target}/release
PY=.venv/bin/python bash tests/gui/desktop.sh .venv/bin/python scripts/bench.py "$bin"
