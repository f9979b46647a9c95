#include <doctest/doctest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "audit/audit.h"
#include "audit/baseline.h"
#include "report/json.h"
#include "report/sample.h"
#include "rules/ruleset.h"
#include "source/tree.h"

using namespace otelaudit;

namespace {

Finding finding(std::string rule, std::string file, int line, std::string message) {
  return sample_finding(std::move(rule), Severity::blocker, "policy-engine",
                        {std::move(file), line, 1}, std::move(message), "", "");
}

Baseline baseline_of(const AuditResult& result) {
  BaselineResult b = parse_baseline(render_json(result), "old.json");
  REQUIRE_MESSAGE(b.baseline.has_value(), b.error);
  return *b.baseline;
}

int count_baselined(const AuditResult& result) {
  int n = 0;
  for (const RepoResult& r : result.repos)
    for (const Finding& f : r.findings)
      n += f.baselined ? 1 : 0;
  return n;
}

} // namespace

TEST_CASE("baseline: fingerprints survive line shifts and whitespace changes") {
  const Finding a =
      finding("deprecated-exporter", "Cargo.toml", 11, "opentelemetry-jaeger 0.20 is deprecated");
  Finding moved = a;
  moved.loc.line = 40;
  moved.loc.column = 7;
  Finding respaced = a;
  respaced.message = "  opentelemetry-jaeger 0.20\tis\n deprecated ";
  CHECK(fingerprint(a) == fingerprint(moved));
  CHECK(fingerprint(a) == fingerprint(respaced));
  CHECK(fingerprint(a).size() == 16);
}

TEST_CASE("baseline: fingerprints differ by rule, repository, file and evidence") {
  const Finding a =
      finding("deprecated-exporter", "Cargo.toml", 11, "opentelemetry-jaeger 0.20 is deprecated");
  Finding other_file = a;
  other_file.loc.file = "crates/x/Cargo.toml";
  Finding other_rule = a;
  other_rule.rule = "otel-version-behind";
  Finding other_repo = a;
  other_repo.repo = "edge-agent";
  Finding other_version = a;
  other_version.message = "opentelemetry-jaeger 0.21 is deprecated";
  Finding shifted_boundary = a; // the NUL separators keep "ab"+"c" apart from "a"+"bc"
  shifted_boundary.rule = "deprecated-exporterp";
  shifted_boundary.repo = "olicy-engine";
  for (const Finding& b : {other_file, other_rule, other_repo, other_version, shifted_boundary})
    CHECK(fingerprint(a) != fingerprint(b));
}

TEST_CASE("baseline: evidence normalisation and FNV-1a") {
  CHECK(normalise_evidence("  a \t b\n\nc  ") == "a b c");
  CHECK(normalise_evidence("line 12, column 4") == "line 12, column 4");
  CHECK(normalise_evidence("") == "");
  // FNV-1a 64 reference values: the empty string is the offset basis; "a" from the FNV page.
  CHECK(fnv1a64("") == 0xcbf29ce484222325ULL);
  CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(fnv1a64("foobar") == 0x85944171f73967e8ULL);
}

TEST_CASE("baseline: round trip through the JSON report baselines every finding") {
  AuditResult result = sample_audit();
  const Baseline baseline = baseline_of(result);
  CHECK(baseline.findings == 9);
  CHECK(apply_baseline(result, baseline) == 9);
  CHECK(count_baselined(result) == 9);
  const GateResult gate = evaluate_gate(result, {Severity::blocker, 0});
  CHECK_FALSE(gate.failed);
  CHECK(gate.baselined == 9);
  CHECK(gate.failing == 0);
  // The JSON report says so.
  const auto j = nlohmann::json::parse(render_json(result));
  CHECK(j["repos"][0]["findings"][0]["baselined"] == true);
}

TEST_CASE("baseline: a finding that moved is still known, a new one fails the gate") {
  AuditResult before = sample_audit();
  const Baseline baseline = baseline_of(before);
  AuditResult after = sample_audit();
  for (Finding& f : after.repos[1].findings)
    f.loc.line += 3; // lines inserted above
  after.repos[1].findings.push_back(finding("deprecated-exporter", "crates/new/Cargo.toml", 4,
                                            "opentelemetry-zipkin 0.20 is deprecated"));
  CHECK(apply_baseline(after, baseline) == 9);
  const GateResult gate = evaluate_gate(after, {Severity::blocker, 0});
  CHECK(gate.failed);
  CHECK(gate.failing == 1);
  CHECK(gate.baselined == 9);
  CHECK_FALSE(after.repos[1].findings.back().baselined);
}

TEST_CASE("baseline: a second copy of a known finding is new") {
  AuditResult result;
  RepoResult repo;
  repo.findings = {finding("deprecated-exporter", "Cargo.toml", 3, "jaeger")};
  result.repos.push_back(repo);
  const Baseline baseline = baseline_of(result);
  result.repos[0].findings.push_back(finding("deprecated-exporter", "Cargo.toml", 9, "jaeger"));
  CHECK(apply_baseline(result, baseline) == 1);
  CHECK(result.repos[0].findings[0].baselined);
  CHECK_FALSE(result.repos[0].findings[1].baselined);
}

