#include "audit/policy.h"

#include <algorithm>

#include "common/glob.h"
#include "rules/rule_table.h"

namespace otelaudit {

namespace {

/// The level entry that decides `f`: one naming its rule, else one naming its severity.
std::size_t level_for(const Finding& f, const std::vector<LevelEntry>& levels) {
  std::size_t by_severity = levels.size();
  for (std::size_t i = 0; i < levels.size(); ++i) {
    if (levels[i].key == f.rule) return i;
    if (by_severity == levels.size() && levels[i].key == to_string(f.severity)) by_severity = i;
  }
  return by_severity;
}

/// Applies the -A/-W/-D levels, after every severity override.
void apply_levels(std::vector<Finding>& findings, const std::vector<LevelEntry>& levels,
                  std::vector<bool>& used, int& allowed) {
  std::vector<Finding> kept;
  kept.reserve(findings.size());
  for (Finding& f : findings) {
    const std::size_t i = level_for(f, levels);
    if (i == levels.size()) {
      kept.push_back(std::move(f));
      continue;
    }
    used[i] = true;
    switch (levels[i].action) {
    case LevelAction::allow:
      ++allowed;
      continue;
    case LevelAction::warn:
      f.gate = GateEffect::warn;
      break;
    case LevelAction::deny:
      f.gate = GateEffect::deny;
      break;
    }
    kept.push_back(std::move(f));
  }
  findings = std::move(kept);
}

/// Applies the inline allow comments of `repo`: a comment silences findings of its rules on
/// its own line and on the next one; one that silences nothing is itself reported
/// (unused-suppression, at the rule's severity or its override).
void apply_inline_allows(RepoResult& repo, const AuditPolicy& policy) {
  std::vector<bool> used(repo.allows.size(), false);
  for (Finding& f : repo.findings) {
    if (f.loc.line == 0) continue;
    for (std::size_t i = 0; i < repo.allows.size(); ++i) {
      const InlineAllow& a = repo.allows[i];
      if (a.loc.file != f.loc.file) continue;
      if (a.loc.line != f.loc.line && a.loc.line + 1 != f.loc.line) continue;
      if (std::find(a.rules.begin(), a.rules.end(), f.rule) == a.rules.end()) continue;
      f.suppressed = true;
      f.suppression = a.reason.empty() ? "inline allow without a reason" : a.reason;
      used[i] = true;
    }
  }
  static constexpr std::string_view kUnused = "unused-suppression";
  for (std::size_t i = 0; i < repo.allows.size(); ++i) {
    if (used[i]) continue;
    const InlineAllow& a = repo.allows[i];
    std::string ids;
    for (const std::string& r : a.rules)
      ids += (ids.empty() ? "" : ", ") + r;
    Finding f;
    f.rule = std::string(kUnused);
    f.severity = find_rule(kUnused)->default_severity;
    if (auto o = policy.severity_overrides.find(f.rule); o != policy.severity_overrides.end())
      f.severity = o->second;
    f.repo = repo.name;
    f.loc = a.loc;
    f.message = "otel-audit: allow(" + ids + ") silences no finding here: remove it";
    repo.findings.push_back(std::move(f));
  }
}

bool ignore_matches(const IgnoreRule& ig, const Finding& f) {
  if (ig.rule != f.rule) return false;
  if (!ig.repo.empty() && ig.repo != f.repo) return false;
  return ig.path.empty() || ig.path == f.loc.file || glob_match_path(ig.path, f.loc.file);
}

} // namespace

std::string_view level_flag(LevelAction action) {
  switch (action) {
  case LevelAction::allow:
    return "-A";
  case LevelAction::warn:
    return "-W";
  case LevelAction::deny:
    return "-D";
  }
  return "-W";
}

std::string check_levels(const std::vector<LevelEntry>& levels) {
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const LevelEntry& e = levels[i];
    if (!find_rule(e.key) && !parse_severity(e.key))
      return e.origin + " \"" + e.key +
             "\" is neither a rule id (see `otel-audit rules`) nor a severity (blocker, high, "
             "medium, low, info)";
    for (std::size_t j = 0; j < i; ++j)
      if (levels[j].key == e.key && levels[j].action != e.action)
        return levels[j].origin + " and " + e.origin + " both name \"" + e.key + "\"";
  }
  return {};
}

void apply_policy(AuditResult& result, const AuditPolicy& policy, LevelReport& levels) {
  levels = {};
  std::vector<bool> level_used(policy.levels.size(), false);
  for (RepoResult& repo : result.repos) {
    for (Finding& f : repo.findings)
      if (!f.orphan)
        if (auto o = policy.severity_overrides.find(f.rule); o != policy.severity_overrides.end())
          f.severity = o->second;
    apply_inline_allows(repo, policy);
    apply_levels(repo.findings, policy.levels, level_used, levels.allowed);
    std::sort(repo.findings.begin(), repo.findings.end(), finding_less);
  }
  for (std::size_t i = 0; i < level_used.size(); ++i)
    if (!level_used[i]) levels.unmatched.push_back(policy.levels[i]);

  std::vector<bool> ignore_used(policy.ignores.size(), false);
  for (RepoResult& repo : result.repos)
    for (Finding& f : repo.findings)
      for (std::size_t i = 0; i < policy.ignores.size(); ++i)
        if (!f.suppressed && ignore_matches(policy.ignores[i], f)) {
          f.suppressed = true;
          f.suppression = policy.ignores[i].reason;
          ignore_used[i] = true;
        }
  for (std::size_t i = 0; i < policy.ignores.size(); ++i)
    if (!ignore_used[i])
      result.warnings.push_back(policy.ignores[i].origin + ": ignore entry for \"" +
                                policy.ignores[i].rule + "\" matched no finding");
  if (policy.baseline) apply_baseline(result, *policy.baseline);
}

} // namespace otelaudit
