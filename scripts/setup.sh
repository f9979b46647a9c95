#!/usr/bin/env bash
# Installs the Debian packages otel-audit needs (when missing) and builds it into build/.
# Usage: scripts/setup.sh [extra cmake -D options]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake ninja-build pkg-config git
          libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libgit2-dev libfmt-dev doctest-dev
          libyaml-dev
          python3-jsonschema)  # python3-jsonschema: the SARIF schema test (tests/data/sarif)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

build_dir=${OTEL_AUDIT_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOTEL_AUDIT_WERROR=ON "$@" >&2
cmake --build "$build_dir" -j"$(nproc)" >&2
