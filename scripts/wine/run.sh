#!/usr/bin/env bash
# Cargo's runner for x86_64-pc-windows-gnu: runs a Windows test program (or shoebox.exe) under
# Wine. Wine 8 lacks ProcessPrng, which every Rust program calls at start; the shim DLL built
# from bcryptprimitives.c is put next to the program first (see that file). Quiet Wine, its own
# prefix (made once, then reused), no Mono or Gecko prompts.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# Beside the program, and in the profile folder above `deps/`, where the programs a test runs
# (shoebox.exe, shoebox-heif.exe) are.
dir="$(cd "$(dirname "$1")" && pwd)"
for d in "$dir" $([[ "$(basename "$dir")" == deps ]] && dirname "$dir"); do
  dll="$d/bcryptprimitives.dll"
  if [[ ! -f "$dll" || "$here/bcryptprimitives.c" -nt "$dll" ]]; then
    x86_64-w64-mingw32-gcc -O2 -shared -s -o "$dll.$$" \
      "$here/bcryptprimitives.c" "$here/bcryptprimitives.def" -lbcrypt
    mv "$dll.$$" "$dll"
  fi
done
export WINEPREFIX="${WINEPREFIX:-$HOME/.cache/shoebox-wine}"
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
mkdir -p "$WINEPREFIX"
# The prefix is made once, by one process: tests start many at a time.
if [[ ! -f "$WINEPREFIX/system.reg" ]]; then
  (flock 9; [[ -f "$WINEPREFIX/system.reg" ]] || wineboot --init >/dev/null 2>&1) 9>"$WINEPREFIX.lock"
fi
exec wine "$@"
