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
  // Suppressed and baselined: no penalty, no hours (100 - 10 = 90, 3 h).
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
  CHECK(result.score == 90);
  CHECK(result.effort_hours == 3);
  CHECK(result.verdict == Verdict::go);
}

TEST_CASE("summary: every format says the same of an audit with a suppressed blocker") {
  const AuditResult result = suppressed_blocker_audit();

  CHECK(from_line(render_text(result, TextOptions{}), "summary:") ==
        "summary: 1 repository, 1 finding (0 blockers, 1 high, 0 medium, 0 low, 0 info), about "
        "3 h to readiness\n"
        "not counted: 1 suppressed, 1 baselined (shown with --show-suppressed)\n"
        "policy: built-in defaults (no config file)\n"
        "verdict: GO (score 90/100, readiness minimum 50, target 0.27, 0 blockers)\n"
        "gate: passed\n");

  const nlohmann::json json = nlohmann::json::parse(render_json(result));
  CHECK(json["verdict"] == "GO");
  CHECK(json["score"] == 90);
  CHECK(json["summary"].dump() ==
        R"({"allowed":0,"baselined":1,"blocker":0,"high":1,"info":0,"low":0,"medium":0,)"
        R"("suppressed":1})");

  const std::string markdown = render_markdown(result);
  CHECK(markdown.find("Target OpenTelemetry line **0.27**, score **90/100** over 1 repository. "
                      "1 finding: 0 blockers, 1 high, 0 medium, 0 low, 0 info. Not counted: 1 "
                      "suppressed, 1 baselined. Time to readiness: about **3 h** of work.\n") !=
        std::string::npos);

  CHECK(from_line(render_github(result), "::notice::") ==
        "::notice::otel-audit verdict GO (score 90, 1 baselined, 1 suppressed)\n"
        "::notice::otel-audit gate passed\n");

  const nlohmann::json sarif = nlohmann::json::parse(render_sarif(result));
  CHECK(sarif["runs"][0]["properties"].dump() ==
        R"({"gate":{"fail_on":"none","min_score":0,"passed":true,"reasons":[]},"score":90,)"
        R"("target":"0.27","verdict":"GO","verdict_min_score":50})");
}

TEST_CASE("summary: nothing counted still names what was left out") {
  AuditResult result = suppressed_blocker_audit();
  result.repos[0].findings[1].suppressed = true;
  score_with_bundled_rules(result);
  CHECK(from_line(render_text(result, TextOptions{}), "summary:") ==
        "summary: 1 repository, no findings\n"
        "not counted: 2 suppressed, 1 baselined (shown with --show-suppressed)\n"
        "policy: built-in defaults (no config file)\n"
        "verdict: GO (score 100/100, readiness minimum 50, target 0.27, 0 blockers)\n"
        "gate: passed\n");
  CHECK(render_markdown(result).find("over 1 repository. No findings. Not counted: 2 "
                                     "suppressed, 1 baselined.\n") != std::string::npos);
}

TEST_CASE("summary: a baselined blocker is accepted: GO, and counted apart") {
  AuditResult result = suppressed_blocker_audit();
  result.repos[0].findings[0].suppressed = false;
  result.repos[0].findings[0].baselined = true;
  score_with_bundled_rules(result);
  CHECK(result.summary.of(Severity::blocker) == 0);
  CHECK(result.summary.baselined == 2);
  CHECK(result.repos[0].status == RepoStatus::behind);
  CHECK(result.verdict == Verdict::go);
  CHECK(result.score == 90);
  result.summary.allowed = 3; // what -A dropped, set by the audit
  CHECK(from_line(render_text(result, TextOptions{}), "not counted:")
            .starts_with("not counted: 3 allowed by -A, 2 baselined (shown with "
                         "--show-suppressed)\n"));
}

TEST_CASE("summary: suppressed and baselined findings are printed only with --show-suppressed") {
  const AuditResult result = suppressed_blocker_audit();
  const std::string quiet = render_text(result, TextOptions{});
  CHECK(quiet.find("blocker[deprecated-exporter]") == std::string::npos);
  CHECK(quiet.find("medium[missing-propagation]") == std::string::npos);
  CHECK(quiet.find("high[otel-version-behind]") != std::string::npos);
  TextOptions all;
  all.show_suppressed = true;
  const std::string shown = render_text(result, all);
  CHECK(shown.find("blocker[deprecated-exporter]") != std::string::npos);
  CHECK(shown.find("medium[missing-propagation]") != std::string::npos);
  CHECK(shown.find("\nnot counted: 1 suppressed, 1 baselined\n") != std::string::npos);

  const std::string md = render_markdown(result);
  CHECK(md.find("| blocker (suppressed) |") == std::string::npos);
  CHECK(md.find("| medium (baselined) |") == std::string::npos);
  const std::string md_all = render_markdown(result, all);
  CHECK(md_all.find("| blocker (suppressed) | deprecated-exporter |") != std::string::npos);
  CHECK(md_all.find("| medium (baselined) | missing-propagation |") != std::string::npos);
}
