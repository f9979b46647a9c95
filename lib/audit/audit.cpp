#include "audit/audit.h"

#include <algorithm>

#include "cargo/workspace.h"
#include "deploy/model.h"
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

/// The deployment rule data: deployment.toml next to the ruleset's own data files.
deploy::DeployRulesResult deploy_rules_for(const Ruleset& rules) {
  if (rules.files.empty())
    return {std::nullopt, {{"rule-data-invalid", {}, "no rule data directory"}}};
  return deploy::load_deploy_rules(std::filesystem::path(rules.files.front()).parent_path());
}

RepoResult audit_repo(const RepoInput& input, const Ruleset& rules, const AuditPolicy& policy,
                      const deploy::DeployRulesResult& deploy_rules) {
  RepoModel model;
  model.name = input.name;
  model.cargo = load_cargo(*input.tree);
  model.deploy = deploy::load_deploy(*input.tree);
  if (deploy_rules.rules) {
    model.deploy.rules = *deploy_rules.rules;
    model.deploy.rules_loaded = true;
  }
  Sink sink(input.name, policy.severity_overrides);
  for (const Diagnostic& d : input.tree->listing_diagnostics()) sink.emit(d.rule, d.loc, d.message);
  for (const Diagnostic& d : model.cargo.diagnostics) sink.emit(d.rule, d.loc, d.message);
  for (const Diagnostic& d : model.deploy.diagnostics) sink.emit(d.rule, d.loc, d.message);
  if (!model.deploy.rules_loaded && !model.deploy.files.empty())
    for (const Diagnostic& d : deploy_rules.errors)
      sink.emit("deploy-rules-unavailable", d.loc,
                d.message + ": the deployment files were not audited");
  for (RepoRule rule : repo_rules()) rule(model, rules, sink);

  RepoResult repo;
  repo.name = input.name;
  repo.path = input.path;
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

} // namespace

AuditResult run_audit(const std::vector<RepoInput>& repos, const Ruleset& rules,
                      const AuditPolicy& policy) {
  AuditResult result;
  result.target = rules.target;
  deploy::DeployRulesResult deploy_rules = deploy_rules_for(rules);
  for (const RepoInput& input : repos)
    result.repos.push_back(audit_repo(input, rules, policy, deploy_rules));
  score_result(result, rules, policy.min_score);
  return result;
}

} // namespace otelaudit
