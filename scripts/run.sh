#!/usr/bin/env bash
# The README's first command: builds the `shoebox` CLI, imports a small sample into the default
# library (your Pictures folder + Shoebox, or $SHOEBOX_LIBRARY), backs it up to the default target
# (the folder ~/Shoebox Backup) and shows what it holds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release -q -p shoebox-cli -p shoebox-tests
sample="${TMPDIR:-/tmp}/shoebox-sample"
target/release/shoebox-bench sample "$sample"
target/release/shoebox import "$sample" || true
target/release/shoebox backup
target/release/shoebox status
echo
target/release/shoebox ls
echo
echo "The shoebox binary is target/release/shoebox; try: target/release/shoebox --help"
