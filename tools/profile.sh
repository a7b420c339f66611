#!/usr/bin/env bash
# `make profile`: runs one benchmark scenario against cnatsd under a profiler
# and prints where the report is.
#   tools/profile.sh [build-dir]
# PROFILE=pub16 (scenario, see `cnatsd-bench --list`), PROFILE_TOOL=perf|callgrind
# (default: perf when it can sample here, else callgrind), BENCH_SECS (1.5).
# Output: <build>/profile/<scenario>.{perf.data,perf.txt} or .callgrind{,.txt}
set -euo pipefail

build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
case "$build" in /*) ;; *) build="$root/$build" ;; esac
scenario=${PROFILE:-pub16}
server="$build/nats-server"
bench="$build/cnatsd-bench"

if [ ! -x "$bench" ]; then
  cmake --build "$build" --target cnatsd-bench -- --no-print-directory >/dev/null
fi
if ! "$bench" --list | awk '{print $1}' | grep -qx -- "$scenario"; then
  echo "profile: unknown scenario '$scenario'; choose one of:" >&2
  "$bench" --list >&2
  exit 2
fi
if ! "$bench" --probe "$server" 2>/dev/null; then
  echo "profile: cnatsd core server not available yet ($server does not answer INFO)" >&2
  exit 1
fi

tool=${PROFILE_TOOL:-}
if [ -z "$tool" ]; then
  # Hardware counters are often missing in VMs; the cpu-clock software event
  # is enough for sampling.
  if command -v perf >/dev/null && perf record -q -e cpu-clock -o /dev/null -- true >/dev/null 2>&1; then
    tool=perf
  elif command -v valgrind >/dev/null; then
    tool=callgrind
  else
    echo "profile: neither a working perf nor valgrind is installed (apt-get install linux-perf valgrind)" >&2
    exit 1
  fi
fi

out="$build/profile"
mkdir -p "$out"
common=(--no-go --cnatsd "$server" --only "$scenario" --rounds 1 --out "$out/$scenario.tsv")
case "$tool" in
  perf)
    data="$out/$scenario.perf.data"
    rm -f "$data"
    "$bench" "${common[@]}" --perf-out "$data"
    { perf report -i "$data" --stdio --no-children -g none --percent-limit 0.5 --sort dso,symbol 2>/dev/null || true; } \
      | grep -v '^$' >"$out/$scenario.perf.txt" || true
    echo
    echo "profile: perf samples in $data"
    echo "profile: summary in $out/$scenario.perf.txt (top lines below)"
    grep -E '^ +[0-9.]+%' "$out/$scenario.perf.txt" | sed -n 1,15p || true
    echo "profile: browse with: perf report -i $data"
    ;;
  callgrind)
    data="$out/$scenario.callgrind"
    rm -f "$data"
    "$bench" "${common[@]}" --callgrind-out "$data"
    if [ ! -s "$data" ]; then
      echo "profile: callgrind wrote no data (did the server exit cleanly on SIGTERM?)" >&2
      exit 1
    fi
    { callgrind_annotate "$data" 2>/dev/null || true; } | sed -n 1,80p >"$out/$scenario.callgrind.txt"
    echo
    echo "profile: callgrind data in $data"
    echo "profile: summary in $out/$scenario.callgrind.txt; browse with: kcachegrind $data"
    ;;
  *)
    echo "profile: PROFILE_TOOL must be perf or callgrind" >&2
    exit 2
    ;;
esac
