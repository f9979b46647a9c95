#pragma once
#include "rules/ruleset.h"
#include "score/readiness.h"

namespace otelaudit {

/// Fills each repository's status, score and time to readiness, and the overall score, time
/// and verdict, with the weights, estimates and readiness minimum of rules.scoring
/// (docs/scoring.md), and the summary (summarize). Only effective findings count (neither
/// suppressed nor baselined); the gate options play no part (the gate is judged apart).
void score_result(AuditResult& result, const Ruleset& rules);

/// True when `f` counts for the summary, the scores and the verdict: neither suppressed (inline
/// allow, ignore entry) nor baselined (accepted through --baseline). Findings dropped by -A are
/// no longer in the result.
bool effective(const Finding& f);

/// The counts of `result`'s findings once the policy is applied: suppressed ones, then
/// baselined ones, are counted apart and not by severity; `allowed` is what -A dropped.
Summary summarize(const AuditResult& result, int allowed = 0);

/// The finding a report leads with: the most severe effective one; among equals, the one in
/// the repository most others of the set depend on (a root cause before its symptoms), then the
/// one that takes longest to resolve, then the first in report order. Both null when none.
struct CriticalFinding {
  const RepoResult* repo = nullptr;
  const Finding* finding = nullptr;
};
CriticalFinding critical_finding(const AuditResult& result);

/// The gate's reasons as one sentence for the reports: "3 findings at or above high
/// (--fail-on high); score 40 below --min-score 50"; empty when it passed.
std::string gate_reasons(const GateResult& gate);

/// Hours as reports write them: at most two decimals, no trailing zeros ("12", "0.25", "7.5").
std::string format_hours(double hours);

} // namespace otelaudit
