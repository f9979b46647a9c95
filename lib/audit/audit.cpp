#include "audit/audit.h"

#include <algorithm>

#include "cargo/workspace.h"
#include "common/glob.h"
#include "rules/context.h"
#include "rules/declarations.h"
#include "rules/registry.h"
#include "rules/rule_table.h"
#include "score/score.h"

namespace otelaudit {

namespace {

/// The Cargo.lock that resolves `manifest_file`: the nearest one in a directory above it.
const Lockfile* lockfile_for(const CargoModel& cargo, const std::string& manifest_file) {
  const Lockfile* best = nullptr;
  std::size_t best_len = 0;
  for (const Lockfile& lf : cargo.lockfiles) {
    auto slash = lf.file.rfind('/');
    std::string dir = slash == std::string::npos ? std::string() : lf.file.substr(0, slash + 1);
    if (manifest_file.compare(0, dir.size(), dir) == 0 && (!best || dir.size() > best_len)) {
      best = &lf;
      best_len = dir.size();
    }
  }
  return best;
}

bool is_deprecated(const Ruleset& rules, const std::string& crate) {
  return std::any_of(rules.deprecated.begin(), rules.deprecated.end(),
                     [&](const DeprecatedCrate& d) { return d.crate == crate; });
}

std::string describe(const Declaration& d) {
  return d.dep->package + (d.dep->req ? " " + d.dep->req->value : std::string());
}

/// The level entry that decides `f`: one naming its rule, else one naming its severity.
std::size_t level_for(const Finding& f, const std::vector<LevelEntry>& levels) {
  std::size_t by_severity = levels.size();
  for (std::size_t i = 0; i < levels.size(); ++i) {
    if (levels[i].key == f.rule) return i;
    if (by_severity == levels.size() && levels[i].key == to_string(f.severity)) by_severity = i;
  }
  return by_severity;
}

/// Applies the -A/-W/-D levels once, after every rule and severity override.
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

RepoResult audit_repo(const RepoInput& input, const Ruleset& rules, const AuditPolicy& policy,
                      std::vector<bool>& used, int& allowed) {
  RepoModel model;
  model.name = input.name;
  model.cargo = load_cargo(*input.tree);
  Sink sink(input.name, policy.severity_overrides);
  for (const Diagnostic& d : input.tree->listing_diagnostics()) sink.emit(d.rule, d.loc, d.message);
  for (const Diagnostic& d : model.cargo.diagnostics) sink.emit(d.rule, d.loc, d.message);
  for (RepoRule rule : repo_rules()) rule(model, rules, sink);

  RepoResult repo;
  repo.name = input.name;
  repo.path = input.path;
  repo.commit = input.commit;
  repo.findings = sink.take();
  apply_levels(repo.findings, policy.levels, used, allowed);
  std::sort(repo.findings.begin(), repo.findings.end(), finding_less);
  repo.has_lockfile = !model.cargo.lockfiles.empty();
  repo.sources = model.cargo.texts;

  std::vector<Declaration> decls = collect_declarations(model.cargo, rules);
  repo.otel_line = repository_line(decls, rules);
  for (const Declaration& d : decls) {
    const std::string& crate = d.dep->package;
    bool deprecated = is_deprecated(rules, crate);
    if (!d.otel && !d.bridge && !deprecated) continue;
    CrateUse use;
    use.name = crate;
    use.requirement = d.dep->req ? d.dep->req->value : std::string();
    use.package = d.workspace_table ? std::string("[workspace]")
                  : d.manifest->package ? d.manifest->package->name.value
                                        : std::string();
    use.loc = d.dep->req ? d.dep->req->loc : d.dep->loc;
    if (const Lockfile* lf = lockfile_for(model.cargo, d.manifest->file)) {
      for (const LockedPackage* p : lf->find(crate)) {
        auto v = parse_version(p->version);
        if (v && (!d.req || d.req->matches(*v))) use.resolved = p->version;
      }
    }
    repo.crates.push_back(use);
    if (repo.exporter.empty() && (deprecated || crate == "opentelemetry-otlp" ||
                                  crate == "opentelemetry-zipkin" || crate == "opentelemetry-stdout"))
      repo.exporter = describe(d);
    if (repo.bridge.empty() && d.bridge) repo.bridge = describe(d);
  }
  return repo;
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

AuditResult run_audit(const std::vector<RepoInput>& repos, const Ruleset& rules,
                      const AuditPolicy& policy) {
  LevelReport ignored;
  return run_audit(repos, rules, policy, ignored);
}

AuditResult run_audit(const std::vector<RepoInput>& repos, const Ruleset& rules,
                      const AuditPolicy& policy, LevelReport& levels) {
  AuditResult result;
  result.target = rules.target;
  std::vector<bool> used(policy.levels.size(), false);
  levels = {};
  for (const RepoInput& input : repos)
    result.repos.push_back(audit_repo(input, rules, policy, used, levels.allowed));
  for (std::size_t i = 0; i < used.size(); ++i)
    if (!used[i]) levels.unmatched.push_back(policy.levels[i]);
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
  score_result(result, rules, policy.min_score);
  return result;
}

} // namespace otelaudit
