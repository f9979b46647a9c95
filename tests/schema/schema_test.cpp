// The JSON Schemas of docs/schema against what otel-audit writes: every golden report and a scan
// document using every kind of value validate, and what v1 does not write is refused.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/audit.h"
#include "golden.h"
#include "rules/ruleset.h"
#include "scan/scan.h"
#include "source/tree.h"
#include "support/cli_run.h"
#include "support/json_schema.h"

using namespace otelaudit;
using otelaudit::testsupport::validate_json_text;

namespace fs = std::filesystem;

namespace {

// Every optional field of a dependency, a workspace, a lockfile and a file name that is not
// UTF-8, so the document uses every shape the schema allows.
ScanDocument rich_scan_document() {
  static const Ruleset rules = [] {
    RulesetResult r = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
    REQUIRE(r.ruleset.has_value());
    return *r.ruleset;
  }();
  MemoryTree tree(
      {{"Cargo.toml", "[workspace]\n"
                      "members = [\"agent\"]\n"
                      "[workspace.dependencies]\n"
                      "opentelemetry = \"0.21\"\n"},
       {"agent/Cargo.toml",
        "[package]\nname = \"agent\"\nversion = \"0.1.0\"\n"
        "[dependencies]\n"
        "opentelemetry = { workspace = true }\n"
        "otel = { package = \"opentelemetry_sdk\", version = \"0.21\", optional = true,"
        " default-features = false, registry = \"corp\" }\n"
        "lib = { git = \"https://github.com/org/lib\", tag = \"v1\" }\n"
        "local = { path = \"../local\" }\n"
        "[target.'cfg(unix)'.dev-dependencies]\n"
        "tracing-opentelemetry = { git = \"https://github.com/org/t\", rev = \"abc\" }\n"
        "[build-dependencies]\n"
        "cc = { git = \"https://github.com/org/cc\", branch = \"main\" }\n"},
       {"Cargo.lock", "version = 3\n\n[[package]]\nname = \"agent\"\n"
                      "version = \"0.1.0\"\ndependencies = [\"opentelemetry\"]\n"},
       {"src/caf\xe9.rs", "use opentelemetry_jaeger::Exporter;\n"}});
  RepoInput input("agent", "repos/agent", &tree);
  input.url = "https://github.com/org/agent";
  input.tree_root = "/src/agent";
  input.component = "agent";
  ScanDocument doc = make_scan_document(audit_repository(input, rules), input, "0.27");
  if (!doc.result.findings.empty()) doc.result.findings[0].suppression = "bad \xff reason";
  return doc;
}

/// The violations of `document` (a JSON value) as the validator prints them.
std::string violations(const nlohmann::ordered_json& document) {
  return validate_json_text(document.dump(2), "doc.json").output;
}

} // namespace

TEST_CASE("schema: every golden JSON document validates against its schema") {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(golden_path("")))
    if (e.path().extension() == ".json") files.push_back(e.path());
  REQUIRE(files.size() >= 3);
  const auto r = otelaudit::testsupport::validate_json_files(files);
  CHECK(r.output == "");
  CHECK(r.code == 0);
}

TEST_CASE("schema: a scan document using every kind of value validates") {
  const std::string text = render_scan(rich_scan_document());
  // The document does hold what the test is about.
  for (const char* shape :
       {"{\"hex\": ", "\"optional\": true", "\"default_features\": false",
        "\"registry\": ", "\"tag\": ", "\"rev\": ", "\"branch\": ", "\"path\": ", "\"target\": ",
        "\"workspace\": true", "\"inherited\": true", "\"workspace\": {", "\"kind\": \"dev\"",
        "\"kind\": \"build\"", "\"req\": {"})
    CHECK_MESSAGE(text.find(shape) != std::string::npos, shape);
  const auto r = validate_json_text(text, "scan.json");
  CHECK(r.output == "");
  CHECK(r.code == 0);
}

TEST_CASE("schema: the report schema refuses what otel-audit/v1 does not write") {
  const auto golden =
      nlohmann::ordered_json::parse(testsupport::read_file(golden_path("report/audit.json")));
  REQUIRE(violations(golden) == "");
  auto doc = golden;
  doc["gate"]["failed"] = true;
  CHECK(violations(doc) ==
        "doc.json: /gate: Additional properties are not allowed ('failed' was unexpected)\n");
  doc = golden;
  doc["gate"]["fail_on"] = "critical";
  CHECK(violations(doc) == "doc.json: /gate/fail_on: 'critical' is not one of ['blocker', "
                           "'high', 'medium', 'low', 'info', 'none']\n");
  doc = golden;
  doc["repos"][0]["findings"][0]["severity"] = "critical";
  CHECK(violations(doc) == "doc.json: /repos/0/findings/0/severity: 'critical' is not one of "
                           "['blocker', 'high', 'medium', 'low', 'info']\n");
  doc = golden;
  doc["repos"][0].erase("deploy");
  CHECK(violations(doc) == "doc.json: /repos/0: 'deploy' is a required property\n");
  doc = golden;
  doc["repos"][0]["findings"][0]["fingerprint"] = "XYZ";
  CHECK(violations(doc).find("doc.json: /repos/0/findings/0/fingerprint: 'XYZ' does not match") ==
        0);
  doc = golden;
  doc["schema"] = "otel-audit/v2";
  CHECK(violations(doc) == "doc.json: no schema in " OTEL_AUDIT_SOURCE_DIR
                           "/docs/schema for \"schema\": \"otel-audit/v2\"\n");
}

TEST_CASE("schema: the scan schema refuses what otel-audit-scan/v1 does not write") {
  const auto good = nlohmann::ordered_json::parse(render_scan(rich_scan_document()));
  REQUIRE(violations(good) == "");
  auto doc = good;
  doc["repo"]["findings"][0]["loc"] = {"Cargo.toml", 1};
  CHECK(violations(doc) == "doc.json: /repo/findings/0/loc: ['Cargo.toml', 1] is too short\n");
  doc = good;
  doc["repo"]["findings"][0]["gate"] = "block";
  CHECK(violations(doc) == "doc.json: /repo/findings/0/gate: 'block' is not one of ['normal', "
                           "'warn', 'deny']\n");
  doc = good;
  doc["cargo"]["packages"][0]["dependencies"][0]["features"] = {"full"};
  CHECK(violations(doc) == "doc.json: /cargo/packages/0/dependencies/0: Additional properties "
                           "are not allowed ('features' was unexpected)\n");
  doc = good;
  doc["repo"]["name"] = "";
  CHECK(violations(doc).find("doc.json: /repo/name: ") == 0);
}
