// The deployment side through the whole pipeline: model loaded next to Cargo, findings through
// the Sink, the rest of the audit unaffected by bad input.
#include "deploy/location_string.h"

#include <doctest/doctest.h>

#include "audit/audit.h"
#include "deploy/checks.h"
#include "rules/ruleset.h"
#include "source/tree.h"

using namespace otelaudit;

namespace {

Ruleset rules_027() {
  RulesetResult r = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
  REQUIRE(r.ruleset.has_value());
  return *r.ruleset;
}

std::vector<const Finding*> of_rule(const RepoResult& repo, std::string_view rule) {
  std::vector<const Finding*> out;
  for (const Finding& f : repo.findings)
    if (f.rule == rule) out.push_back(&f);
  return out;
}

} // namespace

TEST_CASE("deploy audit: edge-agent's production Compose goes straight to Jaeger, the standalone "
          "deployment passes") {
  DirTree tree(std::string(OTEL_AUDIT_SOURCE_DIR) + "/fixtures/ecosystem/edge-agent");
  AuditResult result = run_audit({{"edge-agent", "edge-agent", &tree}}, rules_027());
  const RepoResult& repo = result.repos.at(0);
  auto direct = of_rule(repo, "deploy-direct-to-jaeger");
  REQUIRE(direct.size() == 1);
  CHECK(where(direct[0]->loc) == "docker-compose.production.yml:15:23");
  CHECK(direct[0]->severity == Severity::high);
  for (const Finding& f : repo.findings)
    CHECK_MESSAGE(!f.loc.file.starts_with("deployments/standalone/"), f.rule, " ", f.message);
  auto metadata = of_rule(repo, "k8s-pod-metadata-missing");
  REQUIRE(metadata.size() == 1);
  CHECK(where(metadata[0]->loc) == "deployments/kubernetes/deployment.yaml:32:11");
  auto env = of_rule(repo, "deploy-env-missing");
  REQUIRE(env.size() == 2);
  CHECK(where(env[0]->loc) == ".env.example:1:1");
  CHECK(where(env[1]->loc) == "docker-compose.production.yml:12:5");
  // The Cargo side is still audited.
  CHECK_FALSE(of_rule(repo, "otel-version-behind").empty());
}

TEST_CASE("deploy audit: parse errors and skipped files become findings, the rest continues") {
  MemoryTree tree({{"docker-compose.yml", "services:\n  api: [\n"},
                   {"bomb.yaml", "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                                 "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                                 "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                                 "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                                 "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                                 "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"},
                   {"prod.env", "OTEL_TRACES_SAMPLER_ARG=3\n"}});
  AuditResult result = run_audit({{"r", "r", &tree}}, rules_027());
  const RepoResult& repo = result.repos.at(0);
  REQUIRE(repo.findings.size() == 3);
  CHECK(repo.findings[0].rule == "deploy-file-skipped");
  CHECK(where(repo.findings[0].loc) == "bomb.yaml:1:1");
  CHECK(repo.findings[0].severity == Severity::info);
  CHECK(repo.findings[1].rule == "deploy-parse-error");
  CHECK(repo.findings[1].loc.file == "docker-compose.yml");
  CHECK(repo.findings[1].severity == Severity::medium);
  CHECK(repo.findings[2].rule == "deploy-sampler-invalid");
  CHECK(where(repo.findings[2].loc) == "prod.env:1:25");
}
