#pragma once
#include "rules/ruleset.h"
#include "score/readiness.h"

namespace otelaudit {

/// Fills each repository's status, score and time to readiness, and the overall score, time
/// and verdict, with the weights and estimates of rules.scoring (docs/scoring.md), and the
/// summary (summarize).
void score_result(AuditResult& result, const Ruleset& rules, int min_score);

/// The counts of `result`'s findings once the policy is applied: suppressed ones, then
/// baselined ones, are counted apart and not by severity.
Summary summarize(const AuditResult& result);

/// The finding a report leads with: the most severe unsuppressed one; among equals, the one in
/// the repository most others of the set depend on (a root cause before its symptoms), then the
/// one that takes longest to resolve, then the first in report order. Both null when none.
struct CriticalFinding {
  const RepoResult* repo = nullptr;
  const Finding* finding = nullptr;
};
CriticalFinding critical_finding(const AuditResult& result);

/// Hours as reports write them: at most two decimals, no trailing zeros ("12", "0.25", "7.5").
std::string format_hours(double hours);

} // namespace otelaudit
