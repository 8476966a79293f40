#!/usr/bin/env bash
# Every benchmark in one invocation on this machine, side by side (docs/PERFORMANCE.md):
#   1. start-up: `docker run --rm` (the reference) vs `codecourier run` vs the engine cold and warm,
#      time to first byte and total, interleaved round by round; output intake before the cap;
#      resident memory over many runs (bench_startup)
#   2. the window's heartbeat during a long output flood, offscreen (bench_gui_flood)
#
#   bench/run-benchmarks.sh [ROUNDS] [MEMORY_RUNS] [FLOOD_SECONDS]     (defaults 10, 500, 10)
#
# Needs what ./dev.sh setup provides (the engine running, the runner image, a build in build/).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${CODECOURIER_BUILD_DIR:-build}"
ROUNDS="${1:-10}"
MEMORY_RUNS="${2:-500}"
FLOOD_SECONDS="${3:-10}"

cmake --build "$BUILD_DIR" --target codecourier bench_startup bench_gui_flood >/dev/null
echo "# $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(uname -r), $(docker version --format 'Docker {{.Server.Version}}' 2>/dev/null)"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
CODECOURIER_BINARY="$BUILD_DIR/codecourier" "$BUILD_DIR/bench/bench_startup" "$ROUNDS" "$MEMORY_RUNS"
echo
QT_QPA_PLATFORM=offscreen "$BUILD_DIR/bench/bench_gui_flood" "$FLOOD_SECONDS" 3 2>/dev/null
echo
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
