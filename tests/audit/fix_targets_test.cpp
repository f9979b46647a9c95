// Every fix text names the audit's target line and no other: a fix that advises 0.27 against
// --target 0.30 sends the user to the wrong release; every feature it writes exists there; and
// a fix written as manifest text is valid TOML, one entry per line, applicable as it stands.
// Checked for the fixture ecosystem and every edge case, at every bundled target
// (rules/otel-LINE.toml).
#include <doctest/doctest.h>
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "model/cargo/semver.h"
#include "rules/ruleset.h"
#include "source/tree.h"

using namespace otelaudit;
namespace fs = std::filesystem;

namespace {

/// What is wrong with `fix` for an audit at `rules.target`, one item each: a line named in
/// prose ("to the 0.27 line", "OpenTelemetry 0.27") that is not the target, and a declaration
/// of an OpenTelemetry crate or of the bridge (`name = "0.27"`, `name = { version = "0.27" …`)
/// whose requirement selects another line.
/// Whether `fix` is written as manifest text: its first line is a TOML entry (`name = "…"`,
/// `name = { …`, `name.workspace = true`), a table header, or a `# FILE` comment before one.
/// Prose, Rust code, commands and environment values (`service.name = llm.x`) are not.
bool claims_toml(const std::string& fix) {
  static const std::regex entry(
      R"re(^(# \S+|\[[^\]\n]+\]|[A-Za-z0-9_-]+(\.workspace)?\s*=\s*(["{]|true\b)))re");
  return std::regex_search(fix, entry);
}

