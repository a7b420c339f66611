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

[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