TEST_CASE("baseline: reports without fingerprint fields are fingerprinted from their fields") {
  const std::string old = R"({"schema": "otel-audit/v1", "repos": [{"findings": [
    {"rule": "deprecated-exporter", "repo": "policy-engine", "file": "Cargo.toml", "line": 2,
     "message": "opentelemetry-jaeger   0.20 is deprecated"}]}]})";
  BaselineResult b = parse_baseline(old, "old.json");
  REQUIRE(b.baseline);
  const Finding f =
      finding("deprecated-exporter", "Cargo.toml", 30, "opentelemetry-jaeger 0.20 is deprecated");
  CHECK(b.baseline->fingerprints == std::map<std::string, int>{{fingerprint(f), 1}});
}

TEST_CASE("baseline: malformed files are errors with the parser's position") {
  CHECK(parse_baseline("{\n  \"schema\": \"otel-audit/v1\",\n  \"repos\": [\n}", "b.json").error ==
        "baseline \"b.json\" is not valid JSON: parse error at line 4, column 1: syntax error "
        "while parsing value - unexpected '}'; expected '[', '{', or a literal");
  CHECK(parse_baseline("", "b.json").error ==
        "baseline \"b.json\" is not valid JSON: parse error at line 1, column 1: syntax error "
        "while parsing value - unexpected end of input; expected '[', '{', or a literal");
  CHECK(parse_baseline("[]", "b.json").error ==
        "baseline \"b.json\" is not an otel-audit/v1 report: the top level is not an object");
  CHECK(parse_baseline(R"({"schema": "otel-audit/v2", "repos": []})", "b.json").error ==
        "baseline \"b.json\" is not an otel-audit/v1 report: \"schema\" is \"otel-audit/v2\"");
  CHECK(parse_baseline(R"({"schema": "otel-audit/v1"})", "b.json").error ==
        "baseline \"b.json\" is not an otel-audit/v1 report: no \"repos\" array");
  CHECK(parse_baseline(R"({"schema": "otel-audit/v1", "repos": [{"findings": [{"rule": 1}]}]})",
                       "b.json")
            .error == "baseline \"b.json\" is not an otel-audit/v1 report: "
                      "repos[0].findings[0] has no \"rule\" string");
  CHECK(load_baseline("/nonexistent/b.json").error ==
        "cannot read baseline \"/nonexistent/b.json\"");
}

TEST_CASE("baseline: the gate ignores suppressed and -W findings, -D always counts") {
  AuditResult result;
  RepoResult repo;
  Finding low = finding("companion-drift", "Cargo.toml", 1, "m");
  low.severity = Severity::low;
  repo.findings = {low};
  result.repos.push_back(repo);
  CHECK_FALSE(evaluate_gate(result, {Severity::blocker, 0}).failed);
  result.repos[0].findings[0].gate = GateEffect::deny;
  CHECK(evaluate_gate(result, {Severity::blocker, 0}).failed);
  CHECK(evaluate_gate(result, {std::nullopt, 0}).failed);
  result.repos[0].findings[0].baselined = true; // a known finding never fails the gate
  CHECK_FALSE(evaluate_gate(result, {Severity::blocker, 0}).failed);

  Finding blocker = finding("deprecated-exporter", "Cargo.toml", 2, "m");
  blocker.gate = GateEffect::warn;
  Finding silenced = finding("deprecated-exporter", "src/main.rs", 2, "m");
  silenced.suppressed = true;
  result.repos[0].findings = {blocker, silenced};
  GateResult gate = evaluate_gate(result, {Severity::blocker, 0});
  CHECK_FALSE(gate.failed);
  CHECK(gate.warned == 1);
  CHECK(gate.suppressed == 1);
  result.score = 40;
  gate = evaluate_gate(result, {Severity::blocker, 50});
  CHECK(gate.failed);
  CHECK(gate.score_too_low);
}

