#!/usr/bin/env bash
# Benchmark (not a test): otel-audit against ripgrep and `cargo metadata` on a generated ecosystem.
# Usage: scripts/bench.sh [--repos N] [--crates M] [--files K] [--lines L] [--reps R]
#   N repositories, each a workspace of M crates with K .rs files of about L lines
#   (defaults 20 x 10 x 10 x 500: about 1 million lines of Rust); R timed runs of each command,
#   the median is reported. The ecosystem goes to $BENCH_DIR (kept) or a temporary directory
#   (removed at exit); the same arguments always generate the same bytes.
# Times, side by side on the same files:
#   otel-audit  build/otel-audit check <repos> --format json --fail-on none (report to /dev/null)
#   rg          ripgrep over the same .rs files for the identifiers the source rules look for
#   cargo       cargo metadata --no-deps --offline --format-version 1, once per workspace (summed)
# then the ratios, otel-audit's peak memory (/usr/bin/time -v) and its time on twice the input.
# Last, the YAML stage: deployment files shaped like real service repositories (Compose,
# Kubernetes, collector, Helm values, CI workflows, .env; scripts/gen-deploy.py) for N
# repositories, audited alone and searched by rg, and build/otel-audit-yaml-stage's one-thread
# MB/s (CPU time) of parse_yaml and load_deploy on them and on fixtures/ecosystem.
set -euo pipefail
cd "$(dirname "$0")/.."

repos=20 crates=10 files=10 lines=500 reps=3
usage() {
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
while (($#)); do
  case $1 in
    --repos) repos=$2 ;;
    --crates) crates=$2 ;;
    --files) files=$2 ;;
    --lines) lines=$2 ;;
    --reps) reps=$2 ;;
    -h | --help) usage ;;
    *) echo "bench: unknown argument $1" >&2; usage ;;
  esac
  [[ $2 =~ ^[1-9][0-9]*$ ]] || { echo "bench: $1 needs a positive number" >&2; exit 2; }
  shift 2
done

