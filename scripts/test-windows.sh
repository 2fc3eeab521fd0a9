#!/usr/bin/env bash
# Windows, run for real under Wine: the library's crates and the CLI built for
# x86_64-pc-windows-gnu and their own tests run as Windows programs (Wine is cargo's runner for
# that target: scripts/wine/run.sh, which also supplies the ProcessPrng shim Wine 8 lacks). The
# tests that pair this Windows `shoebox.exe` with the Linux build on one store are in
# tests/tests/wine and run with the rest of the workspace; `--build-only` builds what they need.
#
# Without the C parts (libjpeg-turbo, libsodium; `--no-default-features`): their cross builds need
# nasm/cmake toolchain files for mingw; the pure-Rust paths they stand in for are the ones
# tested here. HEIC decoding (crates/heif, libheif) is not built for Windows here.
#
# Usage: scripts/test-windows.sh [--build-only]
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-pc-windows-gnu
rustup target list --installed | grep -qx "$target" || rustup target add "$target"
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$PWD/scripts/wine/run.sh"
cargo build --quiet --target "$target" --no-default-features -p shoebox-cli
[[ "${1:-}" == "--build-only" ]] && exit 0
crates=(layout catalog store crypt import media engine watch types cli faces)
pkgs=()
for c in "${crates[@]}"; do pkgs+=(-p "shoebox-$c"); done
# Code behind cfg(windows) gets the same lints as the rest.
cargo clippy --quiet --target "$target" --no-default-features "${pkgs[@]}" --all-targets -- -D warnings
# Left out: the two test files that run Linux's rclone beside the code (crypt/tests/rclone.rs,
# store/tests/crypt_layer.rs): a Windows program under Wine cannot start a Linux one. The
# cipher they check against rclone is the same code, tested here by the crates' own tests.
filter='not (binary(rclone) | binary(crypt_layer))'
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --target "$target" --no-default-features "${pkgs[@]}" --no-fail-fast -E "$filter"
else
  cargo test --target "$target" --no-default-features "${pkgs[@]}" --no-fail-fast --lib --bins \
    --test two_writers --test usage --test portable
fi
cargo test --quiet --target "$target" --no-default-features "${pkgs[@]}" --doc
