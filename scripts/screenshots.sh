#!/usr/bin/env bash
# Regenerates the README's screenshots (docs/screenshots/*.png) from the end-to-end run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-app.sh
SHOEBOX_SCREENSHOTS="$PWD/docs/screenshots" npm --prefix ui run e2e
