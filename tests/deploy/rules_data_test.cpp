#include "deploy/location_string.h"

#include <doctest/doctest.h>

#include "deploy/rules_data.h"

using namespace otelaudit;
using namespace otelaudit::deploy;

TEST_CASE("deploy rule data: the bundled deployment.toml loads") {
  DeployRulesResult r = load_deploy_rules(OTEL_AUDIT_RULES_DIR);
  REQUIRE(r.errors.empty());
  REQUIRE(r.rules);
  CHECK(r.rules->jaeger_otlp_since == "1.35");
  CHECK(r.rules->jaeger_otlp_default_since == "1.46");
  CHECK(r.rules->standard_env == std::vector<std::string>{"OTLP_ENDPOINT", "ENVIRONMENT",
                                                          "OTEL_TRACES_SAMPLER_ARG", "LOG_FORMAT",
                                                          "SERVICE_NAMESPACE"});
  CHECK(r.rules->jaeger_agent_ports == std::vector<int>{6831, 6832});
}

TEST_CASE("deploy rule data: errors are located, unknown keys and wrong types rejected") {
  DeployRulesResult r = parse_deploy_rules("schema = 1\n"
                                           "standard-env = [\"A\", 2]\n"
                                           "surprise = true\n",
                                           "deployment.toml");
  CHECK_FALSE(r.rules);
  REQUIRE(r.errors.size() >= 3);
  CHECK(r.errors[0].rule == "rule-data-invalid");
  CHECK(where(r.errors[0].loc) == "deployment.toml:3:1");
  CHECK(r.errors[0].message == "unknown key \"surprise\"");
  CHECK(where(r.errors[1].loc) == "deployment.toml:2:22");
  CHECK(r.errors[1].message == "\"standard-env\" must hold strings only");
  CHECK(r.errors[2].message == "missing key \"endpoint-env\"");

  DeployRulesResult syntax = parse_deploy_rules("schema = \n", "d.toml");
  REQUIRE(syntax.errors.size() == 1);
  CHECK(syntax.errors[0].loc.line == 1);

  DeployRulesResult missing = load_deploy_rules("/nonexistent-dir");
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors[0].message == "cannot read deployment.toml");
}
