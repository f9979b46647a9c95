// The readiness trend over a git history, and what memoising by blob id saves.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "audit/history.h"
#include "report/history.h"
#include "support/cli_run.h"
#include "support/git_repo.h"

using namespace otelaudit;
using namespace otelaudit::testsupport;
namespace fs = std::filesystem;

namespace {

std::map<std::string, GitEntry> fixture(const std::string& repo, std::size_t& parsed_kinds) {
  std::map<std::string, GitEntry> files;
  DirTree tree(fs::path(OTEL_AUDIT_SOURCE_DIR) / "fixtures" / "ecosystem" / repo);
  parsed_kinds = 0;
  for (const std::string& f : tree.files()) {
    std::string error;
    files.emplace(f, GitEntry(*tree.read(f, error)));
    if (f.ends_with("Cargo.toml") || f.ends_with("Cargo.lock") || f.ends_with(".rs"))
      ++parsed_kinds;
  }
  return files;
}

/// c1 seed state; c2 adds a README; c3 drops the Jaeger exporter; c4 restores c2's tree.
struct Trend {
  TempDir dir;
  GitRepoBuilder repo{dir.path() / "policy-engine"};
  std::string c1, c2, c3, c4;
  std::size_t n = 0; // Cargo.toml, Cargo.lock and .rs files of the fixture
  Trend() {
    auto files = fixture("policy-engine", n);
    c1 = repo.commit(files, "Seed state");
    files.emplace("README.md", GitEntry("# policy-engine\n"));
    c2 = repo.commit(files, "Add a README");
    auto changed = files;
    std::string manifest = changed.at("Cargo.toml").content;
    auto at = manifest.find("opentelemetry-jaeger");
    REQUIRE(at != std::string::npos);
    manifest.erase(at, manifest.find('\n', at) - at + 1);
    changed.erase("Cargo.toml");
    changed.emplace("Cargo.toml", GitEntry(manifest));
    c3 = repo.commit(changed, "Drop the Jaeger exporter");
    c4 = repo.commit(files, "Revert \"Drop the Jaeger exporter\"");
  }
};

Ruleset rules_027() {
  RulesetResult r = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
  REQUIRE(r.ruleset);
  return *r.ruleset;
}

} // namespace

TEST_CASE("history: one point per first-parent commit, newest first, memoised by blob id") {
  Trend t;
  std::string error;
  auto h = audit_history(t.repo.path(), "policy-engine", {}, rules_027(), {}, error);
  REQUIRE_MESSAGE(h, error);
  REQUIRE(h->points.size() == 4);
  CHECK(h->points[0].commit.id == t.c4);
  CHECK(h->points[3].commit.id == t.c1);
  // The walk goes newest first: c4 is judged, c2 (the same tree) reuses that judgement.
  CHECK_FALSE(h->points[0].reused);
  CHECK(h->points[2].reused);
  CHECK(h->commits_reused == 1);
  // c4 parses every file; c3 parses only its changed Cargo.toml; c1 reuses them all.
  CHECK(h->files_parsed == t.n + 1);
  CHECK(h->files_reused == t.n + (t.n - 1));
  const auto blockers = [&](std::size_t i) {
    return h->points[i].counts[static_cast<std::size_t>(Severity::blocker)];
  };
  CHECK(blockers(1) == blockers(0) - 1); // c3 lost the deprecated-exporter blocker
  CHECK(blockers(2) == blockers(0));
  CHECK(h->points[0].otel_line == std::optional<std::string>("0.21"));
  CHECK(h->points[0].verdict == Verdict::no_go);
}

TEST_CASE("history: --max-count and a starting ref limit the walk") {
  Trend t;
  std::string error;
  HistoryOptions o;
  o.rev = t.c3;
  o.max_count = 2;
  auto h = audit_history(t.repo.path(), "policy-engine", o, rules_027(), {}, error);
  REQUIRE(h);
  REQUIRE(h->points.size() == 2);
  CHECK(h->points[0].commit.id == t.c3);
  CHECK(h->points[1].commit.id == t.c2);
}

TEST_CASE("history: dates parse as UTC midnight and malformed ones are refused") {
  CHECK(parse_date("1970-01-02") == std::optional<std::int64_t>(86400));
  CHECK(parse_date("2023-11-14") == std::optional<std::int64_t>(1699920000));
  CHECK(parse_date("2024-02-29").has_value());
  CHECK_FALSE(parse_date("2023-02-29").has_value());
  CHECK_FALSE(parse_date("2023-13-01").has_value());
  CHECK_FALSE(parse_date("yesterday").has_value());
}

TEST_CASE("history cli: the trend as JSON, and a usage error for a bad date") {
  Trend t;
  CliRun r = run_cli("history --format json '" + t.repo.path().string() + "'");
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["schema"] == "otel-audit-history/v1");
  REQUIRE(j["commits"].size() == 4);
  CHECK(j["commits"][0]["commit"] == t.c4);
  CHECK(j["commits"][2]["reused"] == true);
  CHECK(j["memo"]["commits_reused"] == 1);
  CHECK(run_cli("history --since 2023-99-01 '" + t.repo.path().string() + "'").code == 2);
  CHECK(run_cli("history --ref nope '" + t.repo.path().string() + "'").code == 2);
}

TEST_CASE("history: a missing commit object ends the walk with a note, a missing tree is one "
          "unaudited commit") {
  TempDir dir;
  GitRepoBuilder repo(dir.path() / "damaged");
  const std::map<std::string, GitEntry> files = {
      {"Cargo.toml", "[package]\nname = \"d\"\nversion = \"0.1.0\"\n[dependencies]\n"
                     "opentelemetry = \"0.26\"\n"}};
  const std::string c1 = repo.commit(files, "First");
  const std::string c2 = repo.commit(files, "Second");
  const std::string lost_tree = repo.raw_tree(
      {{"100644", "Cargo.toml", repo.blob("[package]\nname = \"d\"\nversion = \"0.2.0\"\n")}});
  const std::string c3 = repo.commit_tree(lost_tree, "Third");
  const std::string c4 = repo.commit(files, "Fourth");
  fs::remove(repo.loose_object_path(c2));
  fs::remove(repo.loose_object_path(lost_tree));

  std::string error;
  auto h = audit_history(repo.path(), "damaged", {}, rules_027(), {}, error);
  REQUIRE_MESSAGE(h, error);
  REQUIRE(h->points.size() == 2); // c4, c3; c2 is gone, so c1 cannot be reached
  CHECK(h->points[0].commit.id == c4);
  CHECK(h->points[0].unaudited.empty());
  CHECK(h->points[1].commit.id == c3);
  CHECK(h->points[1].unaudited ==
        "git object " + lost_tree + " is missing from the object database");
  CHECK(h->ended == "the history ends at commit " + c2 +
                        ", whose object is missing from the object database (a shallow or "
                        "damaged repository)");
  const std::string text = render_history_text(*h);
  CHECK(text.find(c3.substr(0, 10) + " 2023-11-14 not audited: git object " + lost_tree) !=
        std::string::npos);
  CHECK(text.ends_with("note: " + h->ended + "\n"));
  CHECK(nlohmann::json::parse(render_history_json(*h))["ended"] == h->ended);
  (void)c1;

  // check --ref through the lost commit names the missing object, not a missing ref.
  std::string why;
  CHECK_FALSE(GitTree::open(repo.path(), "HEAD~3", why));
  CHECK(why.starts_with("cannot resolve \"HEAD~3\" in " + repo.path().string() + ": "));
  CHECK(why.ends_with("(an object on the way is missing: a shallow or damaged repository)"));
}
