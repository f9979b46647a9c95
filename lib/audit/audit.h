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
  std::string commit;    // audited commit id when read from git
  std::string component; // expected service-name component (config), empty: the name
};

/// A policy entry that silences matching findings, with the reason the user gave.
struct IgnoreRule {
  std::string rule;
  std::string repo;   // empty: every repository
  std::string path;   // empty: every file; else a path or glob inside the repository
  std::string reason;
  std::string origin; // where it was written, e.g. "otel-audit.toml:12:1"
};

/// Policy that shapes the result (severities) and the verdict.
struct AuditPolicy {
  std::map<std::string, Severity> severity_overrides; // rule id -> severity
  std::vector<IgnoreRule> ignores;                     // matching findings are suppressed
  int min_score = 0;                                   // below it the verdict is NO-GO
};

/// Reads, models, judges and scores every repository: the whole pipeline below the cli.
AuditResult run_audit(const std::vector<RepoInput>& repos, const Ruleset& rules,
                      const AuditPolicy& policy = {});

} // namespace otelaudit
