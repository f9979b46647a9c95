#pragma once
#include "rules/ruleset.h"
#include "score/readiness.h"

namespace otelaudit {

/// Points a repository loses per finding of each severity (docs/scoring.md).
int severity_penalty(Severity s);

/// Fills each repository's status and score and the overall score and verdict.
void score_result(AuditResult& result, const Ruleset& rules, int min_score);

} // namespace otelaudit
