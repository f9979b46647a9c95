#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

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
                                   "  \"verdict\": \"GO\",\n"
                                   "  \"score\": 100,\n"
                                   "  \"summary\": {\n"
                                   "    \"blocker\": 0,\n"
                                   "    \"high\": 0,\n"
                                   "    \"medium\": 0,\n"
                                   "    \"low\": 0,\n"
                                   "    \"info\": 0\n"
                                   "  },\n"
                                   "  \"repos\": []\n"
                                   "}\n");
}

TEST_CASE("report json: fields, types and nulls follow the v1 contract") {
  const auto j = nlohmann::json::parse(render_json(sample_audit()));
  CHECK(j["summary"] ==
        nlohmann::json::parse(R"({"blocker": 2, "high": 3, "medium": 1, "low": 2, "info": 1})"));
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
