#!/usr/bin/env bash
# Checks the AppImage that `BUNDLES=deb,appimage scripts/bundle.sh` (or the release workflow)
# made, the way test-bundle.sh checks the .deb: its usr/bin holds the app, `shoebox` and
# `shoebox-heif`; `shoebox --version` runs from it; the app started with
# --appimage-extract-and-run (no FUSE needed) on a fresh home under Xvfb shows a window titled
# Shoebox. NOT RUN on the project's machines: the bundler needs linuxdeploy from GitHub to make
# the AppImage, and they reach no forge; the release workflow runs it on ubuntu-22.04.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
image=$(ls -t "$target"/release/bundle/appimage/*.AppImage "$target"/*/release/bundle/appimage/*.AppImage 2>/dev/null | head -1)
[[ -n "$image" ]] || { echo "no AppImage under $target: BUNDLES=deb,appimage scripts/bundle.sh" >&2; exit 1; }
fail() { echo "FAILED: $*" >&2; exit 1; }
echo "checking $image ($(du -h "$image" | cut -f1))"
chmod +x "$image"
work=$(mktemp -d)
trap 'kill ${xvfb:-} ${app:-} 2>/dev/null || true; rm -rf "$work"' EXIT
(cd "$work" && "$image" --appimage-extract >/dev/null)
for p in shoebox-app shoebox shoebox-heif; do
  [[ -x "$work/squashfs-root/usr/bin/$p" ]] || fail "no usr/bin/$p in the AppImage"
done
echo "$("$work/squashfs-root/usr/bin/shoebox" --version) inside"
lib=$(mktemp -d -p "$work")
"$work/squashfs-root/usr/bin/shoebox" --library "$lib" import tests/data/sample.heic >/dev/null
"$work/squashfs-root/usr/bin/shoebox" --library "$lib" status | grep 'HEIC' || true

command -v xwininfo >/dev/null || fail "xwininfo is missing (x11-utils)"
Xvfb :96 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
sleep 1
mkdir -p "$work/home"
HOME="$work/home" DISPLAY=:96 "$image" --appimage-extract-and-run >"$work/app.log" 2>&1 &
app=$!
for _ in $(seq 60); do
  if DISPLAY=:96 xwininfo -root -tree 2>/dev/null | grep -q '"Shoebox"'; then
    echo "window \"Shoebox\" is up"
    exit 0
  fi
  sleep 0.5
done
fail "no window titled Shoebox within 30 s: $(tail -5 "$work/app.log")"
