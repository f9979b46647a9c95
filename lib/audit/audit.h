#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cargo/workspace.h"
#include "rules/ruleset.h"
#include "score/readiness.h"
#include "source/tree.h"

namespace otelaudit {

/// One repository to audit: its display name, the path the user gave, and its files.
struct RepoInput {
  RepoInput() = default;
  RepoInput(std::string n, std::string p, const Tree* t, std::string c = {}, std::string comp = {})
      : name(std::move(n)), path(std::move(p)), tree(t), commit(std::move(c)),
        component(std::move(comp)) {}

  std::string name;
  std::string path;
  const Tree* tree = nullptr;
  std::string commit;    // audited commit id when read from git
  std::string component; // expected service-name component (config), empty: the name
  std::string url;       // its git URL when known (a URL input or the config): matches git
                         // dependencies of the other repositories to it
  std::string tree_root; // its directory on disk when it is one, for path dependencies
};

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

/// Policy that shapes the result (severities) and the verdict.
struct AuditPolicy {
  std::map<std::string, Severity> severity_overrides; // rule id -> severity
  std::vector<IgnoreRule> ignores;                    // matching findings are suppressed
  int min_score = 0;                                  // below it the verdict is NO-GO
  // Applied after the severity overrides; an entry naming a rule id wins over one naming the
  // finding's severity. allow: dropped from every report and the gate; warn: reported, never
  // fails the gate; deny: always fails the gate (unless baselined).
  std::vector<LevelEntry> levels;
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

/// Reads, models, judges and scores every repository: the whole pipeline below the cli.
AuditResult run_audit(const std::vector<RepoInput>& repos, const Ruleset& rules,
                      const AuditPolicy& policy = {});
/// The same, also telling what the `-A/-W/-D` levels of `policy` did; with a cache, files
/// seen before (same content id) are not read or parsed again (history mode).
AuditResult run_audit(const std::vector<RepoInput>& repos, const Ruleset& rules,
                      const AuditPolicy& policy, LevelReport& levels, ParseCache* cache = nullptr);

/// A repository audited on its own, before the set-level analysis and without any policy:
/// its own rules' findings (inline suppressions applied, sorted, default severities) and the
/// Cargo model the set-level analysis reads. What `otel-audit scan` records.
struct RepoAudit {
  RepoResult result;
  CargoModel cargo;
};

/// The repository part of run_audit for one repository, with no policy applied.
RepoAudit audit_repository(const RepoInput& input, const Ruleset& rules);

/// Applies the severity overrides (not to orphan findings: their file is not compiled) and the
/// `-A/-W/-D` levels of `policy` to findings recorded without them. `used[i]` is set when
/// policy.levels[i] applied to one; `allowed` counts the findings dropped.
void apply_policy(std::vector<Finding>& findings, const AuditPolicy& policy,
                  std::vector<bool>& used, int& allowed);

/// The set-level part of run_audit, once every repository has its result: the cross-repository
/// analysis (its findings take the policy's severities and levels), unmatched levels, ignore
/// entries, scores and verdict. `result.repos[i]`, `cargos[i]` and `repos[i]` (its url and
/// tree_root; the tree is not read) describe one repository; `used` says which
/// policy.levels applied in the repository part.
void finish_audit(AuditResult& result, const std::vector<CargoModel>& cargos,
                  const std::vector<RepoInput>& repos, const Ruleset& rules,
                  const AuditPolicy& policy, std::vector<bool>& used, LevelReport& levels);

} // namespace otelaudit
