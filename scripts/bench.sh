#!/usr/bin/env bash
# Builds release binaries and prints measured figures beside their targets and beside a
# baseline measured in the same run: curl making the same requests for the network figures
# (BENCH_LATENCY_MS=100 by default: how far away the stand-in servers are), and the bare
# Tauri 2 tray app from ../shared/guides/linux-desktop-testing/app (built here, with no
# window at start) for the desktop figures and the package size. BENCH_ONLY=network prints
# the network figures alone (no desktop builds); BENCH_IDLE_SECONDS (default 60) is how long
# idle CPU is measured.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
target=${CARGO_TARGET_DIR:-$repo/target}
bin=$target/release
bare_bin=
if [ "${BENCH_ONLY:-}" = network ]; then
  cargo build --release -p presently-cli -p presently-fakes --quiet
else
  # The packages as shipped: both binaries in one .deb, the window's page inside the binary.
  deb=$(bash scripts/package.sh | grep '\.deb$')
  cargo build --release -p presently-fakes --quiet
  # The baseline: the guides' bare tray app, its window not created at start.
  bare=$(mktemp -d /tmp/presently-bare.XXXXXX)/app
  cp -r ../shared/guides/linux-desktop-testing/app "$bare"
  chmod -R u+w "$bare"
  python3 - "$bare/src-tauri/tauri.conf.json" <<'PY'
import json, sys
path = sys.argv[1]
conf = json.load(open(path))
for window in conf["app"]["windows"]:
    window["create"] = False
json.dump(conf, open(path, "w"), indent=2)
PY
  (cd "$bare" && "$repo/ui/node_modules/.bin/tauri" build --bundles deb --ci >&2)
  bare_bin=$bin/presently-feas
  export BENCH_DEB=$deb
  BENCH_BARE_DEB=$(ls "$bin"/bundle/deb/presently-feas_*.deb)
  export BENCH_BARE_DEB
fi
PY=.venv/bin/python bash tests/gui/desktop.sh .venv/bin/python scripts/bench.py "$bin" $bare_bin
