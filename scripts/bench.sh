#!/usr/bin/env bash
# Benchmarks against peer tools, side by side on the same files: see the README.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --bench
cargo build --release -q -p shoebox-cli -p shoebox-tests
exec target/release/shoebox-bench import "$@"
