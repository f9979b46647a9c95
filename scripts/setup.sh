#!/usr/bin/env bash
# Installs the Debian packages otel-audit needs (when missing) and builds it into build/.
# Usage: scripts/setup.sh [extra cmake -D options]
#        scripts/setup.sh --build-deps   (only the packages that build and package it; no build)
set -euo pipefail
cd "$(dirname "$0")/.."

# To build it, and to package it as a .deb (CPack runs dpkg-shlibdeps, which needs file).
packages=(build-essential cmake ninja-build pkg-config git
          libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libgit2-dev libfmt-dev doctest-dev
          libyaml-dev zlib1g-dev
          dpkg-dev file)
if [ "${1:-}" = --build-deps ]; then
  shift
  build_only=1
else
  build_only=0
  # The test suite: the JSON Schema tests (SARIF, report, scan document) and the YAML of
  # action.yml, the workflows and the pre-commit hook; the man page and the completions, read by
  # the programs that use them; the pre-commit hook, run by pre-commit; the GNU parallel recipe of
  # docs/scan.md.
  packages+=(python3-jsonschema python3-yaml
             groff-base man-db bash zsh fish
             pre-commit parallel)
fi
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

if ((build_only)); then exit 0; fi

build_dir=${OTEL_AUDIT_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOTEL_AUDIT_WERROR=ON "$@" >&2
cmake --build "$build_dir" -j"$(nproc)" >&2
