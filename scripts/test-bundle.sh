#!/usr/bin/env bash
# Installs the .deb that scripts/bundle.sh made, as a user would, and checks it: `shoebox
# --version` runs from PATH, the app starts from its installed path under Xvfb and shows a
# window titled Shoebox, the desktop entry and icons are in place; then removes the package and
# checks that nothing of it is left. Needs root (apt-get). Run it before each release:
#   scripts/bundle.sh && sudo scripts/test-bundle.sh
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
deb=$(ls -t "$target"/release/bundle/deb/*.deb | head -1)
echo "installing $deb ($(du -h "$deb" | cut -f1))"
command -v xwininfo >/dev/null || apt-get install -y -q x11-utils >/dev/null
apt-get install -y -q "$deb" >/dev/null
fail() { echo "FAILED: $*" >&2; exit 1; }
version=$(shoebox --version) || fail "shoebox --version"
echo "on PATH: $(command -v shoebox): $version"
[[ -x /usr/bin/shoebox-app ]] || fail "no /usr/bin/shoebox-app"
# HEIC is decoded by /usr/bin/shoebox-heif: an import from the installed command gets a preview.
lib=$(mktemp -d)
shoebox --library "$lib" import tests/data/sample.heic >/dev/null || fail "import of a HEIC"
shoebox --library "$lib" ls --json | grep -q '"has_thumbnail": *true' || fail "no HEIC preview"
shoebox --library "$lib" status | grep -q 'HEIC yes' || fail "status does not say HEIC yes"
rm -rf "$lib"
echo "HEIC decoded by $(command -v shoebox-heif)"
desktop=$(ls /usr/share/applications/*.desktop | xargs grep -l 'Exec=shoebox-app' | head -1)
[[ -n "$desktop" ]] || fail "no desktop entry"
grep -q '^Categories=.*Photography' "$desktop" || fail "desktop entry not in Photography: $(grep Categories "$desktop")"
ls /usr/share/icons/hicolor/*/apps/shoebox-app.png >/dev/null || fail "no icons"
echo "desktop entry: $desktop ($(grep '^Categories' "$desktop"))"

# Start the installed app on a fresh home and wait for its window.
home=$(mktemp -d)
Xvfb :97 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true; kill $app 2>/dev/null || true; rm -rf "$home"' EXIT
sleep 1
HOME="$home" DISPLAY=:97 /usr/bin/shoebox-app >/dev/null 2>&1 &
app=$!
for _ in $(seq 60); do
  if DISPLAY=:97 xwininfo -root -tree 2>/dev/null | grep -q '"Shoebox"'; then
    echo "window \"Shoebox\" is up"
    found=1
    break
  fi
  sleep 0.5
done
[[ "${found:-}" == 1 ]] || fail "no window titled Shoebox within 30 s"
[[ -d "$home/Pictures/Shoebox" || -d "$home/Shoebox" ]] && echo "default library made under the new home"
kill $app; wait $app 2>/dev/null || true

apt-get remove -y -q shoebox >/dev/null
[[ ! -e /usr/bin/shoebox && ! -e /usr/bin/shoebox-heif && ! -e /usr/bin/shoebox-app ]] || fail "files left after removal"
echo "removed cleanly"
