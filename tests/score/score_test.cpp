// The readiness model: scoring.toml as data (loaded, validated with located errors) and what
// score_result and critical_finding make of it.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "graph/analysis.h"
#include "rules/ruleset.h"
#include "score/score.h"
#include "support/rule_files.h"

using namespace otelaudit;

namespace {

const std::string kScoring = R"toml(schema = 1
[score]
penalty = { blocker = 40, high = 10, medium = 4, low = 1, info = 0 }
[verdict]
min_score = 50
[effort]
default = { blocker = 8, high = 2, medium = 1, low = 0.5 }
[effort.rules]
deprecated-exporter = 16
removed-api = 1.25
)toml";

RulesetResult parse(const std::string& scoring) {
  return parse_rule_data(
      test::replaced(test::bundled_rule_files(), {"rules/scoring.toml", scoring}), "0.27");
}

Finding finding(std::string rule, Severity s, std::string repo, int line = 1) {
  Finding f;
  f.rule = std::move(rule);
  f.severity = s;
  f.repo = repo;
  f.loc = {"Cargo.toml", line, 1};
  return f;
}

RepoResult repo(std::string name, std::optional<std::string> line, std::vector<Finding> fs) {
  RepoResult r;
  r.name = std::move(name);
  r.otel_line = std::move(line);
  r.findings = std::move(fs);
  return r;
}

} // namespace

TEST_CASE("scoring data: the bundled scoring.toml loads with every rule estimate known") {
  RulesetResult r = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
  REQUIRE(r.ruleset.has_value());
  const ScoringModel& m = r.ruleset->scoring;
  CHECK(m.loaded);
  CHECK(m.penalty_of(Severity::blocker) == 40);
  CHECK(m.penalty_of(Severity::info) == 0);
  CHECK(m.verdict_min_score == 50);
  CHECK(m.hours("deprecated-exporter", Severity::blocker) == 16);
  CHECK(m.hours("removed-api", Severity::high) == 1);
}

TEST_CASE("scoring data: estimates by rule, by severity, and nothing for info") {
  RulesetResult r = parse(kScoring);
  REQUIRE(r.ruleset.has_value());
  const ScoringModel& m = r.ruleset->scoring;
  CHECK(m.hours("removed-api", Severity::high) == 1.25);
  CHECK(m.hours("removed-api", Severity::medium) == 1.25); // an override keeps the estimate
  CHECK(m.hours("otel-version-behind", Severity::blocker) == 8);
  CHECK(m.hours("otel-version-behind", Severity::high) == 2);
  CHECK(m.hours("deprecated-exporter", Severity::info) == 0); // an orphan file's finding
}

TEST_CASE("scoring data: every error is reported with its place") {
  const std::string bad = R"toml(schema = 1
[score]
penalty = { blocker = 140, high = 10, medium = 4, low = 1 }
[verdict]
min_score = 101
[effort]
default = { blocker = 8, high = "two", medium = 1, low = 0.3, info = 0 }
unit = "hours"
[effort.rules]
no-such-rule = 1
removed-api = -1
)toml";
  RulesetResult r = parse(bad);
  CHECK_FALSE(r.ruleset.has_value());
  REQUIRE(r.errors.size() == 9);
  auto at = [&](std::size_t i) {
    return r.errors[i].loc.file + ":" + std::to_string(r.errors[i].loc.line) + ":" +
           std::to_string(r.errors[i].loc.column) + ": " + r.errors[i].message;
  };
  CHECK(at(0) == "rules/scoring.toml:3:11: missing key \"info\" in penalty");
  CHECK(at(1) ==
        "rules/scoring.toml:3:23: \"blocker\" in penalty must be an integer from 0 to 100");
  CHECK(at(2) ==
        "rules/scoring.toml:5:13: \"min_score\" in [verdict] must be an integer from 0 to 100");
  CHECK(at(3) == "rules/scoring.toml:7:33: \"high\" in default must be a number of hours from 0 "
                 "to 1000 in quarters (0.25)");
  CHECK(at(4) == "rules/scoring.toml:7:58: \"low\" in default must be a number of hours from 0 "
                 "to 1000 in quarters (0.25)");
  CHECK(at(5) == "rules/scoring.toml:7:63: unknown key \"info\" in default");
  CHECK(at(6) == "rules/scoring.toml:8:1: unknown key \"unit\" in [effort]");
  CHECK(at(7) == "rules/scoring.toml:10:1: unknown rule \"no-such-rule\" in [effort.rules]");
  CHECK(at(8) == "rules/scoring.toml:11:15: \"removed-api\" in [effort.rules] must be a number of "
                 "hours from 0 to 1000 in quarters (0.25)");
}

