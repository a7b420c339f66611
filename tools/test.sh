#!/usr/bin/env bash
# `make test` after the builds: every ctest suite (unit + wire, sanitizer and
# coverage build), then the tracker: evidence import, refresh (developer
# machines only) and the gate. Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
REL=${1:-build}
TB=${2:-build-test}
JOBS=$(nproc 2>/dev/null || echo 2)

rm -rf "$TB/test-results" && mkdir -p "$TB/test-results"
find "$TB" -name '*.gcda' -delete

( cd "$TB" && ctest --output-on-failure -j "$JOBS" ) | tee "$TB/ctest.log"
ctest_rc=${PIPESTATUS[0]}

# Wire suite skips (version-gated against the reference, feature-gated against
# cnatsd), per run target; ctest hides passing tests' output, so read its log.
log="$TB/Testing/Temporary/LastTest.log"
if [ -f "$log" ]; then
  echo "== wire skips"
  awk '/^[0-9]+\/[0-9]+ Testing: /{t=$3} /^wire: [0-9]+ skipped/{n[t]=$2}
       /^SKIP: /{line=t": "substr($0,7); if(!(line in seen)){seen[line]=1; print "  " line}}
       END{for (k in n) {tot[k ~ /_cnatsd$/ ? "cnatsd" : "goref"]+=n[k]}
           printf "wire skipped: %d against cnatsd, %d against the Go reference\n", tot["cnatsd"], tot["goref"]}' "$log"
fi

summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$TB/ctest.log" | tail -n 1)
total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
failed=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$summary")
[ -n "$total" ] || total=0
[ -n "$failed" ] || failed=$total

track_rc=0
PT="$REL/porttrack"
if [ -x "$PT" ] && [ -f porting.db ]; then
  echo "== porttrack: evidence, refresh, gate"
  "$PT" evidence import --results "$TB/test-results" --coverage "$TB" || track_rc=1
  if [ "${CI:-}" != "true" ] && [ $track_rc -eq 0 ]; then
    "$PT" refresh || track_rc=1
  fi
  "$PT" gate || track_rc=1
  "$PT" report summary | head -n 20
else
  echo "== porttrack: not built or no porting.db; tracker gate skipped" >&2
  track_rc=1
fi

passed=$((total - failed))
[ $track_rc -ne 0 ] && failed=$((failed + 1)) && echo "porttrack gate: FAILED"
echo "tests: $passed passed, $failed failed"
[ $ctest_rc -eq 0 ] && [ $track_rc -eq 0 ]
