#!/usr/bin/env bash
# Builds otel-audit with its tests and runs the whole suite (the README's second command).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest --test-dir "${OTEL_AUDIT_BUILD_DIR:-build}" --output-on-failure -j"$(nproc)"
