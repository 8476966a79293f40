#!/usr/bin/env bash
# Builds CodeCourier's sandbox runner image from Debian packages with debootstrap and imports it
# into the Docker engine. No container registry is needed: everything comes from the Debian archive.
#
#   packaging/images/build-images.sh [--force] [--image NAME] [--stop-on-eof]
#   codecourier-build-images [--force]       (the same recipe, installed by the package)
#
# The image is skipped when it already exists (unless --force). Its name is the default of the
# per-language image settings (or --image); a user on a networked machine may point a language at
# any other image. Progress lines read "build-images: [N/5] ..." so that the desktop app can show a
# progress bar. --stop-on-eof: end (and clean up) when stdin closes; the app runs the script as root
# through pkexec and cannot signal it, so closing the pipe is how it cancels.
set -euo pipefail

IMAGE="${CODECOURIER_RUNNER_IMAGE:-codecourier/runner:bookworm-1}"
SUITE="${CODECOURIER_IMAGE_SUITE:-bookworm}"
MIRROR="${CODECOURIER_IMAGE_MIRROR:-http://deb.debian.org/debian}"
# Full python3 standard library (python3 + its stdlib packages), Node.js, bash and coreutils.
PACKAGES="python3,python3-venv,libpython3-stdlib,nodejs,bash,coreutils,ca-certificates,tzdata"

usage() {
    echo "usage: ${0##*/} [--force] [--image NAME] [--stop-on-eof]"
    echo "Builds CodeCourier's sandbox image (\$CODECOURIER_RUNNER_IMAGE, default codecourier/runner:bookworm-1)"
    echo "from Debian packages with debootstrap and imports it into Docker; skips it when it exists."
}

force=0
stop_on_eof=0
die() { echo "build-images: $*" >&2; exit 1; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --force) force=1 ;;
        --stop-on-eof) stop_on_eof=1 ;;
        --image)
            [[ $# -ge 2 && "$2" =~ ^[a-z0-9][a-z0-9._/-]*:[A-Za-z0-9_.-]+$ ]] || die "--image needs a name such as codecourier/runner:bookworm-1."
            IMAGE="$2"; shift ;;
        --help | -h) usage; exit 0 ;;
        *) echo "build-images: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

# The overrides reach docker and debootstrap as arguments: a value that starts with "-" would be
# read as an option there, so each must look like what it names.
[[ "$IMAGE" =~ ^[A-Za-z0-9][A-Za-z0-9._/:@-]*$ ]] ||
    die "CODECOURIER_RUNNER_IMAGE is not an image name such as codecourier/runner:bookworm-1."
[[ "$SUITE" =~ ^[a-z][a-z0-9-]*$ ]] || die "CODECOURIER_IMAGE_SUITE is not a Debian suite name such as bookworm."
[[ "$MIRROR" =~ ^https?://[A-Za-z0-9._~:/@%+-]+$ ]] ||
    die "CODECOURIER_IMAGE_MIRROR is not an http(s) address such as http://deb.debian.org/debian."

work=""
watcher=""
cleanup() {
    [[ -z "$watcher" ]] || kill "$watcher" 2>/dev/null || true
    [[ -z "$work" ]] || rm -rf --one-file-system "$work"
}
trap cleanup EXIT
# A TERM (the app's Cancel) still runs the EXIT trap, which removes the half-built tree.
trap 'exit 143' TERM INT
if [[ $stop_on_eof -eq 1 ]]; then
    # The script leads its own process group (the app starts it in a new session): end all of it.
    # stdin goes through fd 3: a background job's own stdin would be /dev/null, read to its end at once.
    exec 3<&0
    ( cat <&3 >/dev/null; kill -TERM -- -$$ 2>/dev/null ) &
    watcher=$!
    exec 3<&-
fi

echo "build-images: [1/5] checking the Docker engine ..."

command -v docker >/dev/null || die "the docker command is missing: install it with 'apt-get install docker.io'."
docker version >/dev/null 2>&1 || die "the Docker engine does not answer: start it (for example 'sudo dockerd &' or 'sudo systemctl start docker')."

if [[ $force -eq 0 ]] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "build-images: $IMAGE exists, skipping."
    exit 0
fi

[[ $(id -u) -eq 0 ]] || die "debootstrap needs root: run this script with sudo."
command -v debootstrap >/dev/null || die "debootstrap is missing: install it with 'apt-get install debootstrap'."

work=$(mktemp -d /var/tmp/codecourier-image.XXXXXX)
root="$work/rootfs"

echo "build-images: [2/5] debootstrapping $SUITE with $PACKAGES (a few minutes) ..."
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$root" "$MIRROR" > "$work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)."; }

echo "build-images: [3/5] slimming the tree ..."
# Slim the tree: package caches, docs and locales are not needed to run snippets.
rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
       "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*
mkdir -p "$root/workspace"
chmod 0755 "$root/workspace"

echo "build-images: [4/5] importing as $IMAGE ..."
tar --numeric-owner -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV HOME=/tmp' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PYTHONDONTWRITEBYTECODE=1' \
    --change 'WORKDIR /workspace' \
    --change 'LABEL org.codecourier.image=runner' \
    --change 'CMD ["/bin/bash"]' \
    - "$IMAGE" >/dev/null

echo "build-images: [5/5] checking the interpreters in $IMAGE ..."
docker run --rm --network none "$IMAGE" sh -c 'python3 --version && node --version && bash --version | head -n1' \
    || die "the imported image does not run its interpreters."
echo "build-images: $IMAGE is ready."
