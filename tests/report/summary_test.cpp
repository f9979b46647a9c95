// Every report format prints the one summary of the audit (score/score.h summarize): a
// suppressed or baselined finding is counted apart in each of them, never by its severity.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "report/github.h"
#include "report/json.h"
#include "report/markdown.h"
#include "report/sample.h"
#include "report/sarif.h"
#include "report/text.h"

using namespace otelaudit;

namespace {

/// One repository on 0.26 with a suppressed blocker, a high finding and a baselined medium one.
AuditResult suppressed_blocker_audit() {
  AuditResult result;
  result.target = "0.27";
  RepoResult repo;
  repo.name = "billing";
  repo.path = "repos/billing";
  repo.otel_line = "0.26";
  repo.has_lockfile = true;
  Finding jaeger =
      sample_finding("deprecated-exporter", Severity::blocker, "billing", {"Cargo.toml", 9, 1},
                     "opentelemetry-jaeger is deprecated; export over OTLP", "", "billing");
  jaeger.suppressed = true;
  jaeger.suppression = "the collector moves first (PLAT-7)";
  Finding behind =
      sample_finding("otel-version-behind", Severity::high, "billing", {"Cargo.toml", 8, 17},
                     "opentelemetry 0.26 is one line behind the target 0.27",
                     "opentelemetry = \"0.27\"", "billing");
  Finding propagation =
      sample_finding("missing-propagation", Severity::medium, "billing", {"src/client.rs", 12, 5},
                     "outgoing HTTP request without trace context", "", "billing");
  propagation.baselined = true;
  repo.findings = {jaeger, behind, propagation};
  result.repos.push_back(repo);
  // Suppressed: no penalty, no hours. Baselined: still scored (100 - 10 - 4 = 86, 3 h + 1 h).
  score_with_bundled_rules(result);
  return result;
}

/// The lines of `text` from the first one starting with `prefix` to the end.
std::string from_line(const std::string& text, const std::string& prefix) {
  const std::size_t at = text.find("\n" + prefix);
  REQUIRE(at != std::string::npos);
  return text.substr(at + 1);
}

} // namespace

TEST_CASE("summary: counted once, without suppressed and baselined findings") {
  const AuditResult result = suppressed_blocker_audit();
  CHECK(result.summary.total == 1);
  CHECK(result.summary.of(Severity::blocker) == 0);
  CHECK(result.summary.of(Severity::high) == 1);
  CHECK(result.summary.of(Severity::medium) == 0);
  CHECK(result.summary.suppressed == 1);
  CHECK(result.summary.baselined == 1);
  CHECK(result.score == 86);
  CHECK(result.effort_hours == 4);
  CHECK(result.verdict == Verdict::go);
}

TEST_CASE("summary: every format says the same of an audit with a suppressed blocker") {
  const AuditResult result = suppressed_blocker_audit();

  CHECK(from_line(render_text(result, TextOptions{}), "summary:") ==
        "summary: 1 repository, 1 finding (0 blockers, 1 high, 0 medium, 0 low, 0 info), about "
        "4 h to readiness; not counted: 1 suppressed, 1 baselined\n"
        "policy: built-in defaults (no config file)\n"
        "verdict: GO (score 86/100, target 0.27, 0 blockers)\n");

  const nlohmann::json json = nlohmann::json::parse(render_json(result));
  CHECK(json["verdict"] == "GO");
  CHECK(json["score"] == 86);
  CHECK(json["summary"].dump() ==
        R"({"blocker":0,"high":1,"info":0,"low":0,"medium":0,"suppressed":1})");

  const std::string markdown = render_markdown(result);
  CHECK(markdown.find("Target OpenTelemetry line **0.27**, score **86/100** over 1 repository. "
                      "1 finding: 0 blockers, 1 high, 0 medium, 0 low, 0 info. Not counted: 1 "
                      "suppressed, 1 baselined. Time to readiness: about **4 h** of work.\n") !=
        std::string::npos);

  CHECK(from_line(render_github(result), "::notice::") ==
        "::notice::otel-audit verdict GO (score 86, 1 baselined, 1 suppressed)\n");

  const nlohmann::json sarif = nlohmann::json::parse(render_sarif(result));
  CHECK(sarif["runs"][0]["properties"].dump() == R"({"score":86,"target":"0.27","verdict":"GO"})");
}

TEST_CASE("summary: nothing counted still names what was left out") {
  AuditResult result = suppressed_blocker_audit();
  result.repos[0].findings[1].suppressed = true;
  score_with_bundled_rules(result);
  CHECK(from_line(render_text(result, TextOptions{}), "summary:") ==
        "summary: 1 repository, no findings; not counted: 2 suppressed, 1 baselined\n"
        "policy: built-in defaults (no config file)\n"
        "verdict: GO (score 96/100, target 0.27, 0 blockers)\n");
  CHECK(render_markdown(result).find("over 1 repository. No findings. Not counted: 2 "
                                     "suppressed, 1 baselined.\n") != std::string::npos);
}
