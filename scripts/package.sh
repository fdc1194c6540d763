#!/usr/bin/env bash
# Builds Presently's Linux packages with the Tauri bundler: a .deb and an .rpm holding the
# tray app (presently-tray), the `presently` command on the PATH, a desktop entry and the
# icon. Prints the paths of the packages it made.
#   bash scripts/package.sh           release build (stripped, thin LTO)
#   bash scripts/package.sh --debug   from a debug build: quicker, what the tests install
# macOS (.app, .dmg) and Windows (.msi, NSIS) bundles are built the same way on those
# systems: `ui/node_modules/.bin/tauri build --bundles app,dmg` or `--bundles msi,nsis`.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"
profile=release
flags=()
if [ "${1:-}" = "--debug" ]; then
  profile=debug
  flags=(--debug)
fi
target=${CARGO_TARGET_DIR:-$repo/target}

[ -x ui/node_modules/.bin/tauri ] || (cd ui && npm ci --no-audit --no-fund --loglevel=error)
(cd ui && npm run --silent build)
cargo_flags=(-p presently-cli --quiet)
[ "$profile" = release ] && cargo_flags+=(--release)
cargo build "${cargo_flags[@]}"

# The CLI goes in beside the tray app, on the PATH.
cli="$target/$profile/presently"
extra=$(printf '{"bundle":{"linux":{"deb":{"files":{"/usr/bin/presently":"%s"}},"rpm":{"files":{"/usr/bin/presently":"%s"}}}}}' "$cli" "$cli")
ui/node_modules/.bin/tauri build "${flags[@]}" --bundles deb,rpm --config "$extra" --ci >&2

# The bundler compresses the .deb with gzip; Debian's own packages use xz, which halves it
# (17 MB to 9 MB with both binaries). Same files, modes and control data; owned by root.
# A debug build (660 MB of binaries) is packed quickly rather than small.
level=9
[ "$profile" = debug ] && level=1
for deb in "$target/$profile/bundle/deb/"*.deb; do
  unpacked=$(mktemp -d)
  dpkg-deb -R "$deb" "$unpacked/root"
  dpkg-deb --root-owner-group -Zxz "-z$level" --build "$unpacked/root" "$deb" >/dev/null
  rm -rf "$unpacked"
done
ls "$target/$profile/bundle/deb/"*.deb "$target/$profile/bundle/rpm/"*.rpm
