// Every fixture repository states what it must trigger: a `# expect: rule-id[, rule-id]`
// (or `// expect:`) comment on the line, or a `file:line: rule-id` line in the repository's
// expect.txt where no comment can be written. A marker without a finding fails, and so does a
// finding without a marker; `must-not: rule-id` comments assert silence explicitly.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

#include "audit/audit.h"
#include "rules/ruleset.h"
#include "source/tree.h"

using namespace otelaudit;
namespace fs = std::filesystem;

namespace {

struct Mark {
  std::string file;
  int line;
  std::string rule;
  friend bool operator<(const Mark& a, const Mark& b) {
    return std::tie(a.file, a.line, a.rule) < std::tie(b.file, b.line, b.rule);
  }
};

std::vector<std::string> split_ids(const std::string& s) {
  std::vector<std::string> out;
  std::regex id("[a-z0-9][a-z0-9-]*");
  for (auto it = std::sregex_iterator(s.begin(), s.end(), id); it != std::sregex_iterator(); ++it)
    out.push_back(it->str());
  return out;
}

/// Reads the markers of every file in the repository.
void read_marks(const fs::path& root, std::set<Mark>& expect, std::set<Mark>& must_not) {
  // `# expect: a, b; must-not: c` holds two markers: every one of them counts.
  static const std::regex marker(
      R"((?:#|//|;)\s*(expect|must-not):\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*))");
  DirTree tree(root);
  for (const std::string& file : tree.files()) {
    std::string error;
    auto text = tree.read(file, error);
    if (!text) continue;
    if (file == "expect.txt") {
      std::istringstream in(*text);
      std::string line;
      static const std::regex entry(R"(^(.+):(\d+):\s*([a-z0-9-]+)\s*$)");
      while (std::getline(in, line)) {
        std::smatch m;
        if (std::regex_match(line, m, entry)) expect.insert({m[1], std::stoi(m[2]), m[3]});
      }
      continue;
    }
    // Markers live in the audited files themselves, never in prose about them.
    if (file.ends_with(".md") || file.ends_with(".txt")) continue;
    std::istringstream in(*text);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      for (auto m = std::sregex_iterator(line.begin(), line.end(), marker);
           m != std::sregex_iterator(); ++m)
        for (const std::string& rule : split_ids((*m)[2]))
          ((*m)[1] == "expect" ? expect : must_not).insert({file, n, rule});
    }
  }
}

std::string describe(const std::set<Mark>& marks) {
  std::string out;
  for (const Mark& m : marks)
    out += "\n  " + m.file + ":" + std::to_string(m.line) + ": " + m.rule;
  return out;
}

void check_fixture_dir(const fs::path& dir, const Ruleset& rules) {
  std::set<Mark> expect, must_not;
  read_marks(dir, expect, must_not);
  DirTree tree(dir);
  AuditResult result = run_audit({{dir.filename().string(), dir.string(), &tree, "", ""}}, rules);
  std::set<Mark> actual;
  for (const Finding& f : result.repos.at(0).findings)
    actual.insert({f.loc.file, f.loc.line, f.rule});
  std::set<Mark> missing, unexpected, forbidden;
  for (const Mark& m : expect)
    if (!actual.count(m)) missing.insert(m);
  for (const Mark& m : actual)
    if (!expect.count(m)) unexpected.insert(m);
  for (const Mark& m : must_not)
    if (actual.count(m)) forbidden.insert(m);
  INFO("fixture ", dir.string());
  CHECK_MESSAGE(missing.empty(), "expected but not found:", describe(missing));
  CHECK_MESSAGE(unexpected.empty(), "found but not marked:", describe(unexpected));
  CHECK_MESSAGE(forbidden.empty(), "marked must-not but found:", describe(forbidden));
}

std::vector<fs::path> repos_under(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

Ruleset rules_027() {
  RulesetResult r = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
  REQUIRE(r.ruleset.has_value());
  return *r.ruleset;
}

} // namespace

TEST_CASE("fixtures: the ecosystem's findings are exactly its inline markers") {
  Ruleset rules = rules_027();
  auto dirs = repos_under(fs::path(OTEL_AUDIT_SOURCE_DIR) / "fixtures" / "ecosystem");
  CHECK(dirs.size() == 7);
  for (const fs::path& dir : dirs)
    check_fixture_dir(dir, rules);
}

TEST_CASE("fixtures: every edge case's findings are exactly its markers") {
  Ruleset rules = rules_027();
  auto dirs = repos_under(fs::path(OTEL_AUDIT_SOURCE_DIR) / "fixtures" / "cases");
  CHECK(dirs.size() >= 10);
  for (const fs::path& dir : dirs)
    check_fixture_dir(dir, rules);
}
