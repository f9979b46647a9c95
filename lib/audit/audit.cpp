#include "audit/audit.h"

#include <algorithm>

#include "cargo/workspace.h"
#include "common/glob.h"
#include "rules/context.h"
#include "rules/declarations.h"
#include "rules/registry.h"
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

RepoResult audit_repo(const RepoInput& input, const Ruleset& rules, const AuditPolicy& policy) {
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

AuditResult run_audit(const std::vector<RepoInput>& repos, const Ruleset& rules,
                      const AuditPolicy& policy) {
  AuditResult result;
  result.target = rules.target;
  for (const RepoInput& input : repos) result.repos.push_back(audit_repo(input, rules, policy));
  std::vector<bool> used(policy.ignores.size(), false);
  for (RepoResult& repo : result.repos)
    for (Finding& f : repo.findings)
      for (std::size_t i = 0; i < policy.ignores.size(); ++i)
        if (!f.suppressed && ignore_matches(policy.ignores[i], f)) {
          f.suppressed = true;
          f.suppression = policy.ignores[i].reason;
          used[i] = true;
        }
  for (std::size_t i = 0; i < policy.ignores.size(); ++i)
    if (!used[i])
      result.warnings.push_back(policy.ignores[i].origin + ": ignore entry for \"" +
                                policy.ignores[i].rule + "\" matched no finding");
  score_result(result, rules, policy.min_score);
  return result;
}

} // namespace otelaudit
