#!/usr/bin/env bash
# Release bundles of the desktop app, made by the Tauri bundler: a .deb by default.
#   scripts/bundle.sh                 the .deb (app, `shoebox` on PATH, desktop entry, icons)
#   BUNDLES=deb,appimage scripts/bundle.sh
#                                     also an AppImage (the bundler downloads linuxdeploy from
#                                     GitHub: it needs that network access)
# The bundles land in $CARGO_TARGET_DIR/release/bundle/ (target/ by default); the script prints
# them with their sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
target="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --release -q -p shoebox-cli -p shoebox-heif
# The tauri CLI treats its config's folder as the crate: it gets the root config rewritten for
# src-tauri/ (never committed), removed again when done.
node scripts/bundle-config.mjs "$target" > src-tauri/tauri.conf.json
trap 'rm -f src-tauri/tauri.conf.json' EXIT
TAURI_APP_PATH=src-tauri TAURI_FRONTEND_PATH=ui \
  ui/node_modules/.bin/tauri build --bundles "${BUNDLES:-deb}" --ci
find "$target/release/bundle" -maxdepth 2 -type f \( -name '*.deb' -o -name '*.AppImage' -o -name '*.rpm' \) \
  -newer tauri.conf.json -exec ls -la {} \;
