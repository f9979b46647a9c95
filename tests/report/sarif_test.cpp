#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "audit/baseline.h"
#include "golden.h"
#include "report/sample.h"
#include "report/sarif.h"
#include "rules/rule_table.h"

using namespace otelaudit;

namespace {

/// The sample audit with one suppressed finding and one in an orphan file, so every SARIF
/// feature appears in the golden file.
AuditResult sarif_sample() {
  AuditResult result = sample_audit();
  Finding& jaeger_call = result.repos[1].findings[3];
  jaeger_call.suppressed = true;
  jaeger_call.suppression = "kept until the collector migration";
  jaeger_call.orphan = true;
  result.repos[0].findings[1].gate = GateEffect::warn;
  return result;
}

struct Validation {
  int code = -1;
  std::string output;
};

/// Runs Debian's python3-jsonschema over `sarif` with the committed SARIF 2.1.0 schema.
Validation validate_sarif(const std::string& sarif) {
  const std::filesystem::path file = std::filesystem::temp_directory_path() /
                                     ("otel-audit-sarif-" + std::to_string(::getpid()) + ".sarif");
  {
    std::ofstream out(file, std::ios::binary);
    out << sarif;
  }
  const std::string cmd = "/usr/bin/python3 '" OTEL_AUDIT_SOURCE_DIR
                          "/tests/data/sarif/validate.py' '" +
                          file.string() + "' 2>&1";
  Validation v;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
      v.output.append(buf, n);
    const int status = ::pclose(p);
    v.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::filesystem::remove(file);
  return v;
}

} // namespace

TEST_CASE("sarif: sample audit matches the golden file") {
  check_golden("report/audit.sarif", render_sarif(sarif_sample()));
}

TEST_CASE("sarif: sample audit is valid against the SARIF 2.1.0 schema") {
  const Validation v = validate_sarif(render_sarif(sarif_sample()));
  CHECK(v.output == "");
  CHECK(v.code == 0);
}

TEST_CASE("sarif: an empty audit and a baselined audit are valid too") {
  AuditResult empty;
  empty.target = "0.27";
  CHECK(validate_sarif(render_sarif(empty)).code == 0);
  AuditResult result = sample_audit();
  result.repos[0].findings[0].baselined = true;
  const Validation v = validate_sarif(render_sarif(result));
  CHECK(v.output == "");
  CHECK(v.code == 0);
}

