// Golden reports of the fixture ecosystem: any change to a rule, the rule data or a renderer
// shows up here as a reviewable diff (regenerate with OTEL_AUDIT_UPDATE_GOLDEN=1).
#include <doctest/doctest.h>

#include <memory>
#include <sstream>

#include "audit/audit.h"
#include "golden.h"
#include "graph/analysis.h"
#include "report/github.h"
#include "report/json.h"
#include "report/markdown.h"
#include "report/sarif.h"
#include "report/text.h"
#include "score/score.h"

using namespace otelaudit;

namespace {

AuditResult audit_ecosystem(const std::string& target, unsigned jobs = 0) {
  static const char* names[] = {"connector-hub", "cost-ops", "edge-agent", "observatory",
                                "policy-engine", "sentinel", "shield"};
  std::vector<std::unique_ptr<DirTree>> trees;
  std::vector<RepoInput> inputs;
  for (const char* name : names) {
    std::string rel = std::string("fixtures/ecosystem/") + name;
    trees.push_back(std::make_unique<DirTree>(std::string(OTEL_AUDIT_SOURCE_DIR) + "/" + rel));
    inputs.push_back({name, rel, trees.back().get(), "", ""});
  }
  RulesetResult rules = load_ruleset(OTEL_AUDIT_RULES_DIR, target);
  REQUIRE(rules.ruleset.has_value());
  AuditPolicy policy;
  policy.jobs = jobs;
  return run_audit(inputs, *rules.ruleset, policy);
}

} // namespace

TEST_CASE("ecosystem golden: JSON, Markdown and text reports against 0.27") {
  AuditResult result = audit_ecosystem("0.27");
  check_golden("ecosystem/report-0.27.json", render_json(result));
  check_golden("ecosystem/report-0.27.md", render_markdown(result));
  check_golden("ecosystem/report-0.27.txt", render_text(result, TextOptions{}));
  check_golden("ecosystem/report-0.27.sarif", render_sarif(result));
  check_golden("ecosystem/report-0.27.github.txt", render_github(result));
}

TEST_CASE("ecosystem golden: the headline results of the seed-era state") {
  AuditResult result = audit_ecosystem("0.27");
  CHECK(result.verdict == Verdict::no_go);
  auto repo = [&](std::string_view name) -> const RepoResult& {
    for (const RepoResult& r : result.repos)
      if (r.name == name) return r;
    FAIL("no repository " << name);
    throw;
  };
  // policy-engine's Jaeger exporter is a blocker, on its Cargo.toml line.
  bool jaeger = false;
  for (const Finding& f : repo("policy-engine").findings)
    if (f.rule == "deprecated-exporter" && f.severity == Severity::blocker && f.loc.line > 0 &&
        f.loc.file.ends_with("Cargo.toml"))
      jaeger = true;
  CHECK(jaeger);
  CHECK(repo("policy-engine").status == RepoStatus::critical);
  // edge-agent: one line behind (high) and its otlp lacks logs (llm-edge-monitoring enables
  // metrics on the one otlp the workspace builds).
  CHECK(repo("edge-agent").otel_line == std::optional<std::string>("0.26"));
  bool behind = false, features = false;
  for (const Finding& f : repo("edge-agent").findings) {
    behind |= f.rule == "otel-version-behind" && f.severity == Severity::high;
    features |= f.rule == "missing-feature" &&
                f.message.find("lacks feature \"logs\"") != std::string::npos;
  }
  CHECK(behind);
  CHECK(features);
  // The repositories without OpenTelemetry need integration.
  for (const char* name : {"shield", "cost-ops", "connector-hub"}) {
    CHECK(repo(name).status == RepoStatus::no_otel);
    bool needs = false;
    for (const Finding& f : repo(name).findings)
      needs |= f.rule == "needs-integration";
    CHECK_MESSAGE(needs, name);
  }
}

TEST_CASE("ecosystem golden: the same repositories against 0.28, 0.30 and 0.32 (data only)") {
  for (const char* target : {"0.28", "0.30", "0.32"}) {
    AuditResult result = audit_ecosystem(target);
    CHECK(result.target == target);
    check_golden(std::string("ecosystem/report-") + target + ".json", render_json(result));
    // Every fix names the target line, never another: a fix advising 0.27 against 0.30 would
    // send the user to the wrong release.
    for (const RepoResult& repo : result.repos)
      for (const Finding& f : repo.findings) {
        INFO(target << " " << f.rule << ": " << f.fix);
        for (const char* other : {"0.27 line", "0.28 line", "0.30 line", "0.32 line"})
          if (std::string(other).rfind(target, 0) != 0)
            CHECK(f.fix.find(other) == std::string::npos);
      }
  }
  // --target latest is the newest confirmed pack.
  CHECK(audit_ecosystem("latest").target == "0.32");
}

