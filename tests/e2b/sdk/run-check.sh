#!/usr/bin/env bash
# ctest's e2b_sdk_check: starts the fake E2B server on free loopback ports, runs the official SDK's
# check against it (check.mjs), stops the server. Never skips: without node or the installed SDK it
# fails and says how to get them.
#   run-check.sh <path of the fake-e2b-server program>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
server="$(realpath "${1:?usage: run-check.sh <fake-e2b-server>}")"

die() { echo "e2b_sdk_check: $*" >&2; exit 1; }

command -v node >/dev/null || die "node is not installed: the E2B SDK needs Node.js 20.18.1 or newer (package nodejs)."
node -e 'const [a, b, c] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && (b > 18 || (b === 18 && c >= 1))) ? 0 : 1)' ||
    die "node $(node --version) is too old: the E2B SDK needs Node.js 20.18.1 or newer."
[[ -f "$here/node_modules/e2b/package.json" ]] ||
    die "the E2B SDK is not installed in $here/node_modules: run './dev.sh setup' (or 'npm ci --prefix tests/e2b/sdk')."

# Loopback only: proxies from the environment must not capture the SDK's requests.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY E2B_DEBUG E2B_DOMAIN E2B_ACCESS_TOKEN

out="$(mktemp)"
"$server" >"$out" 2>&1 &
pid=$!
cleanup() {
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$out"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
    grep -qx ready "$out" && break
    kill -0 "$pid" 2>/dev/null || { cat "$out" >&2; die "the fake server did not start."; }
    sleep 0.05
done
grep -qx ready "$out" || { cat "$out" >&2; die "the fake server did not report ready within 5 s."; }

while IFS='=' read -r name value; do
    case "$name" in E2B_API_URL | E2B_SANDBOX_URL | E2B_API_KEY) export "$name=$value" ;; esac
done <"$out"

cd "$here"
FAKE_E2B_SERVER="$server" node check.mjs
