#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/baseline.h"
#include "rules/finding.h"
#include "score/readiness.h"

namespace otelaudit {

/// A policy entry that silences matching findings, with the reason the user gave.
struct IgnoreRule {
  std::string rule;
  std::string repo; // empty: every repository
  std::string path; // empty: every file; else a path or glob inside the repository
  std::string reason;
  std::string origin; // where it was written, e.g. "otel-audit.toml:12:1"
};

/// What `-A` / `-W` / `-D` (or the config) says about the findings of a rule or a severity.
enum class LevelAction { allow, warn, deny };

/// One `-A/-W/-D` entry: `key` is a rule id or a severity name (`-A info`).
struct LevelEntry {
  std::string key;
  LevelAction action = LevelAction::warn;
  std::string origin; // where it was given, for messages: "-A" or "otel-audit.toml:12:1"
};

/// Policy that shapes the result (severities, what counts) and the gate.
struct AuditPolicy {
  std::map<std::string, Severity> severity_overrides;  // rule id -> severity
  std::vector<IgnoreRule> ignores;                     // matching findings are suppressed
  int min_score = 0;                                   // the gate's score bar (--min-score)
  std::optional<Severity> fail_on = Severity::blocker; // the gate's bar; nullopt: --fail-on none
  // Where fail_on and min_score were set, for the gate's reasons: the option or the config key.
  std::string fail_on_source = "--fail-on";
  std::string min_score_source = "--min-score";
  // Applied after the severity overrides; an entry naming a rule id wins over one naming the
  // finding's severity. allow: dropped from every report and the gate; warn: reported, never
  // fails the gate; deny: always fails the gate (unless baselined).
  std::vector<LevelEntry> levels;
  // A previous report: the findings it holds are marked baselined (shown, never failing the
  // gate).
  std::optional<Baseline> baseline;
  // Threads for the audit (0: one per core). Repositories are audited in parallel and the
  // leftover threads share each repository's source files; the result never depends on it.
  unsigned jobs = 0;
};

/// `-A` / `-W` / `-D` as the option spells it, e.g. "-A".
std::string_view level_flag(LevelAction action);

/// The first problem with `levels`, empty when there is none: a key that is neither a rule id
/// nor a severity, or one key given two different actions.
std::string check_levels(const std::vector<LevelEntry>& levels);

/// What the levels did over one audit, for the summary and to report stale entries.
struct LevelReport {
  int allowed = 0;                   // findings dropped by an allow entry
  std::vector<LevelEntry> unmatched; // entries that applied to no finding, in given order
};

/// Applies the whole policy to a result whose every finding exists (each repository's own and
/// the cross-repository ones), all at their rules' default severities, in one step and in this
/// order: severity overrides (not to orphan findings: their file is not compiled), the
/// repositories' inline allow comments (one that silences nothing becomes an
/// unused-suppression finding), the `-A/-W/-D` levels, the config's ignore entries (one that
/// matches nothing becomes a warning of `result`) and the baseline. Findings end sorted.
/// `levels` tells what the levels did.
void apply_policy(AuditResult& result, const AuditPolicy& policy, LevelReport& levels);

} // namespace otelaudit
