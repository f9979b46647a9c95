#include "report/sarif.h"

#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/baseline.h"
#include "report/json_text.h"
#include "rules/rule_table.h"

namespace otelaudit {

namespace {

using Json = nlohmann::ordered_json;

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

Json text(std::string s) {
  return Json{{"text", std::move(s)}};
}

Json rule_json(const RuleInfo& r) {
  const std::string id(r.id);
  Json j = Json::object();
  j["id"] = id;
  j["name"] = sarif_rule_name(r.id);
  j["shortDescription"] = text(std::string(r.description));
  j["fullDescription"] = text(fmt::format("{} Default severity: {}; family: {}.", r.description,
                                          to_string(r.default_severity), r.family));
  j["help"] = text(fmt::format("See docs/rules.md#{} in the otel-audit sources.", id));
  j["defaultConfiguration"] = {{"level", sarif_level(r.default_severity)}};
  j["properties"] = {{"tags", Json::array({std::string(r.family)})}};
  return j;
}

/// Where a repository's files are: an absolute path as a file URI, a URL as given, a relative
/// path as a relative reference; always ending with '/' so file paths resolve beneath it.
std::string base_uri(const std::string& path) {
  std::string uri;
  if (path.find("://") != std::string::npos)
    uri = path;
  else if (!path.empty() && path.front() == '/')
    uri = "file://" + uri_escape(path);
  else
    uri = uri_escape(path.empty() ? std::string(".") : path);
  if (uri.back() != '/') uri += '/';
  return uri;
}

/// `REPO_` and the repository name with anything but letters, digits, '-' and '_' as '_';
/// a numeric suffix keeps two repositories apart when their names map to the same id.
std::string base_id(const std::string& name, std::set<std::string>& taken) {
  std::string id = "REPO_";
  for (char c : name)
    id += is_alnum(c) || c == '-' || c == '_' ? c : '_';
  std::string unique = id;
  for (int n = 2; !taken.insert(unique).second; ++n)
    unique = id + "_" + std::to_string(n);
  return unique;
}

Json result_json(const Finding& f, const std::string& base, bool with_baseline) {
  Json j = Json::object();
  j["ruleId"] = f.rule;
  const auto rules = rule_table();
  for (std::size_t i = 0; i < rules.size(); ++i)
    if (rules[i].id == f.rule) j["ruleIndex"] = i;
  j["level"] = sarif_level(f.severity);
  j["message"] = text(f.fix.empty() ? f.message : f.message + " Suggested change: " + f.fix);
  if (!f.loc.file.empty()) {
    Json physical = Json::object();
    physical["artifactLocation"] = {{"uri", uri_escape(f.loc.file)}, {"uriBaseId", base}};
    if (f.loc.line > 0) {
      Json region = {{"startLine", f.loc.line}};
      if (f.loc.column > 0) region["startColumn"] = f.loc.column;
      physical["region"] = region;
    }
    j["locations"] = Json::array({Json{{"physicalLocation", physical}}});
  }
  j["partialFingerprints"] = {{kFingerprintVersion, fingerprint(f)}};
  if (with_baseline) j["baselineState"] = f.baselined ? "unchanged" : "new";
  if (f.suppressed) {
    Json s = {{"kind", "inSource"}};
    if (!f.suppression.empty()) s["justification"] = f.suppression;
    j["suppressions"] = Json::array({s});
  }
  Json props = Json::object();
  props["severity"] = to_string(f.severity);
  props["repository"] = f.repo;
  if (!f.package.empty()) props["package"] = f.package;
  if (f.orphan) props["orphan"] = true;
  if (f.gate != GateEffect::normal) props["gate"] = to_string(f.gate);
  j["properties"] = props;
  return j;
}

} // namespace

std::string sarif_rule_name(std::string_view id) {
  std::string name;
  bool upper = true;
  for (char c : id) {
    if (!is_alnum(c)) {
      upper = true;
      continue;
    }
    name += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return name;
}

std::string_view sarif_level(Severity s) {
  switch (s) {
  case Severity::blocker:
  case Severity::high:
    return "error";
  case Severity::medium:
    return "warning";
  case Severity::low:
  case Severity::info:
    return "note";
  }
  return "note";
}

std::string uri_escape(std::string_view path) {
  std::string out;
  for (unsigned char c : path) {
    if (is_alnum(static_cast<char>(c)) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string render_sarif(const AuditResult& result) {
  Json driver = Json::object();
  driver["name"] = "otel-audit";
  driver["version"] = OTEL_AUDIT_VERSION;
  driver["rules"] = Json::array();
  for (const RuleInfo& r : rule_table())
    driver["rules"].push_back(rule_json(r));

  bool with_baseline = false;
  for (const RepoResult& repo : result.repos)
    for (const Finding& f : repo.findings)
      with_baseline |= f.baselined;

  Json bases = Json::object();
  Json results = Json::array();
  std::set<std::string> taken;
  for (const RepoResult& repo : result.repos) {
    const std::string id = base_id(repo.name, taken);
    bases[id] = {{"uri", base_uri(repo.path)},
                 {"description", text("Root of the repository " + repo.name)}};
    for (const Finding& f : repo.findings)
      results.push_back(result_json(f, id, with_baseline));
  }

  Json run = Json::object();
  run["tool"] = {{"driver", driver}};
  run["originalUriBaseIds"] = bases;
  run["results"] = results;
  run["columnKind"] = "unicodeCodePoints"; // columns count characters, as in every report
  const GateResult& g = result.gate;
  run["properties"] = {
      {"target", result.target},
      {"verdict", to_string(result.verdict)},
      {"verdict_min_score", result.verdict_min_score},
      {"score", result.score},
      {"gate",
       {{"passed", !g.failed},
        {"fail_on", g.fail_on ? std::string(to_string(*g.fail_on)) : std::string("none")},
        {"min_score", g.min_score},
        {"reasons", g.reasons}}}};

  Json j = Json::object();
  j["$schema"] = kSarifSchemaUri;
  j["version"] = "2.1.0";
  j["runs"] = Json::array({run});
  // replace: audited files are untrusted and may not be UTF-8; dump() would throw otherwise.
  return json_text(j) + "\n";
}

} // namespace otelaudit
