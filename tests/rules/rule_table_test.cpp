#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "rules/rule_table.h"

using namespace otelaudit;

TEST_CASE("rule table: ids are unique kebab-case and each has a section in docs/rules.md") {
  std::ifstream in(std::string(OTEL_AUDIT_SOURCE_DIR) + "/docs/rules.md");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string docs = ss.str();
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
}
