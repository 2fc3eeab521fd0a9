#!/usr/bin/env bash
# The README's first command: installs what is missing, builds the UI and the app, and opens
# Shoebox on the default library (your Pictures folder + Shoebox, or $SHOEBOX_LIBRARY) with the
# default backup target (the folder ~/Shoebox Backup).
# Usage: scripts/run.sh [--sample]   (--sample first imports a dozen generated photos)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-app.sh
bin="${CARGO_TARGET_DIR:-target}/debug"
if [[ "${1:-}" == "--sample" ]]; then
  sample="${TMPDIR:-/tmp}/shoebox-sample"
  "$bin/shoebox-bench" sample "$sample"
  "$bin/shoebox" import "$sample" || true
fi
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "No display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset)." >&2
  echo "Run this from a desktop session, or headless: xvfb-run -a scripts/run.sh" >&2
  exit 1
fi
echo "Opening Shoebox on $("$bin/shoebox" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["library"])')" >&2
echo "The command-line tool is $bin/shoebox (try: $bin/shoebox --help)" >&2
exec "$bin/shoebox-app"
