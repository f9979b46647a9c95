// rules/deployment.toml, read by the one rule data loader.
#include <doctest/doctest.h>

#include "rules/ruleset.h"
#include "support/rule_files.h"

using namespace otelaudit;

namespace {

RulesetResult with_deployment(const std::string& text) {
  return parse_rule_data(
      test::replaced(test::bundled_rule_files(), {"rules/deployment.toml", text}), "0.27");
}

std::string where(const Location& l) {
  return l.file + ":" + std::to_string(l.line) + ":" + std::to_string(l.column);
}

} // namespace

TEST_CASE("deploy rule data: the bundled deployment.toml loads") {
  RulesetResult r = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
  REQUIRE(r.errors.empty());
  REQUIRE(r.ruleset);
  const deploy::DeployRules& d = r.ruleset->deployment;
  CHECK(d.jaeger_otlp_since == "1.35");
  CHECK(d.jaeger_otlp_default_since == "1.46");
  CHECK(d.standard_env == std::vector<std::string>{"OTLP_ENDPOINT", "ENVIRONMENT",
                                                   "OTEL_TRACES_SAMPLER_ARG", "LOG_FORMAT",
                                                   "SERVICE_NAMESPACE"});
  CHECK(d.jaeger_agent_ports == std::vector<int>{6831, 6832});
}

TEST_CASE("deploy rule data: errors are located, unknown keys and wrong types rejected") {
  RulesetResult r = with_deployment("schema = 1\n"
                                    "standard-env = [\"A\", 2]\n"
                                    "surprise = true\n"
                                    "jaeger-agent-ports = [6831, 70000]\n"
                                    "jaeger-otlp-since = \"v1.35\"\n");
  CHECK_FALSE(r.ruleset);
  REQUIRE(r.errors.size() >= 5);
  CHECK(r.errors[0].rule == "rule-data-invalid");
  CHECK(where(r.errors[0].loc) == "rules/deployment.toml:1:1");
  CHECK(r.errors[0].message == "missing key \"endpoint-env\" in deployment.toml");
  CHECK(where(r.errors[r.errors.size() - 4].loc) == "rules/deployment.toml:2:16");
  CHECK(r.errors[r.errors.size() - 4].message ==
        "\"standard-env\" in deployment.toml must be a non-empty array of strings");
  CHECK(where(r.errors[r.errors.size() - 3].loc) == "rules/deployment.toml:3:1");
  CHECK(r.errors[r.errors.size() - 3].message == "unknown key \"surprise\" in deployment.toml");
  CHECK(r.errors[r.errors.size() - 2].message ==
        "\"jaeger-agent-ports\" must be a non-empty array of port numbers");
  CHECK(r.errors[r.errors.size() - 1].message ==
        "\"jaeger-otlp-since\" must be a version like \"1.46\"");

  RulesetResult syntax = with_deployment("schema = \n");
  REQUIRE(syntax.errors.size() == 1);
  CHECK(where(syntax.errors[0].loc) == "rules/deployment.toml:1:10");
}
