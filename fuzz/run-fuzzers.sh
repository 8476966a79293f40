#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time.
#
#   fuzz/run-fuzzers.sh [SECONDS]     SECONDS per target, default 60
#
# Build dir: build-fuzz (CODECOURIER_FUZZ_DIR overrides). Targets run side by side, as many at a
# time as there are cores (FUZZ_JOBS overrides). Each starts from its committed seeds in
# fuzz/corpus/<target>/ plus what earlier runs found in build-fuzz/corpus/<target>/, where new
# inputs go; the repository is never written to. A crash, an invariant that fails, a timeout
# (-timeout=10 s per input) or running out of memory (2 GiB) fails the run: the input is left in
# build-fuzz/crashes/<target>/ and the command that reproduces it is printed. Exit status 1 then.
set -euo pipefail
cd "$(dirname "$0")/.."

budget="${1:-60}"
[[ "$budget" =~ ^[0-9]+$ && "$budget" -gt 0 ]] || { echo "usage: $0 [SECONDS]" >&2; exit 2; }
build="${CODECOURIER_FUZZ_DIR:-build-fuzz}"
jobs="${FUZZ_JOBS:-$(nproc)}"
max_len=65536

say() { echo "run-fuzzers: $*"; }

command -v clang++ >/dev/null || { say "clang++ is missing: apt-get install clang libclang-rt-14-dev" >&2; exit 2; }

started=$(date +%s)
if [[ ! -f "$build/build.ninja" ]]; then
    say "configuring $build with clang++"
    cmake -G Ninja -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
        -DCODECOURIER_FUZZ=ON >/dev/null
fi
say "building the fuzz targets"
cmake --build "$build" --target fuzz
built=$(date +%s)
say "build took $((built - started)) s"

targets=()
for source in fuzz/fuzz_*.cpp; do
    name=$(basename "$source" .cpp)
    targets+=("${name#fuzz_}")
done

mkdir -p "$build/logs"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

run_target() {
    local t=$1
    local crashes="$build/crashes/$t"
    rm -rf "$crashes"
    mkdir -p "$crashes" "$build/corpus/$t"
    local args=(-max_total_time="$budget" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048
                -print_final_stats=1 -artifact_prefix="$crashes/")
    [[ -f "fuzz/dict/$t.dict" ]] && args+=(-dict="fuzz/dict/$t.dict")
    local rc=0
    # The outer timeout only guards against a fuzzer that ignores its own time limit.
    timeout --kill-after=10 $((budget + 120)) "$build/fuzz/fuzz_$t" "${args[@]}" \
        "$build/corpus/$t" "fuzz/corpus/$t" >"$build/logs/$t.log" 2>&1 || rc=$?
    echo "$rc" >"$build/logs/$t.rc"
    local execs
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/logs/$t.log" | tail -n 1)
    say "$t: ${execs:-?} executions, exit status $rc"
}

say "running ${#targets[@]} targets for $budget s each, $jobs at a time"
running=0
for t in "${targets[@]}"; do
    if [[ $running -ge $jobs ]]; then
        wait -n || true
        running=$((running - 1))
    fi
    run_target "$t" &
    running=$((running + 1))
done
wait || true
finished=$(date +%s)

final_stat() { sed -n "s/^stat::$2: *//p" "$build/logs/$1.log" | tail -n 1; }

failed=0
echo
printf '%-24s %12s %10s %8s %10s  %s\n' target executions exec/s cov corpus result
for t in "${targets[@]}"; do
    log="$build/logs/$t.log"
    rc=$(cat "$build/logs/$t.rc" 2>/dev/null || echo 99)
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)
    cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$done_line")
    corpus=$(sed -nE 's/.* corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$done_line")
    result=ok
    [[ "$rc" == 0 ]] || { result="FAILED (exit $rc)"; failed=1; }
    printf '%-24s %12s %10s %8s %10s  %s\n' "$t" "$(final_stat "$t" number_of_executed_units)" \
        "$(final_stat "$t" average_exec_per_sec)" "${cov:--}" "${corpus:--}" "$result"
done
echo
say "build $((built - started)) s, fuzzing $((finished - built)) s, total $((finished - started)) s"

for t in "${targets[@]}"; do
    rc=$(cat "$build/logs/$t.rc" 2>/dev/null || echo 99)
    [[ "$rc" == 0 ]] && continue
    echo
    say "$t failed (exit $rc); log: $build/logs/$t.log"
    grep -m 5 -E 'invariant failed|ERROR: |runtime error:|deadly signal|ALARM|out-of-memory' "$build/logs/$t.log" | sed 's/^/    /' || true
    found=0
    for input in "$build/crashes/$t"/*; do
        [[ -f "$input" ]] || continue
        found=1
        say "input kept: $input"
        say "reproduce:  $build/fuzz/fuzz_$t $input"
    done
    [[ $found == 1 ]] || say "no input was kept: the fuzzer did not start or was killed (see the log)"
done
exit $failed
