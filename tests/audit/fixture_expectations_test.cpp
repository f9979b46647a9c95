// Every fixture repository states what it must trigger, with the severity and, above one, the
// count: a `# expect: 2×otel-version-behind@high` (or `// expect:`) comment on the line, or a
// `file:line: rule-id@severity` line in the repository's expect.txt where no comment can be
// written. The harness (audit/markers.h) compares the findings of each line with its markers
// exactly: a marker without its finding, a finding without its marker, another count or another
// severity all fail, and so does a finding of a rule a `must-not:` marker names on its line.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "audit/markers.h"
#include "rules/ruleset.h"
#include "source/tree.h"

using namespace otelaudit;
namespace fs = std::filesystem;

namespace {

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

/// The repositories under `dir` as `otel-audit check DIR/*` gives them to the audit: named after
/// their directory, each with its root on disk (for path dependencies between them).
struct RepoSet {
  std::vector<std::unique_ptr<DirTree>> trees;
  std::vector<RepoInput> inputs;
};

RepoSet repo_set(const std::vector<fs::path>& dirs) {
  RepoSet set;
  for (const fs::path& dir : dirs) {
    set.trees.push_back(std::make_unique<DirTree>(dir));
    RepoInput in(dir.filename().string(), dir.string(), set.trees.back().get());
    in.tree_root = dir.string();
    set.inputs.push_back(std::move(in));
  }
  return set;
}

} // namespace

TEST_CASE("fixtures: the ecosystem audited as one set gives exactly its inline markers") {
  // As `otel-audit check fixtures/ecosystem/*`: the cross-repository findings (edge-agent's
  // link-incompatible entries, the transitive-spread of the lockfiles) exist only here.
  auto dirs = repos_under(fs::path(OTEL_AUDIT_SOURCE_DIR) / "fixtures" / "ecosystem");
  CHECK(dirs.size() == 7);
  RepoSet set = repo_set(dirs);
  const std::vector<std::string> differences = markers::check_repositories(set.inputs, rules_027());
  CHECK_MESSAGE(differences.empty(), "fixtures/ecosystem:", markers::describe(differences));
}

TEST_CASE("fixtures: every edge case audited alone gives exactly its markers") {
  Ruleset rules = rules_027();
  auto dirs = repos_under(fs::path(OTEL_AUDIT_SOURCE_DIR) / "fixtures" / "cases");
  CHECK(dirs.size() >= 19);
  for (const fs::path& dir : dirs) {
    RepoSet one = repo_set({dir});
    const std::vector<std::string> differences = markers::check_repositories(one.inputs, rules);
    CHECK_MESSAGE(differences.empty(), dir.string(), ":", markers::describe(differences));
  }
}
