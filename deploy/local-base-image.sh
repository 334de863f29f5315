#!/bin/sh
# Builds a local base image for deploy/Dockerfile when no image registry is reachable (so
# python:3.11-slim cannot be pulled): Debian bookworm (minbase) with its Python 3.11, venv, pip and
# CA certificates, made with debootstrap from a Debian mirror and imported into podman (or docker).
#
#   sudo deploy/local-base-image.sh                  # -> localhost/fanzha-base:bookworm
#   podman build --build-arg BASE=localhost/fanzha-base:bookworm -f deploy/Dockerfile -t fanzha-bot .
#
# Needs root, debootstrap and podman (apt-get install debootstrap podman). Settings (environment):
#   MIRROR   the Debian mirror (default: the first one in this host's apt sources)
#   IMAGE    the name to import as (default: localhost/fanzha-base:bookworm)
#   ENGINE   podman or docker (default: podman when installed, else docker)
#   EXTRA_CA_DIR  CA certificates (*.crt) the image should trust besides Debian's, e.g. a company
#            proxy's that pip needs to reach PyPI (default: this host's /usr/local/share/ca-certificates)
set -eu

IMAGE=${IMAGE:-localhost/fanzha-base:bookworm}
SUITE=bookworm
ENGINE=${ENGINE:-$(command -v podman >/dev/null 2>&1 && echo podman || echo docker)}

if [ -z "${MIRROR:-}" ]; then
    # The host's own Debian mirror: deb822 sources first, then the one-line format.
    MIRROR=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null \
             | sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)\/\{0,1\}[[:space:]]*$/\1/p' | head -n 1)
fi
if [ -z "${MIRROR:-}" ]; then
    MIRROR=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
             | sed -n 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]\{1,\}\)\{0,1\}\([^[:space:]]*\/debian\)\/\{0,1\}[[:space:]].*/\2/p' | head -n 1)
fi
[ -n "${MIRROR:-}" ] || { echo "no Debian mirror found in /etc/apt: set MIRROR" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; exit 2; }

ROOTFS=$(mktemp -d /var/tmp/fanzha-rootfs.XXXXXX)
trap 'rm -rf "$ROOTFS"' EXIT INT TERM

echo "debootstrap $SUITE (minbase) from $MIRROR into $ROOTFS" >&2
debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
    "$SUITE" "$ROOTFS" "$MIRROR"

# The image's own apt sources (the same mirror, with security updates), and no caches or logs.
SECURITY=$(echo "$MIRROR" | sed 's#/debian$#/debian-security#')
cat > "$ROOTFS/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY $SUITE-security main
EOF
# Trust what this host trusts locally (a TLS-inspecting proxy between the build and PyPI).
EXTRA_CA_DIR=${EXTRA_CA_DIR:-/usr/local/share/ca-certificates}
if ls "$EXTRA_CA_DIR"/*.crt >/dev/null 2>&1; then
    cp "$EXTRA_CA_DIR"/*.crt "$ROOTFS/usr/local/share/ca-certificates/"
    chroot "$ROOTFS" update-ca-certificates >&2
fi
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb \
       "$ROOTFS"/var/log/*.log "$ROOTFS"/var/log/apt/* "$ROOTFS"/tmp/*
chroot "$ROOTFS" python3 --version >&2

tar --numeric-owner -C "$ROOTFS" -c . | "$ENGINE" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["/bin/bash"]' \
    - "$IMAGE"
echo "imported $IMAGE" >&2