TEST_CASE("sarif: the validator rejects what the schema forbids") {
  auto j = nlohmann::json::parse(render_sarif(sample_audit()));
  j["runs"][0]["results"][0]["level"] = "fatal";
  j["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0;
  const Validation v = validate_sarif(j.dump());
  CHECK(v.code == 1);
  CHECK(v.output == "runs/0/results/0/level: 'fatal' is not one of ['none', 'note', 'warning', "
                    "'error']\n"
                    "runs/0/results/1/locations/0/physicalLocation/region/startLine: 0 is less "
                    "than the minimum of 1\n");
}

TEST_CASE("sarif: rules come from the rule table with levels from default severities") {
  const auto j = nlohmann::json::parse(render_sarif(sample_audit()));
  const auto& rules = j["runs"][0]["tool"]["driver"]["rules"];
  REQUIRE(rules.size() == rule_table().size());
  for (std::size_t i = 0; i < rules.size(); ++i)
    CHECK(rules[i]["id"] == rule_table()[i].id);
  const RuleInfo* rule = find_rule("deprecated-exporter");
  REQUIRE(rule != nullptr);
  const auto& r = rules[static_cast<std::size_t>(rule - rule_table().data())];
  CHECK(r["name"] == "DeprecatedExporter");
  CHECK(r["shortDescription"]["text"] == rule->description);
  CHECK(r["help"]["text"] == "See docs/rules.md#deprecated-exporter in the otel-audit sources.");
  CHECK(r["defaultConfiguration"]["level"] == "error");
}

TEST_CASE("sarif: results locate findings relative to their repository") {
  const auto j = nlohmann::json::parse(render_sarif(sarif_sample()));
  const auto& run = j["runs"][0];
  CHECK(run["originalUriBaseIds"]["REPO_edge-agent"]["uri"] == "repos/edge-agent/");
  CHECK(run["originalUriBaseIds"]["REPO_policy-engine"]["uri"] == "repos/policy-engine/");
  const auto& results = run["results"];
  REQUIRE(results.size() == 9);
  // edge-agent's third finding: a location with line and column, a fix in the message.
  const auto& behind = results[2];
  CHECK(behind["ruleId"] == "otel-version-behind");
  CHECK(rule_table()[behind["ruleIndex"].get<std::size_t>()].id == "otel-version-behind");
  CHECK(behind["level"] == "error");
  CHECK(behind["message"]["text"] == "opentelemetry 0.26 is one line behind the target 0.27 "
                                     "Suggested change: opentelemetry = { version = \"0.27\" }");
  CHECK(behind["locations"][0]["physicalLocation"] ==
        nlohmann::json::parse(R"({"artifactLocation": {"uri": "Cargo.toml",
                                   "uriBaseId": "REPO_edge-agent"},
                                   "region": {"startLine": 7, "startColumn": 29}})"));
  CHECK(behind["partialFingerprints"]["otelAudit/v1"] ==
        fingerprint(sample_audit().repos[0].findings[2]));
  CHECK(behind["properties"] ==
        nlohmann::json::parse(
            R"({"severity": "high", "repository": "edge-agent", "package": "llm-edge-agent"})"));
  // no-lockfile has line 0: no region at all.
  const auto& no_lock = results[5];
  CHECK(no_lock["ruleId"] == "no-lockfile");
  CHECK(no_lock["level"] == "note");
  CHECK_FALSE(no_lock["locations"][0]["physicalLocation"].contains("region"));
  // The suppressed finding stays, marked.
  const auto& suppressed = results[8];
  CHECK(suppressed["suppressions"] ==
        nlohmann::json::parse(
            R"([{"kind": "inSource", "justification": "kept until the collector migration"}])"));
  CHECK(suppressed["properties"]["orphan"] == true);
  CHECK(results[1]["properties"]["gate"] == "warn");
  CHECK_FALSE(behind.contains("baselineState"));
}

TEST_CASE("sarif: baselined findings are unchanged, the others new") {
  AuditResult result = sample_audit();
  result.repos[0].findings[0].baselined = true;
  const auto j = nlohmann::json::parse(render_sarif(result));
  const auto& results = j["runs"][0]["results"];
  CHECK(results[0]["baselineState"] == "unchanged");
  CHECK(results[1]["baselineState"] == "new");
  CHECK(results[8]["baselineState"] == "new");
}

TEST_CASE("sarif: repository base ids and URIs") {
  AuditResult result;
  result.target = "0.27";
  for (const char* path : {"/srv/my repo", "a/b", "a_b", "."}) {
    RepoResult r;
    r.path = path;
    r.name = path[0] == '/' ? "my repo" : path;
    result.repos.push_back(r);
  }
  result.repos[2].name = "a/b"; // same id as "a/b" after mapping: gets a suffix
  const auto j = nlohmann::json::parse(render_sarif(result));
  CHECK(j["runs"][0]["originalUriBaseIds"] == nlohmann::json::parse(R"({
    "REPO_my_repo": {"uri": "file:///srv/my%20repo/", "description": {"text": "Root of the repository my repo"}},
    "REPO_a_b": {"uri": "a/b/", "description": {"text": "Root of the repository a/b"}},
    "REPO_a_b_2": {"uri": "a_b/", "description": {"text": "Root of the repository a/b"}},
    "REPO__": {"uri": "./", "description": {"text": "Root of the repository ."}}
  })"));
}

TEST_CASE("sarif: names, levels and URI escaping") {
  CHECK(sarif_rule_name("otel-version-behind") == "OtelVersionBehind");
  CHECK(sarif_rule_name("no-lockfile") == "NoLockfile");
  CHECK(sarif_level(Severity::blocker) == "error");
  CHECK(sarif_level(Severity::high) == "error");
  CHECK(sarif_level(Severity::medium) == "warning");
  CHECK(sarif_level(Severity::low) == "note");
  CHECK(sarif_level(Severity::info) == "note");
  CHECK(uri_escape("src/a b#c%.rs") == "src/a%20b%23c%25.rs");
  CHECK(uri_escape("caf\xC3\xA9/x-y_z~.rs") == "caf%C3%A9/x-y_z~.rs");
}
