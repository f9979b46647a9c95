#!/usr/bin/env bash
# The steps of the GitHub Action (action.yml), kept here so that they run, and are tested
# (tests/ci/action_test.py), outside GitHub too.
#
#   action-run.sh prepare   where otel-audit comes from: the `otel-audit` input (an installed
#                           binary), the `deb` input (a released package), or a build from this
#                           checkout, cached by a key of its sources and the runner image
#   action-run.sh install   installs the .deb, or the Debian build dependencies and (when the
#                           cache did not have it) builds and installs otel-audit into a prefix
#   action-run.sh audit     runs `otel-audit check`, writes the report, the SARIF file and the
#                           Markdown summary ($GITHUB_STEP_SUMMARY) and records the gate's exit
#                           code as the `exit-code` output; the action's last step exits with it
#
# Inputs come as INPUT_* environment variables (action.yml maps them); outputs go to
# $GITHUB_OUTPUT as key=value lines. Exit codes of `audit`: 0 the audit ran (whatever the gate
# said), 2 or 3 as otel-audit's (it could not run: nothing to upload).
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
temp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
prefix=$temp/otel-audit-prefix

# The report format of the job summary. Switch to markdown-summary (a shorter report made for
# $GITHUB_STEP_SUMMARY) once `otel-audit check` has it: this is the only place to change.
SUMMARY_FORMAT=markdown

# $GITHUB_STEP_SUMMARY takes at most 1 MiB per step.
SUMMARY_LIMIT=$((1024 * 1024))

output() { printf '%s=%s\n' "$1" "$2" >>"${GITHUB_OUTPUT:-/dev/null}"; }
fail() {
  echo "::error title=otel-audit::$1"
  exit "${2:-3}"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

prepare() {
  if [ -n "${INPUT_OTEL_AUDIT:-}" ]; then
    [ -x "$INPUT_OTEL_AUDIT" ] || fail "the otel-audit input \"$INPUT_OTEL_AUDIT\" is not an executable" 2
    output mode given
    output otel-audit "$INPUT_OTEL_AUDIT"
  elif [ -n "${INPUT_DEB:-}" ]; then
    output mode deb
  else
    # A build is reused only by the same sources on the same runner image: the key hashes the
    # files the build reads, the checkout's own path (the build records it) and the image.
    local sources
    sources=$(cd "$here" && find CMakeLists.txt cli lib rules docs/schema -type f -print0 |
      LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
    local place
    place=$(printf '%s' "$here|$prefix" | sha256sum | cut -c1-8)
    output mode build
    output prefix "$prefix"
    output cache-key "otel-audit-${ImageOS:-local}-${ImageVersion:-0}-$(uname -m)-$place-$sources"
  fi
}

install() {
  case ${INPUT_MODE:-} in
  given) ;;
  deb)
    local deb=$INPUT_DEB
    if [[ $deb == http://* || $deb == https://* ]]; then
      deb=$temp/otel-audit.deb
      curl -fsSL --retry 3 -o "$deb" "$INPUT_DEB" || fail "cannot download $INPUT_DEB"
    fi
    [ -f "$deb" ] || fail "the deb input \"$deb\" is not a file" 2
    # A path apt-get reads as a file, not as a package name.
    [[ $deb == */* ]] || deb=./$deb
    as_root apt-get update -q || fail "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "$deb" ||
      fail "cannot install $deb"
    output otel-audit "$(command -v otel-audit)"
    ;;
  build)
    # The runtime libraries come with the build dependencies, so they are needed on a cache hit
    # too.
    "$here/scripts/setup.sh" --build-deps || fail "cannot install the build dependencies"
    if [ "${INPUT_CACHE_HIT:-}" != true ] || [ ! -x "$prefix/bin/otel-audit" ]; then
      local build=$temp/otel-audit-build
      cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF ||
        fail "cmake could not configure otel-audit"
      cmake --build "$build" -j"$(nproc)" || fail "otel-audit did not build"
      rm -rf "$prefix"
      cmake --install "$build" --prefix "$prefix" || fail "cmake could not install otel-audit"
    fi
    output otel-audit "$prefix/bin/otel-audit"
    ;;
  *) fail "unknown installation mode \"${INPUT_MODE:-}\"" ;;
  esac
}

# Runs otel-audit with the common arguments and `"$@"`; returns its exit code.
run() {
  "$OTEL_AUDIT" check "${common[@]}" "$@"
}

audit() {
  [ -n "${OTEL_AUDIT:-}" ] || fail "no otel-audit to run"
  local out=$temp/otel-audit
  mkdir -p "$out" || fail "cannot create $out"
  common=()
  # Paths are shell words: split at white space, and globs (repos/*) expanded.
  local path
  for path in ${INPUT_PATHS:-}; do common+=("$path"); done
  [ -n "${INPUT_TARGET:-}" ] && common+=(--target "$INPUT_TARGET")
  [ -n "${INPUT_FAIL_ON:-}" ] && common+=(--fail-on "$INPUT_FAIL_ON")
  [ -n "${INPUT_CONFIG:-}" ] && common+=(--config "$INPUT_CONFIG")
  # The checkout's own otel-audit.toml is the pull request's to change: ignored unless trusted.
  [ "${INPUT_REPOSITORY_CONFIG:-false}" = "true" ] || export OTEL_AUDIT_NO_CONFIG=1
  local -a extra=()
  read -r -a extra <<<"${INPUT_ARGS:-}"
  common+=("${extra[@]}")

  local format=${INPUT_FORMAT:-text}
  local report=$out/report.$format
  local code=0
  run --format "$format" --output "$report" || code=$?
  output exit-code "$code"
  if ((code > 1)); then
    {
      echo "## otel-audit"
      echo
      echo "otel-audit could not audit (exit code $code); the log of this step says why."
    } >>"${GITHUB_STEP_SUMMARY:-/dev/null}"
    exit "$code"
  fi
  cat "$report"
  output report "$report"

  local sarif=$out/otel-audit.sarif
  local again=0
  run --format sarif --output "$sarif" --quiet || again=$?
  ((again > 1)) && fail "otel-audit could not write the SARIF report (exit code $again)" "$again"
  output sarif "$sarif"

  local summary=$out/summary.md
  run --format "$SUMMARY_FORMAT" --output "$summary" --quiet || again=$?
  ((again > 1)) && fail "otel-audit could not write the summary (exit code $again)" "$again"
  output summary "$summary"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    if (($(wc -c <"$summary") > SUMMARY_LIMIT)); then
      {
        head -c $((SUMMARY_LIMIT - 200)) "$summary"
        # shellcheck disable=SC2016 # the backquotes are Markdown
        printf '\n\n(The report is longer than a job summary can hold; the whole of it is the'
        # shellcheck disable=SC2016
        printf ' `summary` output of this step.)\n'
      } >>"$GITHUB_STEP_SUMMARY"
    else
      cat "$summary" >>"$GITHUB_STEP_SUMMARY"
    fi
  fi
  exit 0
}

case ${1:-} in
prepare) prepare ;;
install) install ;;
audit) audit ;;
*)
  echo "usage: scripts/action-run.sh prepare|install|audit" >&2
  exit 2
  ;;
esac