TEST_CASE("baseline: the gate says why it failed, naming each bar and where it was set") {
  AuditResult result;
  RepoResult repo;
  Finding high = finding("removed-api", "src/main.rs", 1, "m");
  high.severity = Severity::high;
  Finding blocker = finding("deprecated-exporter", "Cargo.toml", 2, "m");
  Finding denied = finding("companion-drift", "Cargo.toml", 3, "m");
  denied.severity = Severity::low;
  denied.gate = GateEffect::deny;
  Finding denied_high = finding("otel-version-behind", "Cargo.toml", 4, "m");
  denied_high.severity = Severity::high;
  denied_high.gate = GateEffect::deny;
  repo.findings = {high, blocker, denied, denied_high};
  result.repos.push_back(repo);
  result.score = 40;

  GateResult gate = evaluate_gate(result, {Severity::high, 50});
  CHECK(gate.failed);
  CHECK(gate.fail_on == Severity::high);
  CHECK(gate.min_score == 50);
  // A denied finding at or above the bar is counted there, once.
  REQUIRE(gate.reasons.size() == 3);
  CHECK(gate.reasons[0] == "3 findings at or above high (--fail-on high)");
  CHECK(gate.reasons[1] == "1 finding denied (-D: companion-drift)");
  CHECK(gate.reasons[2] == "score 40 below --min-score 50");

  gate = evaluate_gate(result, {std::nullopt, 0, "--fail-on", "--min-score"});
  REQUIRE(gate.reasons.size() == 1);
  CHECK(gate.reasons[0] == "2 findings denied (-D: companion-drift, otel-version-behind)");

  gate = evaluate_gate(result, {Severity::blocker, 30, "otel-audit.toml [policy] fail-on",
                                "otel-audit.toml [policy] min-score"});
  REQUIRE(gate.reasons.size() == 2);
  CHECK(gate.reasons[0] == "1 finding at or above blocker (otel-audit.toml [policy] fail-on "
                           "blocker)");
  CHECK(gate.reasons[1] ==
        "2 findings denied (-D: companion-drift, otel-version-behind)"); // score 40 >= 30

  for (Finding& f : result.repos[0].findings)
    f.baselined = true;
  gate = evaluate_gate(result, {Severity::info, 0});
  CHECK_FALSE(gate.failed);
  CHECK(gate.reasons.empty());
}

namespace {

const std::string kLevelsManifest = "[package]\n"
                                    "name = \"svc\"\n"
                                    "version = \"0.1.0\"\n"
                                    "\n"
                                    "[dependencies]\n"
                                    "opentelemetry = \"0.27\"\n"
                                    "opentelemetry-jaeger = \"0.20\"\n";

std::vector<std::string> rules_of(const AuditResult& r) {
  std::vector<std::string> out;
  for (const Finding& f : r.repos[0].findings)
    out.push_back(f.rule);
  return out;
}

} // namespace

TEST_CASE("policy levels: allow drops, warn and deny mark, unused entries are reported") {
  RulesetResult rules = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
  REQUIRE(rules.ruleset);
  MemoryTree tree(std::map<std::string, std::string>{{"Cargo.toml", kLevelsManifest}});
  const std::vector<RepoInput> inputs{{"svc", "svc", &tree}};

  const AuditResult plain = run_audit(inputs, *rules.ruleset);
  const std::vector<std::string> all = rules_of(plain);
  REQUIRE(std::count(all.begin(), all.end(), "no-lockfile") == 1);
  REQUIRE(std::count(all.begin(), all.end(), "deprecated-exporter") == 1);

  AuditPolicy policy;
  policy.levels = {{"info", LevelAction::allow, "-A"},
                   {"deprecated-exporter", LevelAction::warn, "-W"},
                   {"misnamed-crate", LevelAction::deny, "-D"}};
  LevelReport report;
  const AuditResult result = run_audit(inputs, *rules.ruleset, policy, report);
  const std::vector<std::string> kept = rules_of(result);
  CHECK(kept.size() == all.size() - 1);
  CHECK(std::count(kept.begin(), kept.end(), "no-lockfile") == 0);
  CHECK(report.allowed == 1);
  REQUIRE(report.unmatched.size() == 1);
  CHECK(report.unmatched[0].key == "misnamed-crate");
  for (const Finding& f : result.repos[0].findings)
    CHECK(f.gate == (f.rule == "deprecated-exporter" ? GateEffect::warn : GateEffect::normal));
  CHECK_FALSE(evaluate_gate(result, {Severity::blocker, 0}).failed);
  CHECK(evaluate_gate(plain, {Severity::blocker, 0}).failed);
}

TEST_CASE("policy levels: a rule entry wins over a severity entry") {
  RulesetResult rules = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
  REQUIRE(rules.ruleset);
  MemoryTree tree(std::map<std::string, std::string>{{"Cargo.toml", kLevelsManifest}});
  AuditPolicy policy;
  policy.levels = {{"blocker", LevelAction::allow, "-A"},
                   {"deprecated-exporter", LevelAction::deny, "-D"}};
  LevelReport report;
  const AuditResult result = run_audit({{"svc", "svc", &tree}}, *rules.ruleset, policy, report);
  bool found = false;
  for (const Finding& f : result.repos[0].findings)
    if (f.rule == "deprecated-exporter") found = f.gate == GateEffect::deny;
  CHECK(found);
}

TEST_CASE("policy levels: unknown keys and contradictions are rejected") {
  CHECK(check_levels({{"info", LevelAction::allow, "-A"}, {"no-lockfile", LevelAction::deny, "-D"}})
            .empty());
  CHECK(check_levels({{"no-such-rule", LevelAction::allow, "-A"}}) ==
        "-A \"no-such-rule\" is neither a rule id (see `otel-audit rules`) nor a severity "
        "(blocker, high, medium, low, info)");
  CHECK(check_levels({{"no-lockfile", LevelAction::allow, "-A"},
                      {"no-lockfile", LevelAction::deny, "-D"}}) ==
        "-A and -D both name \"no-lockfile\"");
  CHECK(
      check_levels({{"high", LevelAction::warn, "-W"}, {"high", LevelAction::warn, "-W"}}).empty());
}
