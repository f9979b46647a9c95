#!/usr/bin/env bash
# Builds a git repository with a small, deterministic history from the edge-agent fixture:
# the seed state, then the kind of commits a real repository sees (docs, one source file,
# the OpenTelemetry upgrade in the manifests). docs/history.md quotes `otel-audit history` on it.
# Usage: scripts/fixture-history.sh DIR
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)/fixtures/ecosystem/edge-agent"
dir=${1:?usage: scripts/fixture-history.sh DIR}
rm -rf "$dir"
mkdir -p "$dir"
cp -r "$src/." "$dir/"
cd "$dir"
export GIT_AUTHOR_NAME=fixture GIT_AUTHOR_EMAIL=fixture@example.invalid
export GIT_COMMITTER_NAME=fixture GIT_COMMITTER_EMAIL=fixture@example.invalid
day=0
commit() {
  day=$((day + 1))
  export GIT_AUTHOR_DATE="2026-01-$(printf %02d "$day")T12:00:00Z" GIT_COMMITTER_DATE="2026-01-$(printf %02d "$day")T12:00:00Z"
  git add -A && git commit -q -m "$1"
}
git init -q -b main .
commit "Seed state: opentelemetry 0.26"
echo "# edge-agent" > README.md && commit "Add a README"
echo "Run with cargo run." >> README.md && commit "Document how to run"
sed -i 's/"llm-edge-agent"/"llm.edge-agent"/' crates/llm-edge-monitoring/src/tracing.rs && commit "Service name follows the llm.{component} standard"
echo "See docs/." >> README.md && commit "Point to the docs"
sed -i 's/^opentelemetry = "0.26"/opentelemetry = "0.27"/' Cargo.toml && commit "opentelemetry 0.27"
echo "Upgraded." >> README.md && commit "Note the upgrade"
