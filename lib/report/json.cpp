#include "report/json.h"

#include <array>

#include <nlohmann/json.hpp>

#include "report/baseline.h"

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
  std::array<int, 5> counts{};
  int suppressed = 0;
  for (const RepoResult& r : result.repos)
    for (const Finding& f : r.findings)
      f.suppressed ? ++suppressed : ++counts[static_cast<std::size_t>(f.severity)];

  Json j = Json::object();
  j["schema"] = kJsonSchema;
  j["tool"] = {{"name", "otel-audit"}, {"version", OTEL_AUDIT_VERSION}};
  j["target"] = result.target;
  j["verdict"] = to_string(result.verdict);
  j["score"] = result.score;
  Json summary = Json::object();
  for (Severity s :
       {Severity::blocker, Severity::high, Severity::medium, Severity::low, Severity::info})
    summary[std::string(to_string(s))] = counts[static_cast<std::size_t>(s)];
  summary["suppressed"] = suppressed;
  j["summary"] = summary;
  j["repos"] = Json::array();
  for (const RepoResult& r : result.repos)
    j["repos"].push_back(repo_json(r));
  // replace: audited files are untrusted and may not be UTF-8; dump() would throw otherwise.
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

} // namespace otelaudit
