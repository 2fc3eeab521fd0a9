#!/usr/bin/env bash
# The sync simulation (tests/tests/simulation/) over many seeds: every seed drives 2–5 devices
# through random operations against a misbehaving store, then checks that they converge and lost
# nothing. CI runs 200 seeds; this runs thousands, lists every failing seed (each replays with
# SHOEBOX_SIM_SEED=N) and prints seeds per second for each of its four parts.
# Usage: scripts/soak.sh [SEEDS] [STEPS] [FIRST SEED]   (default 2000 seeds of 60 steps, from 1)
set -euo pipefail
cd "$(dirname "$0")/.."
export SHOEBOX_SIM_SEEDS="${1:-2000}" SHOEBOX_SIM_STEPS="${2:-60}" SHOEBOX_SIM_BASE="${3:-1}"
export SHOEBOX_SIM_KEEP_GOING=1
start=$(date +%s)
cargo test -q -p shoebox-tests --test simulation -- --nocapture 2>&1 | grep -E '^simulation|failing seeds|panicked|test result'
echo "$SHOEBOX_SIM_SEEDS seeds in $(( $(date +%s) - start )) s"
