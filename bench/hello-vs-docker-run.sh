#!/usr/bin/env bash
# Side-by-side: N hello-world runs through `codecourier run` and through `docker run --rm` with the
# same image and the same hardened flags, interleaved so that both see the same machine load.
# Prints the median and spread of each and the ratio of the medians.
#
#   bench/hello-vs-docker-run.sh [N] [path/to/codecourier]
set -euo pipefail
N="${1:-10}"
CC="${2:-$(dirname "$0")/../build/codecourier}"
IMAGE="${CODECOURIER_RUNNER_IMAGE:-codecourier/runner:bookworm-1}"
snippet=$(mktemp --suffix=.py)
trap 'rm -f "$snippet"' EXIT
echo 'print("hello")' > "$snippet"

reference=(docker run --rm --network none --user 65534:65534 --cap-drop ALL --security-opt no-new-privileges
           --read-only --tmpfs /tmp:rw,nosuid,nodev,size=64m --tmpfs /workspace:rw,nosuid,nodev,size=64m,uid=65534,gid=65534
           --memory 256m --memory-swap 256m --cpus 1 --pids-limit 128 --ulimit nofile=256:256
           --ulimit fsize=67108864:67108864 --init -w /workspace "$IMAGE" python3 -u -c 'print("hello")')

ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
"${reference[@]}" >/dev/null 2>&1; "$CC" run "$snippet" >/dev/null 2>&1   # warm caches for both

ref=(); ours=()
for _ in $(seq "$N"); do
    ref+=("$(ms "${reference[@]}")")
    ours+=("$(ms "$CC" run "$snippet")")
done
stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%d %d %d", m, a[1], a[NR]}'; }
read -r rm rmin rmax <<<"$(stats "${ref[@]}")"
read -r om omin omax <<<"$(stats "${ours[@]}")"
printf '%-28s %8s %8s %8s\n' "total time, $N runs" median min max
printf '%-28s %6d ms %6d ms %6d ms\n' "docker run --rm (reference)" "$rm" "$rmin" "$rmax"
printf '%-28s %6d ms %6d ms %6d ms\n' "codecourier run" "$om" "$omin" "$omax"
awk -v a="$om" -v b="$rm" 'BEGIN {printf "ratio codecourier / docker run: %.2f\n", a / b}'