std::vector<std::string> wrong_lines(const std::string& fix, const Ruleset& rules) {
  std::vector<std::string> out;
  if (claims_toml(fix)) {
    try {
      (void)toml::parse(fix);
    } catch (const toml::parse_error& e) {
      out.push_back(std::string("is not valid TOML: ") + std::string(e.description()));
    }
  }
  static const std::regex prose(R"((\b\d+\.\d+) line\b|OpenTelemetry (\d+\.\d+)\b)");
  for (auto m = std::sregex_iterator(fix.begin(), fix.end(), prose); m != std::sregex_iterator();
       ++m) {
    const std::string line = (*m)[1].matched ? (*m)[1].str() : (*m)[2].str();
    if (line != rules.target) out.push_back("names " + m->str());
  }
  static const std::regex declaration(
      R"re(([A-Za-z0-9_-]+)\s*=\s*(?:"([^"]*)"|\{\s*version\s*=\s*"([^"]*)"))re");
  for (auto m = std::sregex_iterator(fix.begin(), fix.end(), declaration);
       m != std::sregex_iterator(); ++m) {
    const std::string crate = (*m)[1];
    if (!rules.is_otel_crate(crate) && crate != rules.bridge_crate) continue;
    const std::string text = (*m)[2].matched ? (*m)[2].str() : (*m)[3].str();
    std::string error;
    const std::optional<VersionReq> req = parse_requirement(text, error);
    if (!req) {
      out.push_back("declares " + crate + " with the invalid requirement \"" + text + "\"");
      continue;
    }
    const std::vector<std::string> lines = rules.selected_lines(crate, *req);
    if (lines != std::vector<std::string>{rules.target})
      out.push_back("declares " + m->str() + ", which is not on the " + rules.target + " line");
  }
  // Every feature a declaration of a crate with feature data names exists on the target: Cargo
  // refuses an entry naming a feature its crate does not have.
  static const std::regex features_of(
      R"re(([A-Za-z0-9_-]+)\s*=\s*\{[^}\n]*features\s*=\s*\[([^\]]*)\])re");
  static const std::regex quoted(R"re("([^"]*)")re");
  for (auto m = std::sregex_iterator(fix.begin(), fix.end(), features_of);
       m != std::sregex_iterator(); ++m) {
    const CrateOnLine* c = rules.target_line().find((*m)[1].str());
    if (!c || !c->features_known) continue;
    const std::string list = (*m)[2];
    for (auto q = std::sregex_iterator(list.begin(), list.end(), quoted);
         q != std::sregex_iterator(); ++q)
      if (std::find(c->features.begin(), c->features.end(), (*q)[1].str()) == c->features.end())
        out.push_back("declares " + (*m)[1].str() + " with feature \"" + (*q)[1].str() +
                      "\", which it does not have on the " + rules.target + " line");
  }
  return out;
}

/// Audits the repositories under each of `dirs` (together when `together`, else one by one) at
/// every bundled target and lists every fix that names another line.
std::vector<std::string> fixes_off_target(const std::vector<fs::path>& dirs, bool together,
                                          int& audits, int& fixes) {
  std::vector<std::string> out;
  for (const TargetInfo& target : available_targets(OTEL_AUDIT_RULES_DIR)) {
    const RulesetResult rules = load_ruleset(OTEL_AUDIT_RULES_DIR, target.line);
    REQUIRE(rules.ruleset.has_value());
    std::vector<std::vector<fs::path>> groups;
    if (together)
      groups.push_back(dirs);
    else
      for (const fs::path& d : dirs)
        groups.push_back({d});
    for (const std::vector<fs::path>& group : groups) {
      std::vector<std::unique_ptr<DirTree>> trees;
      std::vector<RepoInput> inputs;
      for (const fs::path& d : group) {
        trees.push_back(std::make_unique<DirTree>(d));
        inputs.emplace_back(d.filename().string(), d.string(), trees.back().get());
        inputs.back().tree_root = d.string();
      }
      const AuditResult result = run_audit(inputs, *rules.ruleset);
      ++audits;
      for (const RepoResult& repo : result.repos)
        for (const Finding& f : repo.findings) {
          if (f.fix.empty()) continue;
          ++fixes;
          // Only its TOML is judged: misnamed-crate's fix corrects the name and keeps the
          // requirement as written (lib/rules/versions.cpp), so against another target it
          // names the written line; otel-version-behind reports that line once the name is
          // right.
          std::vector<std::string> wrong = wrong_lines(f.fix, *rules.ruleset);
          if (f.rule == "misnamed-crate")
            std::erase_if(wrong,
                          [](const std::string& w) { return !w.starts_with("is not valid TOML"); });
          for (const std::string& w : wrong)
            out.push_back("--target " + target.line + " " + repo.name + " " + f.loc.file + ":" +
                          std::to_string(f.loc.line) + " " + f.rule + ": " + w + " in: " + f.fix);
        }
    }
  }
  return out;
}

std::vector<fs::path> repos_under(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string lines_of(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items)
    out += "\n  " + s;
  return out;
}

} // namespace

TEST_CASE("fix targets: the check sees a line named in prose or declared, and nothing else") {
  const RulesetResult r = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.30");
  REQUIRE(r.ruleset.has_value());
  const Ruleset& rules = *r.ruleset;
  CHECK(
      wrong_lines("upgrade what depends on opentelemetry 0.26.0 to the 0.30 line", rules).empty());
  CHECK(wrong_lines("move a and b to OpenTelemetry 0.30 (the target line)", rules).empty());
  CHECK(wrong_lines("opentelemetry = \"0.30\"\ntracing-opentelemetry = \"0.31\"\nmetrics = "
                    "\"0.24\"",
                    rules)
            .empty());
  CHECK(wrong_lines("upgrade what depends on opentelemetry 0.26.0 to the 0.27 line", rules) ==
        std::vector<std::string>{"names 0.27 line"});
  CHECK(wrong_lines("move a to OpenTelemetry 0.28 (the target line)", rules) ==
        std::vector<std::string>{"names OpenTelemetry 0.28"});
  CHECK(wrong_lines("opentelemetry-otlp = { version = \"0.27\", features = [\"trace\"] }", rules) ==
        std::vector<std::string>{
            "declares opentelemetry-otlp = { version = \"0.27\", which is not on the 0.30 line"});
  // Manifest text must parse: entries joined with "; " on one line do not.
  CHECK(wrong_lines("opentelemetry = \"0.30\"; opentelemetry-otlp = \"0.30\"", rules).size() == 1);
  CHECK(wrong_lines("opentelemetry = \"0.30\"\nopentelemetry-otlp = \"0.30\"", rules).empty());
  CHECK(wrong_lines(
            "# Cargo.toml\n[workspace.dependencies]\nopentelemetry = \"0.30\"\n# a/Cargo.toml\n"
            "[dependencies]\nopentelemetry.workspace = true",
            rules)
            .empty());
  // Prose, code and environment values are not manifest text.
  CHECK(wrong_lines("service.name = llm.gateway", rules).empty());
  CHECK(wrong_lines("read the exporter endpoint; then \"x\"", rules).empty());
  // The bridge is judged by its pairing: 0.30 is built for 0.29.
  CHECK(wrong_lines("tracing-opentelemetry = \"0.30\"", rules) ==
        std::vector<std::string>{
            "declares tracing-opentelemetry = \"0.30\", which is not on the 0.30 line"});
}

TEST_CASE("fix targets: every fix of the ecosystem audited as a set names only the target") {
  int audits = 0, fixes = 0;
  const auto wrong = fixes_off_target(
      repos_under(fs::path(OTEL_AUDIT_SOURCE_DIR) / "fixtures" / "ecosystem"), true, audits, fixes);
  CHECK_MESSAGE(wrong.empty(), lines_of(wrong));
  CHECK(audits >= 13); // one per bundled pack, 0.20 to 0.33
  CHECK(fixes > 100);
}

TEST_CASE("fix targets: every fix of every edge case names only the target") {
  int audits = 0, fixes = 0;
  const auto wrong = fixes_off_target(
      repos_under(fs::path(OTEL_AUDIT_SOURCE_DIR) / "fixtures" / "cases"), false, audits, fixes);
  CHECK_MESSAGE(wrong.empty(), lines_of(wrong));
  CHECK(audits >= 13 * 19);
  CHECK(fixes > 100);
}
