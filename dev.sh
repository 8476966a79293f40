#!/usr/bin/env bash
# CodeCourier's one-step set-up for a Debian 12 machine.
#
#   ./dev.sh start   install what is missing, build, make sure Docker answers and the sandbox
#                    image exists, then open the app
#   ./dev.sh test    the same set-up, then build and run every test (ctest), then the same tests
#                    again in a sanitizer build (AddressSanitizer + UndefinedBehaviorSanitizer),
#                    then every libFuzzer target for CODECOURIER_FUZZ_SECONDS each (default 60;
#                    fuzz/run-fuzzers.sh, clang, build-fuzz/; adds about 3½ minutes on 2 cores)
#   ./dev.sh setup   the set-up alone
#
# Idempotent: a second run only rebuilds what changed. Runs as root or as a user with sudo.
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DIR="${CODECOURIER_BUILD_DIR:-build}"
SANITIZE_DIR="${CODECOURIER_SANITIZE_DIR:-build-asan}"
PACKAGES=(
    cmake ninja-build g++ pkg-config
    qt6-base-dev qt6-base-dev-tools qt6-svg-dev libqt6sql6-sqlite libqscintilla2-qt6-dev
    libcurl4-openssl-dev nlohmann-json3-dev libcpp-httplib-dev libmd4c-dev qtkeychain-qt6-dev
    docker.io debootstrap curl ca-certificates
    xvfb xauth
    librsvg2-bin dpkg-dev file desktop-file-utils appstream man-db
    dbus-daemon gnome-keyring libsecret-1-0
    nodejs
    clang libclang-rt-14-dev
)

say() { echo "dev.sh: $*"; }
die() { echo "dev.sh: $*" >&2; exit 1; }

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@";
    elif command -v sudo >/dev/null; then sudo "$@";
    else die "this step needs root: run '$*' as root, then run this script again."; fi
}

ensure_packages() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [[ ${#missing[@]} -eq 0 ]] && return
    say "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

engine_answers() {
    local socket=/var/run/docker.sock
    [[ "${DOCKER_HOST:-}" == unix://* ]] && socket="${DOCKER_HOST#unix://}"
    curl -fsS --max-time 3 --unix-socket "$socket" http://docker/_ping >/dev/null 2>&1
}

ensure_docker() {
    engine_answers && return
    if [[ $(id -u) -ne 0 ]]; then
        if [[ -S /var/run/docker.sock ]]; then
            die "Docker runs but you may not use it: add yourself to the docker group ('sudo usermod -aG docker \$USER', then log in again)."
        fi
        die "Docker is not running: start it with 'sudo systemctl start docker' (or 'sudo dockerd &'), then run this script again."
    fi
    say "starting dockerd (log: /var/log/codecourier-dockerd.log)"
    nohup dockerd >/var/log/codecourier-dockerd.log 2>&1 &
    for _ in $(seq 1 60); do
        engine_answers && return
        sleep 1
    done
    tail -n 20 /var/log/codecourier-dockerd.log >&2 || true
    die "dockerd did not answer within 60 s (its log is above)."
}

ensure_images() {
    if [[ $(id -u) -eq 0 ]]; then packaging/images/build-images.sh;
    else as_root env "PATH=$PATH" packaging/images/build-images.sh; fi
}

# The official E2B SDK that checks the fake E2B server (ctest label e2b), exactly as locked.
ensure_e2b_sdk() {
    local dir=tests/e2b/sdk
    command -v node >/dev/null && command -v npm >/dev/null ||
        die "the e2b tests need Node.js 20.18.1 or newer with npm (package nodejs); install it, then run this script again."
    node -e 'const [a, b, c] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && (b > 18 || (b === 18 && c >= 1))) ? 0 : 1)' ||
        die "the E2B SDK needs Node.js 20.18.1 or newer, this is $(node --version): install a newer nodejs, then run this script again."
    local want
    want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
    [[ -f "$dir/node_modules/.codecourier-lock" && "$(cat "$dir/node_modules/.codecourier-lock")" == "$want" ]] && return
    say "installing the E2B SDK for the e2b tests (npm ci in $dir)"
    npm ci --prefix "$dir" --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
    echo "$want" >"$dir/node_modules/.codecourier-lock"
}

build() {
    if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
        cmake -G Ninja -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    fi
    cmake --build "$BUILD_DIR"
}

setup() {
    ensure_packages
    ensure_e2b_sdk
    ensure_docker
    ensure_images
    build
}

case "${1:-}" in
    start)
        setup
        shift
        exec "$BUILD_DIR/codecourier" "$@"
        ;;
    test)
        setup
        ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 900
        # The same suite again, built with AddressSanitizer and UndefinedBehaviorSanitizer.
        say "sanitizer build (ASan + UBSan) in $SANITIZE_DIR"
        if [[ ! -f "$SANITIZE_DIR/build.ninja" ]]; then
            cmake -G Ninja -S . -B "$SANITIZE_DIR" -DCMAKE_BUILD_TYPE=Debug -DCODECOURIER_SANITIZE=ON >/dev/null
        fi
        cmake --build "$SANITIZE_DIR"
        # The soak is shortened there: it checks for leaks, not endurance.
        CODECOURIER_SOAK_RUNS=60 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 ctest --test-dir "$SANITIZE_DIR" --output-on-failure --timeout 900
        # Every parser that reads hostile bytes, fuzzed for a bounded time (clang + libFuzzer).
        say "fuzzing (fuzz/run-fuzzers.sh) in build-fuzz"
        fuzz/run-fuzzers.sh "${CODECOURIER_FUZZ_SECONDS:-60}"
        ;;
    setup)
        setup
        ;;
    *)
        echo "usage: ./dev.sh start | test | setup" >&2
        exit 2
        ;;
esac
