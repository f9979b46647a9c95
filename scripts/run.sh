#!/usr/bin/env bash
# Builds otel-audit and audits the bundled fixture ecosystem (the README's first command).
# Extra arguments go to `otel-audit check`, e.g. scripts/run.sh --format markdown
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 3
build/otel-audit check fixtures/ecosystem/* "$@"
