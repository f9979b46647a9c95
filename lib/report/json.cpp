#include "report/json.h"

#include <nlohmann/json.hpp>

#include "audit/baseline.h"
#include "graph/analysis.h"
#include "report/json_text.h"

namespace otelaudit {

namespace {

using Json = nlohmann::ordered_json;

Json or_null(const std::optional<std::string>& s) {
  return s ? Json(*s) : Json(nullptr);
}
Json or_null(const std::string& s) {
  return s.empty() ? Json(nullptr) : Json(s);
}

Json crate_json(const CrateUse& c) {
  Json j = Json::object();
  j["name"] = c.name;
  j["requirement"] = c.requirement;
  j["resolved"] = or_null(c.resolved);
  j["package"] = c.package;
  j["file"] = c.loc.file;
  j["line"] = c.loc.line;
  return j;
}

Json finding_json(const Finding& f) {
  Json j = Json::object();
  j["rule"] = f.rule;
  j["severity"] = to_string(f.severity);
  j["repo"] = f.repo;
  j["package"] = or_null(f.package);
  j["file"] = f.loc.file;
  j["line"] = f.loc.line;
  j["column"] = f.loc.column;
  j["message"] = f.message;
  j["fix"] = or_null(f.fix);
  j["orphan"] = f.orphan;
  j["suppressed"] = f.suppressed;
  j["suppression"] = f.suppressed ? Json(f.suppression) : Json(nullptr);
  j["fingerprint"] = fingerprint(f);
  j["baselined"] = f.baselined;
  j["effort_hours"] = f.effort_hours;
  return j;
}

Json location_json(const Location& loc) {
  return {{"file", loc.file}, {"line", loc.line}, {"column", loc.column}};
}

Json deploy_json(const deploy::DeploySummary& d) {
  Json j = Json::object();
  j["collector_in_path"] = to_string(d.collector_in_path);
  j["jaeger_otlp"] = to_string(d.jaeger_otlp);
  j["env_standard"] = to_string(d.env_standard);
  j["k8s_metadata"] = to_string(d.k8s_metadata);
  j["env_missing"] = d.env_missing;
  return j;
}

Json analysis_json(const SetAnalysis& a) {
  Json j = Json::object();
  Json edges = Json::array();
  for (const RepoEdge& e : a.graph.edges) {
    Json o = Json::object();
    o["from"] = e.from;
    o["to"] = e.to;
    o["package"] = e.package;
    o["dependency"] = e.dependency;
    o["crate"] = e.crate;
    o["via"] = e.via == RepoEdge::Via::git ? "git" : "path";
    o["url"] = e.url;
    o["reference"] = or_null(e.reference);
    o["kind"] = to_string(e.kind);
    o["location"] = location_json(e.loc);
    edges.push_back(std::move(o));
  }
  j["edges"] = std::move(edges);
  Json cycles = Json::array();
  for (const Cycle& c : a.cycles)
    cycles.push_back({{"repos", c.repos}, {"text", c.text()}, {"location", location_json(c.loc)}});
  j["cycles"] = std::move(cycles);
  Json matrix = Json::array();
  for (const CompatPair& c : a.matrix) {
    Json o = Json::object();
    o["from"] = c.from;
    o["to"] = c.to;
    o["from_line"] = or_null(c.from_line);
    o["to_line"] = or_null(c.to_line);
    o["compatible"] = c.compatible;
    o["direct"] = c.direct;
    o["chain"] = c.chain;
    matrix.push_back(std::move(o));
  }
  j["compatibility"] = std::move(matrix);
  Json lines = Json::array();
  for (const LineGroup& g : a.link.lines)
    lines.push_back({{"line", g.line}, {"repos", g.repos}});
  j["link"] = {{"linkable", a.link.linkable},
               {"lines", std::move(lines)},
               {"without_otel", a.link.without_otel}};
  Json spread = Json::array();
  for (const SpreadRow& r : a.spread) {
    Json o = Json::object();
    o["crate"] = r.crate;
    o["min"] = r.min;
    o["max"] = r.max;
    o["min_repos"] = r.min_repos;
    o["max_repos"] = r.max_repos;
    o["units"] = r.units;
    o["crosses"] = r.crosses;
    spread.push_back(std::move(o));
  }
  j["spread"] = std::move(spread);
  Json steps = Json::array();
  for (const MigrationStep& m : a.migration.steps)
    steps.push_back({{"repo", m.repo}, {"depends_on", m.depends_on}, {"in_cycle", m.in_cycle}});
  j["migration"] = {{"order", std::move(steps)}, {"notes", a.migration.notes}};
  return j;
}

Json gate_json(const GateResult& g) {
  Json j = Json::object();
  j["passed"] = !g.failed;
  j["fail_on"] = g.fail_on ? Json(to_string(*g.fail_on)) : Json("none");
  j["min_score"] = g.min_score;
  j["reasons"] = g.reasons;
  return j;
}

Json repo_json(const RepoResult& r) {
  Json j = Json::object();
  j["name"] = r.name;
  j["path"] = r.path;
  j["commit"] = or_null(r.commit);
  j["status"] = to_string(r.status);
  j["otel_line"] = or_null(r.otel_line);
  j["exporter"] = or_null(r.exporter);
  j["bridge"] = or_null(r.bridge);
  j["lockfile"] = r.has_lockfile;
  j["score"] = r.score;
  j["effort_hours"] = r.effort_hours;
  j["deploy"] = deploy_json(r.deploy);
  j["crates"] = Json::array();
  for (const CrateUse& c : r.crates)
    j["crates"].push_back(crate_json(c));
  j["findings"] = Json::array();
  for (const Finding& f : r.findings)
    j["findings"].push_back(finding_json(f));
  return j;
}

} // namespace

std::string render_json(const AuditResult& result) {
  Json j = Json::object();
  j["schema"] = kJsonSchema;
  j["tool"] = {{"name", "otel-audit"}, {"version", OTEL_AUDIT_VERSION}};
  j["target"] = result.target;
  auto or_null = [](const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); };
  j["policy_source"] = {{"file", or_null(result.policy_source.file)},
                        {"inside_repository", or_null(result.policy_source.inside_repo)},
                        {"ignored", or_null(result.policy_source.ignored)}};
  j["verdict"] = to_string(result.verdict);
  j["verdict_min_score"] = result.verdict_min_score;
  j["score"] = result.score;
  j["effort_hours"] = result.effort_hours;
  Json summary = Json::object();
  for (Severity s :
       {Severity::blocker, Severity::high, Severity::medium, Severity::low, Severity::info})
    summary[std::string(to_string(s))] = result.summary.of(s);
  summary["suppressed"] = result.summary.suppressed;
  summary["baselined"] = result.summary.baselined;
  summary["allowed"] = result.summary.allowed;
  j["summary"] = summary;
  j["gate"] = gate_json(result.gate);
  j["repos"] = Json::array();
  for (const RepoResult& r : result.repos)
    j["repos"].push_back(repo_json(r));
  j["analysis"] = result.analysis ? analysis_json(*result.analysis) : Json(nullptr);
  // replace: audited files are untrusted and may not be UTF-8; dump() would throw otherwise.
  return json_text(j) + "\n";
}

} // namespace otelaudit
