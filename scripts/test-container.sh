#!/usr/bin/env bash
# Builds the Dockerfile's image with podman and checks it as a NAS user would: the container runs
# `shoebox watch run` as its non-root user, imports a photo dropped into the watched folder (a
# HEIC, so the decoder beside shoebox is checked too), backs it up to a target on the config
# volume, and stops cleanly on `podman stop`. Needs root. Run it before each release:
#   sudo scripts/test-container.sh
#
# These machines reach Debian's archive and crates.io but no image registry, so the two base
# images the Dockerfile names are made here and given those names: debian:bookworm-slim from
# debootstrap (minbase), rust:1-bookworm from that plus gcc, this machine's own Rust toolchain
# (rustup's `stable`) and its certificate authorities. The Dockerfile itself is built unchanged, with --pull=never.
# A first build compiles Shoebox in the container (about 25 min on 2 cores); the cargo cache
# mounts make later ones quick.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "FAILED: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || apt-get install -y -q "$2" >/dev/null; }
need podman podman
need runc runc
need debootstrap debootstrap
# Plain root podman on these machines: crun refuses their hybrid cgroups and the sandbox refuses
# raising rlimits, so runc with cgroupfs and the host's limits.
cache="${SHOEBOX_CONTAINER_CACHE:-/var/tmp/shoebox-container}"
mkdir -p "$cache"
# Our own settings file, so nobody else's podman configuration is touched.
export CONTAINERS_CONF="$cache/containers.conf"
printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n' \
  > "$CONTAINERS_CONF"
if ! podman image exists docker.io/library/debian:bookworm-slim; then
  echo "making debian:bookworm-slim with debootstrap …"
  rm -rf "$cache/root"
  debootstrap --variant=minbase bookworm "$cache/root" http://deb.debian.org/debian >/dev/null
  tar -C "$cache/root" -c . | podman import --change 'CMD ["bash"]' - docker.io/library/debian:bookworm-slim
  rm -rf "$cache/root"
fi
if ! podman image exists docker.io/library/rust:1-bookworm; then
  echo "making rust:1-bookworm from it and this machine's Rust toolchain …"
  toolchain=$(rustc --print sysroot)
  ctx="$cache/rust-ctx"
  rm -rf "$ctx" && mkdir -p "$ctx"
  cp -a "$toolchain" "$ctx/rust"
  # This machine's own certificate authorities (its way out to crates.io may be through a proxy
  # that signs with one), so cargo in the container trusts what cargo here trusts.
  mkdir -p "$ctx/ca"
  cp /usr/local/share/ca-certificates/*.crt "$ctx/ca/" 2>/dev/null || true
  cat > "$ctx/Containerfile" <<'IMG'
FROM docker.io/library/debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      ca-certificates gcc g++ make libc6-dev git && rm -rf /var/lib/apt/lists/*
COPY ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates
COPY rust /usr/local/rust
ENV PATH=/usr/local/rust/bin:$PATH CARGO_HOME=/usr/local/cargo
IMG
  podman build --pull=never -q -t docker.io/library/rust:1-bookworm "$ctx" >/dev/null
  rm -rf "$ctx"
fi

echo "building the Dockerfile …"
start=$SECONDS
podman build --pull=never -t localhost/shoebox:test . 2>&1 | tail -5
echo "built in $((SECONDS - start)) s; image $(podman image inspect localhost/shoebox:test --format '{{.Size}}' | numfmt --to=iec)"

# Volumes as the Dockerfile's header shows them; the container's user is uid 1000.
world=$(mktemp -d)
trap 'podman rm -f shoebox-test >/dev/null 2>&1 || true; rm -rf "$world"' EXIT
mkdir -p "$world"/{library,config,phone}
chown 1000:1000 "$world"/{library,config}
podman run -d --name shoebox-test \
  -v "$world/library:/library" -v "$world/config:/config" -v "$world/phone:/import/phone:ro" \
  localhost/shoebox:test >/dev/null
sb() { podman exec shoebox-test shoebox "$@"; }
[[ $(podman exec shoebox-test id -u) == 1000 ]] || fail "the container does not run as its own user"
sb watch add /import/phone >/dev/null
sb target add nas --scheme fs --opt root=/config/backup >/dev/null
# `watch run` picks up a folder added while it runs at its next look; restart it to be quick.
podman restart -t 20 shoebox-test >/dev/null
cp tests/data/sample.heic "$world/phone/IMG_0001.HEIC"
for _ in $(seq 60); do
  sb ls 2>/dev/null | grep -q IMG_0001 && break
  sleep 1
done
sb ls | grep -q IMG_0001 || fail "the dropped photo was not imported: $(podman logs shoebox-test 2>&1 | tail -5)"
sb ls --json | grep -q '"has_thumbnail": *true' || fail "no HEIC preview (shoebox-heif)"
echo "imported by watch run: $(sb ls | head -1)"
sb backup --target nas >/dev/null
sb verify --target nas >/dev/null || fail "verify"
ls "$world/config/backup" >/dev/null || fail "no backup on the config volume"
[[ -z $(find "$world/library" ! -uid 1000) ]] || fail "files in the library not owned by the container's user"
start=$SECONDS
podman stop -t 30 shoebox-test >/dev/null
code=$(podman inspect shoebox-test --format '{{.State.ExitCode}}')
echo "stopped in $((SECONDS - start)) s, exit code $code"
[[ $code == 0 ]] || fail "watch run did not end cleanly on SIGTERM: $(podman logs shoebox-test 2>&1 | tail -5)"
echo "container test passed"