TEST_CASE("scoring data: [verdict] min_score is required") {
  std::string text = kScoring;
  text.replace(text.find("[verdict]\nmin_score = 50\n"), 24, "[verdict]\n");
  RulesetResult r = parse(text);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].loc.line == 4);
  CHECK(r.errors[0].message == "missing key \"min_score\" in [verdict]");
}

TEST_CASE("scoring data: rule data without scoring.toml is refused") {
  RulesetResult r =
      parse_rule_data(test::without(test::bundled_rule_files(), "rules/scoring.toml"), "0.27");
  CHECK_FALSE(r.ruleset.has_value());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message == "missing rule data file \"scoring.toml\"");
}

TEST_CASE("score: penalties and time to readiness come from the data") {
  RulesetResult r = parse(kScoring);
  REQUIRE(r.ruleset.has_value());
  AuditResult result;
  result.repos.push_back(repo("policy-engine", "0.21",
                              {finding("deprecated-exporter", Severity::blocker, "policy-engine"),
                               finding("removed-api", Severity::high, "policy-engine", 2),
                               finding("no-lockfile", Severity::info, "policy-engine", 3)}));
  Finding suppressed = finding("companion-drift", Severity::low, "sentinel");
  suppressed.suppressed = true;
  result.repos.push_back(repo(
      "sentinel", "0.27", {finding("companion-drift", Severity::low, "sentinel", 2), suppressed}));
  score_result(result, *r.ruleset);
  const RepoResult& pe = result.repos[0];
  CHECK(pe.score == 50);
  CHECK(pe.effort_hours == 17.25);
  CHECK(pe.findings[0].effort_hours == 16);
  CHECK(pe.findings[2].effort_hours == 0);
  CHECK(pe.status == RepoStatus::critical);
  CHECK(result.repos[1].score == 99);
  CHECK(result.repos[1].effort_hours == 0.5); // the suppressed finding costs nothing
  CHECK(result.repos[1].findings[1].effort_hours == 0);
  CHECK(result.effort_hours == 17.75);
  CHECK(result.score == 75); // mean of 50 and 99, rounded
  CHECK(result.verdict == Verdict::no_go);
}

TEST_CASE("score: the verdict is NO-GO below the readiness minimum") {
  RulesetResult r = parse(kScoring);
  REQUIRE(r.ruleset.has_value());
  std::vector<Finding> highs;
  for (int i = 1; i <= 6; ++i)
    highs.push_back(finding("removed-api", Severity::high, "sentinel", i));
  AuditResult result;
  result.repos.push_back(repo("sentinel", "0.27", highs));
  score_result(result, *r.ruleset);
  CHECK(result.score == 40);
  CHECK(result.verdict_min_score == 50);
  CHECK(result.verdict == Verdict::no_go); // no blocker, but below the minimum
}

TEST_CASE("score: the critical finding is the root cause the others depend on") {
  RulesetResult r = parse(kScoring);
  REQUIRE(r.ruleset.has_value());
  AuditResult result;
  // edge-agent's blocker comes first in report order, but edge-agent depends on policy-engine.
  result.repos.push_back(
      repo("edge-agent", "0.26", {finding("link-incompatible", Severity::blocker, "edge-agent")}));
  result.repos.push_back(
      repo("policy-engine", "0.21",
           {finding("otel-version-behind", Severity::blocker, "policy-engine"),
            finding("deprecated-exporter", Severity::blocker, "policy-engine", 2)}));
  auto analysis = std::make_shared<SetAnalysis>();
  analysis->graph.repos = {"edge-agent", "policy-engine"};
  analysis->graph.depends_on["edge-agent"] = {"policy-engine"};
  result.analysis = analysis;
  score_result(result, *r.ruleset);
  CriticalFinding c = critical_finding(result);
  REQUIRE(c.finding);
  CHECK(c.repo->name == "policy-engine");
  CHECK(c.finding->rule == "deprecated-exporter"); // the longest to resolve among equals

  // A more severe finding wins over any root cause.
  result.repos[0].findings[0].severity = Severity::blocker;
  result.repos[1].findings[0].severity = Severity::high;
  result.repos[1].findings[1].severity = Severity::high;
  c = critical_finding(result);
  CHECK(c.repo->name == "edge-agent");
  result.repos[0].findings[0].suppressed = true;
  c = critical_finding(result);
  CHECK(c.repo->name == "policy-engine");
}

TEST_CASE("score: hours are written without trailing zeros") {
  CHECK(format_hours(0) == "0");
  CHECK(format_hours(12) == "12");
  CHECK(format_hours(7.5) == "7.5");
  CHECK(format_hours(0.25) == "0.25");
  CHECK(format_hours(174.25) == "174.25");
}
