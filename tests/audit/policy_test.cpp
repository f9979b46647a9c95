// The policy is applied once, after every finding exists: inline allow comments, ignores and
// levels reach the cross-repository findings as they reach a repository's own.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "audit/policy.h"
#include "scan/scan.h"
#include "source/tree.h"

using namespace otelaudit;

namespace {

namespace fs = std::filesystem;

/// Every file of the fixture repository `dir`, by path relative to it.
std::map<std::string, std::string> files_of(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    out[fs::relative(e.path(), dir).generic_string()] = text.str();
  }
  return out;
}

/// fixtures/graphs/incompatible with line 9 of app/Cargo.toml (its link-incompatible
/// dependency) ending in `comment` instead of its expect marker.
struct IncompatibleSet {
  explicit IncompatibleSet(const std::string& comment) {
    const fs::path root = fs::path(OTEL_AUDIT_SOURCE_DIR) / "fixtures/graphs/incompatible";
    for (const char* name : {"app", "telemetry-lib", "plain"}) {
      auto files = files_of(root / name);
      if (std::string(name) == "app") {
        std::string& manifest = files.at("Cargo.toml");
        const auto at = manifest.find("# expect: link-incompatible");
        REQUIRE(at != std::string::npos);
        manifest.replace(at, manifest.find('\n', at) - at, comment);
      }
      trees.push_back(std::make_unique<MemoryTree>(std::move(files)));
      inputs.emplace_back(name, name, trees.back().get());
    }
  }
  std::vector<std::unique_ptr<MemoryTree>> trees;
  std::vector<RepoInput> inputs;
};

const Ruleset& rules_027() {
  static const Ruleset rules = [] {
    RulesetResult r = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
    REQUIRE(r.ruleset.has_value());
    return std::move(*r.ruleset);
  }();
  return rules;
}

std::vector<const Finding*> of(const AuditResult& result, const std::string& repo,
                               const std::string& rule) {
  std::vector<const Finding*> out;
  for (const RepoResult& r : result.repos)
    if (r.name == repo)
      for (const Finding& f : r.findings)
        if (f.rule == rule) out.push_back(&f);
  return out;
}

/// The set through scan documents and report's set-level step, as `scan` and `report` do.
AuditResult through_scan(const IncompatibleSet& set, const AuditPolicy& policy) {
  AuditResult result;
  std::vector<CargoModel> cargos;
  std::vector<RepoInput> inputs;
  for (const RepoInput& input : set.inputs) {
    ScanDocument written = make_scan_document(audit_repository(input, rules_027()), input, "0.27");
    ScanParseResult read = parse_scan(render_scan(written), input.name + ".json");
    REQUIRE_MESSAGE(read.document.has_value(), read.error);
    inputs.push_back(scan_input(*read.document));
    result.repos.push_back(std::move(read.document->result));
    cargos.push_back(std::move(read.document->cargo));
  }
  LevelReport levels;
  finish_audit(result, cargos, inputs, rules_027(), policy, levels);
  return result;
}

} // namespace

TEST_CASE("policy: an inline allow silences a cross-repository finding on its line") {
  const IncompatibleSet plain("# unrelated comment");
  const AuditResult before = run_audit(plain.inputs, rules_027());
  auto link = of(before, "app", "link-incompatible");
  REQUIRE(link.size() == 1);
  CHECK(link[0]->loc == Location{"Cargo.toml", 9, 1});
  CHECK_FALSE(link[0]->suppressed);
  CHECK(before.verdict == Verdict::no_go);

  const IncompatibleSet allowed(
      "# otel-audit: allow(link-incompatible) telemetry-lib moves to 0.27 in PLAT-90");
  for (const AuditResult& after :
       {run_audit(allowed.inputs, rules_027()), through_scan(allowed, AuditPolicy{})}) {
    link = of(after, "app", "link-incompatible");
    REQUIRE(link.size() == 1);
    CHECK(link[0]->suppressed);
    CHECK(link[0]->suppression == "telemetry-lib moves to 0.27 in PLAT-90");
    CHECK(of(after, "app", "unused-suppression").empty());
  }
}

TEST_CASE("policy: an allow naming another rule stays unused, at its overridden severity") {
  const IncompatibleSet set("# otel-audit: allow(transitive-spread) not this one");
  AuditPolicy policy;
  policy.severity_overrides = {{"unused-suppression", Severity::high}};
  for (const AuditResult& result :
       {run_audit(set.inputs, rules_027(), policy), through_scan(set, policy)}) {
    auto link = of(result, "app", "link-incompatible");
    REQUIRE(link.size() == 1);
    CHECK_FALSE(link[0]->suppressed);
    auto unused = of(result, "app", "unused-suppression");
    REQUIRE(unused.size() == 1);
    CHECK(unused[0]->loc.line == 9);
    CHECK(unused[0]->severity == Severity::high);
    CHECK(unused[0]->message ==
          "otel-audit: allow(transitive-spread) silences no finding here: remove it");
  }
}

TEST_CASE("policy: one allow parser for Rust and Cargo comments") {
  auto one = parse_allow(" otel-audit:allow( a ,, b )  the reason \r");
  REQUIRE(one.has_value());
  CHECK(one->rules == std::vector<std::string>{"a", "b"});
  CHECK(one->reason == "the reason");
  CHECK_FALSE(parse_allow(" otel-audit: allow() empty").has_value());
  CHECK_FALSE(parse_allow(" otel-audit: allow(unclosed").has_value());
  CHECK_FALSE(parse_allow(" see otel-audit: allow(x) later").has_value());
  auto found = manifest_allows("Cargo.toml", "a = 1\nb = \"2\"  #otel-audit: allow(x) why\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].loc == Location{"Cargo.toml", 2, 10});
  CHECK(found[0].rules == std::vector<std::string>{"x"});
  CHECK(found[0].reason == "why");
}
