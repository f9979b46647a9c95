#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "rules/registry.h"
#include "rules/rule_table.h"

using namespace otelaudit;

namespace {

std::string rules_md() {
  std::ifstream in(std::string(OTEL_AUDIT_SOURCE_DIR) + "/docs/rules.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The `### name` headings of `docs` whose name is a kebab-case word, with how often each
// appears: the rule sections (other level-3 headings, "Provenance", are prose).
std::map<std::string, int> rule_sections(const std::string& docs) {
  std::map<std::string, int> out;
  const std::regex heading("^### ([a-z0-9]+(-[a-z0-9]+)*)$");
  std::istringstream in(docs);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, heading)) ++out[m[1].str()];
  }
  return out;
}

} // namespace

TEST_CASE("rule table: ids are unique kebab-case and each has a section in docs/rules.md") {
  const std::string docs = rules_md();
  std::set<std::string_view> seen;
  const std::regex kebab("[a-z0-9]+(-[a-z0-9]+)*");
  for (const RuleInfo& r : rule_table()) {
    INFO(r.id);
    CHECK(seen.insert(r.id).second);
    CHECK(std::regex_match(std::string(r.id), kebab));
    CHECK_FALSE(r.description.empty());
    CHECK(docs.find("\n### " + std::string(r.id) + "\n") != std::string::npos);
  }
  CHECK(find_rule("deprecated-exporter")->default_severity == Severity::blocker);
  CHECK(find_rule("no-such-rule") == nullptr);
  CHECK(default_severity("service-name-dynamic") == Severity::info);
}

TEST_CASE("docs/rules.md: one section per rule, none for a rule no family declares") {
  const std::map<std::string, int> sections = rule_sections(rules_md());
  for (const auto& [id, count] : sections) {
    INFO("### ", id);
    CHECK(find_rule(id) != nullptr);
    CHECK(count == 1);
  }
  for (const RuleInfo& r : rule_table()) {
    INFO(r.id);
    CHECK(sections.count(std::string(r.id)) == 1);
  }
  // The parser itself: a heading that is no rule id is found, prose headings are not.
  const auto parsed = rule_sections("### no-such-rule\n### Provenance\ntext\n### a-b\n");
  CHECK(parsed == std::map<std::string, int>{{"a-b", 1}, {"no-such-rule", 1}});
}

TEST_CASE("rule table: gathered from the families' declarations, in family order") {
  std::size_t at = 0, checks = 0;
  const auto table = rule_table();
  for (const RuleFamily* family : rule_families()) {
    CHECK_FALSE(family->rules.empty());
    for (const RuleInfo& r : family->rules) {
      REQUIRE(at < table.size());
      CHECK(table[at].id == r.id);
      ++at;
    }
    checks += family->checks.size();
  }
  CHECK(at == table.size());
  CHECK(repo_rules().size() == checks);
  CHECK(table.front().id == "otel-version-behind");
  CHECK(table.back().id == "repository-budget-exceeded");
}
