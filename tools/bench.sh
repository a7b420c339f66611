#!/usr/bin/env bash
# `make bench`: runs cnatsd-bench against cnatsd (<build>/nats-server) and the
# Go reference server, alternating, and prints the comparison table.
#   tools/bench.sh [build-dir]
# Environment: BENCH=pub16,reqrep (selection, see `cnatsd-bench --list`),
# BENCH_ROUNDS (3), BENCH_SECS (1.5), BENCH_BUDGET (270 s), BENCH_OUT
# (<build>/bench/results.tsv), BENCH_IDLE_CONNS (2000),
# GO_NATS_SERVER (/usr/sbin/nats-server; "none" to skip it).
set -euo pipefail

build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
case "$build" in /*) ;; *) build="$root/$build" ;; esac

bench="$build/cnatsd-bench"
if [ ! -x "$bench" ]; then
  cmake --build "$build" --target cnatsd-bench -- --no-print-directory >/dev/null
fi
if [ ! -x "$bench" ]; then
  echo "bench: $bench was not built (is libnats-dev installed? run tools/deps.sh)" >&2
  exit 1
fi

# The statistics code checks itself before it is trusted with numbers.
"$bench" --self-test >/dev/null

go_bin=${GO_NATS_SERVER:-/usr/sbin/nats-server}
args=(--cnatsd "$build/nats-server" --out "${BENCH_OUT:-$build/bench/results.tsv}")
if [ "$go_bin" = none ] || [ ! -x "$go_bin" ]; then
  [ "$go_bin" = none ] || echo "bench: Go reference server $go_bin not installed; cnatsd only" >&2
  args+=(--no-go)
else
  args+=(--go "$go_bin")
fi

echo "bench: BENCH=${BENCH:-all} rounds=${BENCH_ROUNDS:-3} secs=${BENCH_SECS:-1.5} ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo 'no commit'))"
exec "$bench" "${args[@]}"
