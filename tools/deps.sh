#!/usr/bin/env bash
# Installs the Debian packages cnatsd needs to build, test and benchmark.
# Idempotent and quiet when everything is already present.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config
  libuv1-dev libjansson-dev libsqlite3-dev check libsubunit-dev
  liblz4-dev libssl-dev libcrypt-dev
  clang llvm libclang-rt-14-dev
  nats-server libnats-dev
  libhttp-parser-dev openssl
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# `tools/deps.sh test` also needs Node.js for the nats.js client scenarios
# (tests/js); any node/npm already on PATH is kept.
if [ "${1:-}" = "test" ]; then
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The npm "nats" client pinned by tests/js/package-lock.json.
if [ "${1:-}" = "test" ]; then
  js="$(dirname "$0")/../tests/js"
  if [ ! -f "$js/node_modules/.package-lock.json" ] || [ "$js/package-lock.json" -nt "$js/node_modules/.package-lock.json" ]; then
    echo "deps: npm ci in tests/js" >&2
    (cd "$js" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
fi
