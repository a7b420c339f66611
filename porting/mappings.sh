#!/bin/sh
# Applies porting/mappings.txt (the Go → C mapping deviations and overrides)
# to porting.db in one porttrack process. Run from the repo root after
# `make` (or with PORTTRACK=/path/to/porttrack).
set -eu
PT="${PORTTRACK:-build/porttrack}"
exec "$PT" --db porting.db script porting/mappings.txt
