#!/usr/bin/env bash
# Builds the UI (ui/dist) and then the desktop app, the CLI and the test tools, which embed it.
# Usage: scripts/build-app.sh [cargo build flags, e.g. --release]
set -euo pipefail
cd "$(dirname "$0")/.."
npm --prefix ui run build --silent
cargo build "$@" -p shoebox-app -p shoebox-cli -p shoebox-heif -p shoebox-tests
