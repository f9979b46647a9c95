#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "audit/baseline.h"
#include "golden.h"
#include "report/json.h"
#include "report/sample.h"

using namespace otelaudit;

TEST_CASE("report json: sample audit matches the golden file") {
  check_golden("report/audit.json", render_json(sample_audit()));
}

TEST_CASE("report json: an empty audit") {
  AuditResult result;
  result.target = "0.27";
  CHECK(render_json(result) == std::string("{\n"
                                           "  \"schema\": \"otel-audit/v1\",\n"
                                           "  \"tool\": {\n"
                                           "    \"name\": \"otel-audit\",\n"
                                           "    \"version\": \"") +
                                   OTEL_AUDIT_VERSION +
                                   "\"\n"
                                   "  },\n"
                                   "  \"target\": \"0.27\",\n"
                                   "  \"policy_source\": {\n"
                                   "    \"file\": null,\n"
                                   "    \"inside_repository\": null,\n"
                                   "    \"ignored\": null\n"
                                   "  },\n"
                                   "  \"verdict\": \"GO\",\n"
                                   "  \"verdict_min_score\": 0,\n"
                                   "  \"score\": 100,\n"
                                   "  \"effort_hours\": 0.0,\n"
                                   "  \"summary\": {\n"
                                   "    \"blocker\": 0,\n"
                                   "    \"high\": 0,\n"
                                   "    \"medium\": 0,\n"
                                   "    \"low\": 0,\n"
                                   "    \"info\": 0,\n"
                                   "    \"suppressed\": 0,\n"
                                   "    \"baselined\": 0,\n"
                                   "    \"allowed\": 0\n"
                                   "  },\n"
                                   "  \"gate\": {\n"
                                   "    \"passed\": true,\n"
                                   "    \"fail_on\": \"none\",\n"
                                   "    \"min_score\": 0,\n"
                                   "    \"reasons\": []\n"
                                   "  },\n"
                                   "  \"repos\": [],\n"
                                   "  \"analysis\": null\n"
                                   "}\n");
}

namespace {
bool edge_commit_is_null(const nlohmann::json& j) {
  return j["repos"][0]["commit"].is_null();
}
} // namespace

TEST_CASE("report json: suppressed findings stay listed but leave the counts") {
  AuditResult result = sample_audit();
  Finding& f = result.repos[0].findings[0];
  f.suppressed = true;
  f.suppression = "tracked in OPS-12";
  score_with_bundled_rules(result); // the summary is counted once the policy is applied
  const auto j = nlohmann::json::parse(render_json(result));
  CHECK(j["summary"]["suppressed"] == 1);
  const auto& out = j["repos"][0]["findings"][0];
  CHECK(out["suppressed"] == true);
  CHECK(out["suppression"] == "tracked in OPS-12");
  CHECK(j["repos"][0]["findings"][1]["suppression"].is_null());
}

TEST_CASE("report json: fields, types and nulls follow the v1 contract") {
  const auto j = nlohmann::json::parse(render_json(sample_audit()));
  CHECK(j["summary"] ==
        nlohmann::json::parse(
            R"({"blocker": 1, "high": 4, "medium": 1, "low": 2, "info": 1, "suppressed": 0,)"
            R"("baselined": 0, "allowed": 0})"));
  CHECK(edge_commit_is_null(j));
  const auto& edge = j["repos"][0];
  CHECK(edge["bridge"].is_null());
  CHECK(edge["otel_line"] == "0.26");
  CHECK(edge["lockfile"] == true);
  CHECK(edge["findings"][0]["package"].is_null());
  CHECK(edge["findings"][0]["fix"].is_null());
  CHECK(edge["findings"][2]["package"] == "llm-edge-agent");
  const auto& policy = j["repos"][1];
  CHECK(policy["crates"][0]["resolved"].is_null());
  CHECK(policy["findings"][0]["line"] == 0);
  CHECK(policy["findings"][3]["column"] == 16);
  const auto& shield = j["repos"][2];
  CHECK(shield["otel_line"].is_null());
  CHECK(shield["exporter"].is_null());
  CHECK(shield["findings"] == nlohmann::json::array());
}

TEST_CASE("report json: invalid UTF-8 from audited files still gives valid JSON") {
  AuditResult result;
  result.target = "0.27";
  RepoResult repo;
  repo.name = "bad\xFFname";
  result.repos.push_back(repo);
  const std::string out = render_json(result);
  CHECK(out.find("\"name\": \"bad\xEF\xBF\xBDname\"") != std::string::npos);
  CHECK(nlohmann::json::accept(out));
}

namespace {

// The audit behind the example in docs/json-format.md.
AuditResult documented_example() {
  RepoResult repo;
  repo.name = "policy-engine";
  repo.path = "../policy-engine";
  repo.otel_line = "0.21";
  repo.exporter = "opentelemetry-jaeger 0.20";
  repo.bridge = "tracing-opentelemetry 0.22";
  repo.has_lockfile = false;
  repo.crates = {
      {"opentelemetry", "0.21", std::nullopt, "policy-engine", {"Cargo.toml", 9, 1}},
      {"opentelemetry-jaeger", "0.20", std::nullopt, "policy-engine", {"Cargo.toml", 11, 1}},
  };
  repo.findings = {
      sample_finding("no-lockfile", Severity::info, "policy-engine", {"Cargo.toml", 0, 0},
                     "No Cargo.lock: the package is audited from its requirements alone", "", ""),
      sample_finding(
          "deprecated-exporter", Severity::blocker, "policy-engine", {"Cargo.toml", 11, 1},
          "opentelemetry-jaeger 0.20 is deprecated: export OTLP to a collector instead",
          "opentelemetry-otlp = { version = \"0.27\", features = [\"trace\"] }", "policy-engine"),
  };

  AuditResult result;
  result.target = "0.27";
  result.repos = {repo};
  score_with_bundled_rules(result); // one blocker: 60, 16 h, critical, NO-GO
  result.gate = evaluate_gate(result, GateOptions{});
  return result;
}

} // namespace

TEST_CASE("report json: the example in docs/json-format.md is real output") {
  std::ifstream in(OTEL_AUDIT_SOURCE_DIR "/docs/json-format.md");
  std::ostringstream doc;
  doc << in.rdbuf();
  const std::string text = doc.str();
  const std::size_t start = text.find("```json\n");
  REQUIRE(start != std::string::npos);
  const std::size_t end = text.find("```\n", start + 8);
  REQUIRE(end != std::string::npos);
  std::string expected = text.substr(start + 8, end - start - 8);
  // The documented example names a fixed version; the contract does not depend on it.
  const std::string documented_version = "\"version\": \"0.1.0\"";
  const std::size_t v = expected.find(documented_version);
  REQUIRE(v != std::string::npos);
  expected.replace(v, documented_version.size(),
                   std::string("\"version\": \"") + OTEL_AUDIT_VERSION + "\"");
  CHECK(render_json(documented_example()) == expected);
}
