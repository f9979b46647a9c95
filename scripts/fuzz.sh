#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) into build-fuzz/ and runs one of them.
# Usage: scripts/fuzz.sh TARGET SECONDS [extra libFuzzer flags]
#   TARGET: manifest | lockfile | semver | toml_guard | lexer | config | ruleset | audit | modules
#           | fix_edit | yaml | git_loose
# The working corpus is build-fuzz/corpus/TARGET, seeded on each run from fuzz/seeds/TARGET and
# from the repository's fixtures and rule data (copied, never committed). Crashes, timeouts and
# out-of-memory inputs land in build-fuzz/artifacts/TARGET/; a found input belongs under
# fixtures/fuzz-regressions/TARGET/ with a test in tests/hostile/ once it is fixed.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(manifest lockfile semver toml_guard lexer config ruleset audit modules fix_edit yaml git_loose)
if [ $# -lt 2 ] || [[ ! " ${targets[*]} " == *" $1 "* ]] || [[ ! $2 =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/fuzz.sh TARGET SECONDS [libFuzzer flags]" >&2
  echo "targets: ${targets[*]}" >&2
  exit 2
fi
target=$1
seconds=$2
shift 2

# Debian clang and the compiler-rt runtime that holds libFuzzer.
missing=()
for p in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "fuzz: installing ${missing[*]}" >&2
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

build="build-fuzz"
jobs=${OTEL_AUDIT_JOBS:-2}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DOTEL_AUDIT_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target "fuzz-$target" >&2

corpus=$build/corpus/$target
artifacts=$build/artifacts/$target
mkdir -p "$corpus" "$artifacts" "$build/logs"

# Seeds: files are named by content hash, as libFuzzer names its own corpus entries.
seed() {
  local f
  for f in "$@"; do
    [ -f "$f" ] && cp "$f" "$corpus/seed-$(sha1sum <"$f" | cut -c1-16)"
  done
  return 0
}
[ -d "fuzz/seeds/$target" ] && seed fuzz/seeds/"$target"/*
case $target in
  manifest | fix_edit) mapfile -t files < <(find fixtures -name Cargo.toml) ;;
  lockfile) mapfile -t files < <(find fixtures -name Cargo.lock) ;;
  toml_guard) mapfile -t files < <(find fixtures rules -name '*.toml' -o -name Cargo.lock) ;;
  lexer) mapfile -t files < <(find fixtures -name '*.rs') ;;
  config) mapfile -t files < <(find fixtures rules/ecosystems -name '*.toml' ! -name Cargo.toml) ;;
  ruleset) mapfile -t files < <(find rules -maxdepth 1 -name 'otel-0.*.toml') ;;
  yaml) mapfile -t files < <(find fixtures -name '*.yml' -o -name '*.yaml') ;;
  # Loose objects of this repository's own object database (a few hundred; packed ones are not
  # files of their own).
  git_loose)
    objects=$(git rev-parse --git-common-dir 2>/dev/null)/objects
    mapfile -t files < <(find "$objects" -path '*/objects/??/*' -type f 2>/dev/null | head -n 300)
    ;;
  semver | audit | modules) files=() ;; # audit, modules: their seeds are archives of files
esac
seed "${files[@]}"

dict=()
case $target in
  manifest | lockfile | toml_guard | config | ruleset | audit | fix_edit) dict=(-dict=fuzz/toml.dict) ;;
  lexer) dict=(-dict=fuzz/rust.dict) ;;
  modules) dict=(-dict=fuzz/modules.dict) ;;
  yaml) dict=(-dict=fuzz/yaml.dict) ;;
esac

log=$build/logs/$target.log
echo "fuzz: running $target for ${seconds}s (log: $log)" >&2
status=0
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
  "$build/fuzz-$target" "$corpus" "${dict[@]}" -max_total_time="$seconds" -timeout=10 \
  -rss_limit_mb=1024 -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" \
  >"$log" 2>&1 || status=$?

# The last status line holds the coverage; the final stats hold the execution count.
last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
found=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
echo "fuzz: $target seconds=$seconds executions=${execs:-?} cov=${cov:-?} ft=${ft:-?} corpus=${corp:-?} artifacts=$found exit=$status"
if ((status != 0)); then
  grep -E 'ERROR|SUMMARY|invariant|Test unit written' "$log" | head -n 20 >&2 || true
fi
exit "$status"