TEST_CASE("ecosystem golden: byte-identical JSON, Markdown and SARIF whatever the threads") {
  // Repositories are audited in parallel and their source files too; the merge must not
  // depend on scheduling. One thread is the reference; 2, 3 and 8 threads (more than the
  // seven repositories: some share a repository's files) must give the same bytes, as must a
  // second run of each.
  const AuditResult one = audit_ecosystem("0.27", 1);
  const std::string json = render_json(one), md = render_markdown(one), sarif = render_sarif(one);
  check_golden("ecosystem/report-0.27.json", json);
  for (unsigned jobs : {2u, 3u, 8u, 8u, 0u}) {
    CAPTURE(jobs);
    AuditResult b = audit_ecosystem("0.27", jobs);
    CHECK(render_json(b) == json);
    CHECK(render_markdown(b) == md);
    CHECK(render_sarif(b) == sarif);
  }
}

TEST_CASE("ecosystem golden: the source and cross-repository headlines") {
  AuditResult result = audit_ecosystem("0.27");
  auto find = [&](std::string_view repo, std::string_view rule, std::string_view file,
                  int line) -> const Finding* {
    for (const RepoResult& r : result.repos)
      if (r.name == repo)
        for (const Finding& f : r.findings)
          if (f.rule == rule && f.loc.file == file && f.loc.line == line) return &f;
    return nullptr;
  };
  // edge-agent: the hyphenated service name, the removed pipeline call, the undeclared sdk.
  const Finding* name =
      find("edge-agent", "service-name-format", "crates/llm-edge-monitoring/src/tracing.rs", 11);
  REQUIRE(name);
  CHECK(name->loc.column == 39);
  CHECK(name->message.find("use \"llm.edge-agent\"") != std::string::npos);
  CHECK(find("edge-agent", "removed-api", "src/observability/tracing.rs", 42));
  CHECK(find("edge-agent", "undeclared-crate", "src/observability/tracing.rs", 6));
  // policy-engine's Jaeger code; an orphan file's findings are info and marked.
  CHECK(find("policy-engine", "jaeger-code", "src/telemetry.rs", 12));
  const Finding* orphan = find("edge-agent", "jaeger-code", "src/observability/jaeger.rs", 7);
  REQUIRE(orphan);
  CHECK(orphan->orphan);
  CHECK(orphan->severity == Severity::info);
  CHECK(orphan->effort_hours == 0);
  // The critical finding is policy-engine's Jaeger exporter, which edge-agent and shield wait on.
  CriticalFinding critical = critical_finding(result);
  REQUIRE(critical.finding);
  CHECK(critical.repo->name == "policy-engine");
  CHECK(critical.finding->rule == "deprecated-exporter");
  // edge-agent and policy-engine cannot be linked, and the matrix says so.
  REQUIRE(result.analysis);
  bool pair = false;
  for (const CompatPair& c : result.analysis->matrix)
    pair |= c.from == "edge-agent" && c.to == "policy-engine" && !c.compatible && c.direct;
  CHECK(pair);
  CHECK_FALSE(result.analysis->link.linkable);
  const Finding* link = find("edge-agent", "link-incompatible", "Cargo.toml", 64);
  REQUIRE(link);
  CHECK(link->severity == Severity::blocker);
  CHECK(result.effort_hours > 0);
}

TEST_CASE("ecosystem golden: every Markdown table row has its header's number of cells") {
  const std::string md = render_markdown(audit_ecosystem("0.27"));
  // Unescaped pipes delimit cells; `\|` inside code spans and text is content.
  auto cells = [](const std::string& row) {
    int n = 0;
    for (std::size_t i = 0; i < row.size(); ++i)
      if (row[i] == '|' && (i == 0 || row[i - 1] != '\\')) ++n;
    return n - 1;
  };
  std::istringstream in(md);
  std::string line;
  int header = -1, tables = 0, rows = 0, number = 0;
  bool in_code = false;
  while (std::getline(in, line)) {
    ++number;
    if (line.starts_with("```")) in_code = !in_code;
    if (in_code || !line.starts_with("|")) {
      header = -1;
      continue;
    }
    if (header < 0) {
      header = cells(line);
      ++tables;
      continue;
    }
    ++rows;
    CHECK_MESSAGE(cells(line) == header, "line " << number << ": " << line);
  }
  CHECK(tables >= 12); // alignment, compatibility, spread, 3 severity tables, repositories
  CHECK(rows > 100);
}
