#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time.
# FUZZ_SECONDS (default 60) per target; FUZZ=conf,parser selects targets.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-60}
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DCNATSD_FUZZ=ON -DCNATSD_TESTS=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)" -- --no-print-directory >/dev/null
rc=0
for src in tests/fuzz/fuzz_*.c; do
  name=$(basename "$src" .c)
  short=${name#fuzz_}
  if [ -n "${FUZZ:-}" ] && [[ ",$FUZZ," != *",$short,"* ]]; then continue; fi
  seeds=tests/fuzz/corpus/$short
  work=build-fuzz/corpus-$short
  mkdir -p "$work"
  echo "fuzz: $name for ${secs}s"
  if ! ./build-fuzz/"$name" -max_total_time="$secs" -artifact_prefix=build-fuzz/"$short"- \
       "$work" ${seeds:+$( [ -d "$seeds" ] && echo "$seeds")} >build-fuzz/"$name".log 2>&1; then
    echo "fuzz: $name FAILED; see build-fuzz/$name.log and build-fuzz/$short-* (add the input as a regression test)"
    rc=1
  fi
done
exit $rc
