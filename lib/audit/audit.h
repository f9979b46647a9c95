#pragma once
#include <map>
#include <string>
#include <vector>

#include "rules/ruleset.h"
#include "score/readiness.h"
#include "source/tree.h"

namespace otelaudit {

/// One repository to audit: its display name, the path the user gave, and its files.
struct RepoInput {
  std::string name;
  std::string path;
  const Tree* tree = nullptr;
};

/// Policy that shapes the result (severities) and the verdict.
struct AuditPolicy {
  std::map<std::string, Severity> severity_overrides; // rule id -> severity
  int min_score = 0;                                   // below it the verdict is NO-GO
};

/// Reads, models, judges and scores every repository: the whole pipeline below the cli.
AuditResult run_audit(const std::vector<RepoInput>& repos, const Ruleset& rules,
                      const AuditPolicy& policy = {});

} // namespace otelaudit
