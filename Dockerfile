# Shoebox without a screen, in a container: `shoebox watch run` imports from the watched folders
# and backs up on the schedule (see the README, "Running without the app").
#
#   docker build -t shoebox .
#   docker run -d --name shoebox \
#     -v /srv/photos/library:/library -v /srv/photos/config:/config \
#     -v /srv/syncthing/phone:/import/phone:ro shoebox
#   docker exec shoebox shoebox watch add /import/phone        # once
#   docker exec shoebox shoebox target add nas --scheme s3 …   # once, then one backup by hand
#   docker exec shoebox shoebox backup --target nas
#
# Built and checked with podman by scripts/test-container.sh (before each release; not in CI: the
# first build compiles everything in the container, about 25 minutes on 2 cores).

FROM rust:1-bookworm AS build
# cmake builds the embedded libheif and libjpeg-turbo, nasm libjpeg-turbo's SIMD code.
RUN apt-get update && apt-get install -y --no-install-recommends \
      cmake nasm pkg-config libheif-dev libnuma-dev libdbus-1-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The cargo caches make a rebuild after a change take minutes, not the first build's half hour.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p shoebox-cli -p shoebox-heif \
    && install -m 0755 target/release/shoebox target/release/shoebox-heif /usr/local/bin/

FROM debian:bookworm-slim
# The codec libraries that shoebox-heif's embedded libheif links (as `ldd` lists them), D-Bus
# for the keyring crate, CA roots for S3 and WebDAV over TLS, ffmpeg for video posters.
RUN apt-get update && apt-get install -y --no-install-recommends \
      ca-certificates libdbus-1-3 libde265-0 libx265-199 libaom3 libdav1d6 \
      libjpeg62-turbo libnuma1 ffmpeg tini \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/shoebox /usr/local/bin/shoebox-heif /usr/local/bin/
RUN useradd --uid 1000 --create-home --home-dir /config shoebox \
    && mkdir -p /library /import && chown shoebox:shoebox /library /import
USER shoebox
# No keychain in a container: target secrets go to this 0600 file on the config volume.
ENV HOME=/config \
    SHOEBOX_LIBRARY=/library \
    SHOEBOX_SECRETS_FILE=/config/secrets.json
VOLUME ["/library", "/config"]
# tini forwards `docker stop`'s SIGTERM, which `watch run` ends on cleanly.
ENTRYPOINT ["/usr/bin/tini", "--", "shoebox"]
CMD ["watch", "run"]
