#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "score/readiness.h"

namespace otelaudit {

/// Identifies the JSON report format; docs/json-format.md is its contract. Within v1 fields
/// are only ever added, never renamed, retyped or removed. It lives here, below the report
/// that writes it, because a baseline is read from such a report.
inline constexpr std::string_view kJsonSchema = "otel-audit/v1";

/// The prefix of every fingerprint, so a later algorithm can be told apart.
inline constexpr std::string_view kFingerprintVersion = "otelAudit/v1";

/// `message` with runs of whitespace turned into one space and no space at either end: the
/// evidence a fingerprint hashes. Digits stay (versions are the evidence), and the finding's
/// line and column are never part of it, so a finding that moves keeps its fingerprint.
std::string normalise_evidence(std::string_view message);

/// 64-bit FNV-1a of `bytes`, continuing from `hash` (FNV's offset basis by default).
std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t hash = 0xcbf29ce484222325ULL);

/// A finding's identity across runs: 16 hex digits of FNV-1a over its rule, repository, file
/// and normalised message (each followed by a NUL byte). Moving lines does not change it.
std::string fingerprint(const Finding& f);

/// The findings of a previous JSON report, as fingerprints with how often each occurs.
struct Baseline {
  std::string file;
  std::map<std::string, int> fingerprints;
  int findings = 0;
};

/// A parsed baseline, or `error` saying what is wrong with it (with the JSON parser's line and
/// column when the text is not JSON).
struct BaselineResult {
  std::optional<Baseline> baseline;
  std::string error;
};

/// Reads an otel-audit/v1 JSON report from text. A finding's `fingerprint` field is used when
/// present; reports written before it existed are fingerprinted from rule, repo, file, message.
BaselineResult parse_baseline(std::string_view text, const std::string& file);

/// Reads `file` and parses it; an unreadable file is an error naming it.
BaselineResult load_baseline(const std::filesystem::path& file);

/// Marks the findings of `result` that the baseline holds as `baselined` and returns how many.
/// Each baseline entry matches at most one finding, so a second copy of a known problem is new.
int apply_baseline(AuditResult& result, const Baseline& baseline);

/// What the exit code is judged on (DESIGN.md "Exit codes").
struct GateOptions {
  std::optional<Severity> fail_on = Severity::blocker; // nullopt: `--fail-on none`
  int min_score = 0;
  // Where each bar was set, as the reasons name it: the option, or the config file's key.
  std::string fail_on_source = "--fail-on";
  std::string min_score_source = "--min-score";
};

/// Judges the gate: a finding counts unless it is baselined, suppressed or `-W`; a counted
/// finding fails the gate when it is `-D` or at or above `fail_on`. The score (over the
/// effective findings, as every report shows it) fails it when below `min_score`. Each way it
/// failed is one reason, naming the bar and where it was set.
GateResult evaluate_gate(const AuditResult& result, const GateOptions& options);

} // namespace otelaudit
