#!/usr/bin/env bash
# Benchmarks against peer tools, side by side in the same run: see the README.
#   scripts/bench.sh import [--count 60] [--rounds 3]     import vs vipsthumbnail, inspect vs exiftool
#   scripts/bench.sh watch [--count 20000] [--quiet-ms 1000]   watch latency, burst vs inotifywait
#   scripts/bench.sh backup [--small 5000] [--big 200]         no-op and first backup vs rclone
#   scripts/bench.sh crypt [--count 200] [--rounds 3]          encrypted first backup vs unencrypted and rclone crypt
#   scripts/bench.sh takeout [--count 5000] [--rounds 3]       a Takeout import with sidecars vs the same files without
#   scripts/bench.sh memory [--mb 2048]                         peak RSS of one big video, vs rclone
#   scripts/bench.sh join [--count 50000] [--rounds 3]         a second computer joining, vs rclone copy
#   scripts/bench.sh share [--count 500] [--rounds 3]          publishing a shared album vs rclone copy
#   scripts/bench.sh faces [--rounds 5] [--scans 100,400]        faces vs the same models in Python; grouping; scan RSS
#   scripts/bench.sh search [--count 100000] [--rounds 15]     search per keystroke vs a naive LIKE; geocoding
#   scripts/bench.sh timeline [--count 1000000] [--rounds 9]   month buckets and a first screenful vs naive queries
#   scripts/bench.sh app [--count 100000] [--rounds 5] [--join 50000]
#                                                               the desktop app on 1k vs 100k assets,
#                                                               and joining a library through its UI
#   scripts/bench.sh faces-app [--count 600] [--samples 40]    the app's answers while it looks for faces, vs idle
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --bench
if [[ "${1:-}" == "app" || "${1:-}" == "faces-app" ]]; then
  script=ui/e2e/perf.mjs
  [[ "$1" == "faces-app" ]] && script=ui/e2e/faces-perf.mjs
  shift
  # Release builds, as people run them (the join moves 100,000 thumbnails).
  scripts/build-app.sh --release
  if ! command -v tauri-driver >/dev/null && [[ ! -x "$HOME/.cargo/bin/tauri-driver" ]]; then
    cargo install tauri-driver --version ^2 --locked --quiet
  fi
  SHOEBOX_PROFILE=release exec node "$script" "$@"
fi
cargo build --release -q -p shoebox-cli -p shoebox-heif -p shoebox-tests
exec "${CARGO_TARGET_DIR:-target}/release/shoebox-bench" "${@:-import}"