# Debian ripgrep and GNU time, when missing.
missing=()
command -v rg >/dev/null || missing+=(ripgrep)
[ -x /usr/bin/time ] || missing+=(time)
if ((${#missing[@]})); then
  echo "bench: installing ${missing[*]}" >&2
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
command -v cargo >/dev/null || { echo "bench: cargo not found" >&2; exit 3; }

audit=${OTEL_AUDIT_BIN:-build/otel-audit}
if [ ! -x "$audit" ]; then
  echo "bench: $audit missing, building it (scripts/setup.sh)" >&2
  scripts/setup.sh
fi

if [ -n "${BENCH_DIR:-}" ]; then
  work=$BENCH_DIR
  mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/otel-audit-bench.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi

gen() { # gen DIR REPOS
  rm -rf "$1"
  python3 scripts/gen-ecosystem.py "$1" --repos "$2" --crates "$crates" --files "$files" \
    --lines "$lines"
}
echo "bench: generating ${repos}x${crates}x${files}x${lines} in $work" >&2
size1=$(gen "$work/x1" "$repos")
size2=$(gen "$work/x2" $((repos * 2)))

# The identifiers the source rules look for: exporter and pipeline entry points, service-name
# attributes, propagators, environment reads, OTLP and Jaeger ports.
pattern='opentelemetry_otlp|opentelemetry_jaeger|opentelemetry_zipkin|new_pipeline|new_agent_pipeline'
pattern+='|new_collector_pipeline|new_exporter|with_service_name|service\.name|SERVICE_NAME'
pattern+='|TraceContextPropagator|set_text_map_propagator|Propagator::new|env::var|OTEL_[A-Z_]+'
pattern+='|KeyValue::new|Resource::new|install_batch|install_simple|set_tracer_provider'
pattern+='|shutdown_tracer_provider|with_endpoint|instrument|info_span|\b(6831|6832|14268|14250|4317|4318)\b'

now() { date +%s%N; }
# median_ms CMD...: runs CMD $reps times (output discarded), prints the median in milliseconds.
median_ms() {
  local i start end times=()
  for ((i = 0; i < reps; i++)); do
    start=$(now)
    "$@" >/dev/null 2>&1 || [ $? -eq 1 ] # rg exits 1 when nothing matched, otel-audit on a failed gate
    end=$(now)
    times+=($(((end - start) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'
}

workspaces() { find "$1" -mindepth 1 -maxdepth 1 -type d | sort; }
run_audit() { mapfile -t ws < <(workspaces "$1"); "$audit" check "${ws[@]}" --format json --fail-on none; }
# The report goes to stdout, redirected: --output writes atomically (a temporary file renamed
# over the target), which must never be pointed at /dev/null.
run_rg() { rg --no-config -n -g '*.rs' -e "$pattern" "$1"; }
run_rg1() { rg --no-config -j1 -n -g '*.rs' -e "$pattern" "$1"; }
cargo_failures=0
run_cargo() {
  local ws
  for ws in $(workspaces "$1"); do
    cargo metadata --no-deps --offline --format-version 1 --manifest-path "$ws/Cargo.toml" \
      >/dev/null 2>>"$work/cargo-errors.log" || cargo_failures=$((cargo_failures + 1))
  done
}

# One untimed run of each: warms the page cache, checks that every tool works on the input.
rm -f "$work/cargo-errors.log"
run_audit "$work/x1" >"$work/report.json" || true
findings=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(len(x["findings"]) for x in r["repos"]))' "$work/report.json" 2>/dev/null || echo "?")
matches=$(run_rg "$work/x1" | wc -l)
run_cargo "$work/x1"
cargo_note="all $repos workspaces read"
if ((cargo_failures)); then
  cargo_note="FAILED on $cargo_failures of $repos workspaces (see $work/cargo-errors.log)"
fi

echo "bench: timing, $reps runs each" >&2
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
t_audit=$(median_ms run_audit "$work/x1")
t_rg=$(median_ms run_rg "$work/x1")
t_rg1=$(median_ms run_rg1 "$work/x1")
t_cargo=$(median_ms run_cargo "$work/x1")
t_audit2=$(median_ms run_audit "$work/x2")
t_rg2=$(median_ms run_rg "$work/x2")

mapfile -t ws1 < <(workspaces "$work/x1")
peak_kb=$(/usr/bin/time -v "$audit" check "${ws1[@]}" --format json --fail-on none 2>&1 >/dev/null |
  sed -n 's/.*Maximum resident set size (kbytes): *//p')
mapfile -t ws2 < <(workspaces "$work/x2")
peak_kb2=$(/usr/bin/time -v "$audit" check "${ws2[@]}" --format json --fail-on none 2>&1 >/dev/null |
  sed -n 's/.*Maximum resident set size (kbytes): *//p')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
bytes1=$(du -sb "$work/x1" | cut -f1)

cat <<EOF
input:       $size1, $((bytes1 / 1048576)) MiB on disk
2x input:    $size2
load:        $load_before before timing, $(cut -d' ' -f1-3 /proc/loadavg) after (1, 5, 15 min averages)
machine:     $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
sanity:      otel-audit findings=$findings, rg matching lines=$matches, cargo metadata: $cargo_note

median of $reps runs (ms)
  otel-audit check (json)           $t_audit
  rg (all cores)                    $t_rg
  rg -j1                            $t_rg1
  cargo metadata --no-deps, summed  $t_cargo

ratios
  otel-audit / rg                   $(ratio "$t_audit" "$t_rg")
  otel-audit / rg -j1               $(ratio "$t_audit" "$t_rg1")
  otel-audit / cargo metadata       $(ratio "$t_audit" "$t_cargo")

peak memory of otel-audit           $((peak_kb / 1024)) MiB (2x input: $((peak_kb2 / 1024)) MiB)

scaling (2x input / 1x input)
  otel-audit                        $(ratio "$t_audit2" "$t_audit")  ($t_audit2 ms)
  rg                                $(ratio "$t_rg2" "$t_rg")  ($t_rg2 ms)
EOF

# The YAML stage, on its own corpus so the figures above stay comparable with earlier runs.
stage=${OTEL_AUDIT_YAML_STAGE_BIN:-build/otel-audit-yaml-stage}
if [ ! -x "$stage" ]; then
  echo "bench: $stage missing, building it" >&2
  cmake --build build --target otel-audit-yaml-stage >&2
fi
echo "bench: generating deployment files for $repos repositories" >&2
rm -rf "$work/deploy"
deploy_size=$(python3 scripts/gen-deploy.py "$work/deploy" --repos "$repos")
mapfile -t dws < <(workspaces "$work/deploy")
run_audit_deploy() { "$audit" check "${dws[@]}" --format json --fail-on none; }
# What the deployment rules look for: OpenTelemetry variables, collector and Jaeger ports and
# names. --hidden: .env files and .github/workflows are read by the audit too.
deploy_pattern='OTEL_[A-Z_]+|otel-collector|jaeger|service\.name|\b(4317|4318|6831|14268|14250)\b'
run_rg_deploy() {
  rg --no-config --hidden -n -g '*.yml' -g '*.yaml' -g '.env*' -e "$deploy_pattern" "$work/deploy"
}
run_audit_deploy >/dev/null 2>&1 || true
t_audit_deploy=$(median_ms run_audit_deploy)
t_rg_deploy=$(median_ms run_rg_deploy)

cat <<EOF

YAML stage: $deploy_size
  otel-audit check, deployment files only   $t_audit_deploy ms
  rg over the same YAML and .env files       $t_rg_deploy ms
  otel-audit / rg                           $(ratio "$t_audit_deploy" "$t_rg_deploy")
one thread, files in memory (otel-audit-yaml-stage):
$("$stage" --reps 5 "$work"/deploy/*)
fixtures/ecosystem:
$("$stage" --reps 50 fixtures/ecosystem/*)
EOF
