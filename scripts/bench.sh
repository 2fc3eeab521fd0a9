#!/usr/bin/env bash
# Benchmarks against peer tools, side by side in the same run: see the README.
#   scripts/bench.sh import [--count 60] [--rounds 3]     import vs vipsthumbnail, inspect vs exiftool
#   scripts/bench.sh watch [--count 20000] [--quiet-ms 1000]   watch latency, burst vs inotifywait
#   scripts/bench.sh backup [--small 5000] [--big 200]         no-op and first backup vs rclone
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --bench
cargo build --release -q -p shoebox-cli -p shoebox-tests
exec target/release/shoebox-bench "${@:-import}"
