#include <doctest/doctest.h>

#include <filesystem>

#include "source/git_tree.h"
#include "support/git_repo.h"

using namespace otelaudit;
using namespace otelaudit::testsupport;
namespace fs = std::filesystem;

namespace {

using Files = std::vector<std::string>;

std::string read_or_error(const Tree& tree, const std::string& path) {
  std::string error;
  auto content = tree.read(path, error);
  return content ? *content : "error: " + error;
}

// Three commits on main, a lightweight and an annotated tag, and two more branches.
struct History {
  TempDir dir;
  GitRepoBuilder repo;
  std::string c1, c2, c3;

  explicit History(bool bare = false) : repo(dir.path() / "repo", bare) {
    c1 = repo.commit(
        {{"Cargo.toml", "[package]\nname = \"a\"\n"}, {"src/main.rs", "fn main() {}\n"}},
        "Initial manifest");
    repo.tag_lightweight("v0.1.0", c1);
    c2 = repo.commit({{"Cargo.toml", "[package]\nname = \"a\"\n"},
                      {"src/main.rs", "fn main() { run(); }\n"},
                      {"README.md", "# a\n"},
                      {"target/debug/build.rs", "ignored"},
                      {"web/node_modules/x/index.js", "ignored"},
                      {"web/app.js", "app"}},
                     "Run something");
    repo.tag_annotated("v0.2.0", c2, "Release 0.2.0\n");
    c3 = repo.commit({{"Cargo.toml", "[package]\nname = \"a\"\n"},
                      {"Cargo.lock", "version = 4\n"},
                      {"src/main.rs", "fn main() { run(); }\n"},
                      {"README.md", "# a\n"}},
                     "Add lockfile\n\nThe body is not part of the summary.\n");
    repo.commit({{"Cargo.toml", "[package]\nname = \"dev\"\n"}}, "Develop", "develop");
    repo.commit({{"Cargo.toml", "[package]\nname = \"rel\"\n"}}, "Release", "release-1");
  }
};

std::unique_ptr<GitTree> open_ok(const fs::path& repo, const std::string& rev) {
  std::string error;
  auto tree = GitTree::open(repo, rev, error);
  INFO("open error: " << error);
  REQUIRE(tree != nullptr);
  return tree;
}

} // namespace

TEST_CASE("git tree: HEAD lists blobs sorted without target and node_modules") {
  History h;
  auto tree = open_ok(h.repo.path(), "");
  CHECK(tree->files() == Files{"Cargo.lock", "Cargo.toml", "README.md", "src/main.rs"});
  CHECK(read_or_error(*tree, "Cargo.lock") == "version = 4\n");
  CHECK(read_or_error(*tree, "src/main.rs") == "fn main() { run(); }\n");
  CHECK(read_or_error(*tree, "nope.rs") == "error: no such file");
  CHECK(tree->commit_id() == h.c3);
  CHECK(tree->commit_summary() == "Add lockfile");
  CHECK(tree->commit_time() == 1700000000 + 4 * 60);
  CHECK(tree->listing_diagnostics().empty());
  // Fixed names and dates make the ids the same on every run.
  CHECK(h.c1 == "c1263b7427daacc9d7caff4b62c1273b05bcd9db");
  CHECK(tree->blob_id("Cargo.lock") == std::optional<std::string>(h.repo.blob("version = 4\n")));
  CHECK_FALSE(tree->blob_id("nope.rs").has_value());
}

TEST_CASE("git tree: second commit skips target and node_modules directories") {
  History h;
  auto tree = open_ok(h.repo.path(), "v0.2.0");
  CHECK(tree->commit_id() == h.c2);
  CHECK(tree->files() == Files{"Cargo.toml", "README.md", "src/main.rs", "web/app.js"});
}

TEST_CASE("git tree: lightweight and annotated tags resolve to their commits") {
  History h;
  auto light = open_ok(h.repo.path(), "v0.1.0");
  CHECK(light->commit_id() == h.c1);
  CHECK(light->files() == Files{"Cargo.toml", "src/main.rs"});
  CHECK(read_or_error(*light, "src/main.rs") == "fn main() {}\n");
  auto annotated = open_ok(h.repo.path(), "v0.2.0");
  CHECK(annotated->commit_id() == h.c2);
  CHECK(annotated->commit_summary() == "Run something");
  CHECK(open_ok(h.repo.path(), "refs/tags/v0.2.0")->commit_id() == h.c2);
}

TEST_CASE("git tree: branches, short ids and ancestry expressions") {
  History h;
  CHECK(open_ok(h.repo.path(), "main")->commit_id() == h.c3);
  CHECK(open_ok(h.repo.path(), "HEAD~1")->commit_id() == h.c2);
  CHECK(open_ok(h.repo.path(), "main^")->commit_id() == h.c2);
  CHECK(open_ok(h.repo.path(), "HEAD~2")->commit_id() == h.c1);
  CHECK(open_ok(h.repo.path(), h.c1.substr(0, 8))->commit_id() == h.c1);
  CHECK(open_ok(h.repo.path(), h.c2)->commit_id() == h.c2);
  auto develop = open_ok(h.repo.path(), "develop");
  CHECK(develop->files() == Files{"Cargo.toml"});
  CHECK(read_or_error(*develop, "Cargo.toml") == "[package]\nname = \"dev\"\n");
}

TEST_CASE("git tree: bare repository") {
  History h(true);
  CHECK_FALSE(fs::exists(h.repo.path() / ".git"));
  auto tree = open_ok(h.repo.path(), "");
  CHECK(tree->commit_id() == h.c3);
  CHECK(tree->files() == Files{"Cargo.lock", "Cargo.toml", "README.md", "src/main.rs"});
  CHECK(open_ok(h.repo.path(), "v0.2.0")->commit_id() == h.c2);
}

TEST_CASE("git tree: a missing ref names close branch and tag names") {
  History h;
  const std::string where = h.repo.path().string();
  std::string error;
  CHECK(GitTree::open(h.repo.path(), "v0.3.0", error) == nullptr);
  CHECK(error == "ref \"v0.3.0\" not found in " + where + " (close matches: v0.1.0, v0.2.0)");
  CHECK(GitTree::open(h.repo.path(), "mian", error) == nullptr);
  CHECK(error == "ref \"mian\" not found in " + where + " (close matches: main)");
  CHECK(GitTree::open(h.repo.path(), "rel", error) == nullptr);
  CHECK(error == "ref \"rel\" not found in " + where + " (close matches: release-1)");
  CHECK(GitTree::open(h.repo.path(), "nothing-like-it", error) == nullptr);
  CHECK(error == "ref \"nothing-like-it\" not found in " + where);
  CHECK(GitTree::open(h.repo.path(), "HEAD~9", error) == nullptr);
  CHECK(error == "ref \"HEAD~9\" not found in " + where);
}

TEST_CASE("git tree: close ref names rank by distance and keep five") {
  Files names{"main", "master", "maint", "mainline", "v1", "v2", "v3", "v4", "v5", "v6", "x"};
  CHECK(close_ref_names(names, "main") == Files{"mainline", "maint"});
  CHECK(close_ref_names(names, "v0") == Files{"v1", "v2", "v3", "v4", "v5"});
  CHECK(close_ref_names(names, "zzzzzz").empty());
  CHECK(close_ref_names({}, "main").empty());
}

TEST_CASE("git tree: errors for non repositories, empty repositories and non-commits") {
  TempDir dir;
  std::string error;
  CHECK(GitTree::open(dir.path(), "", error) == nullptr);
  CHECK(error.rfind("cannot open git repository " + dir.path().string() + ": ", 0) == 0);

  GitRepoBuilder empty(dir.path() / "empty");
  CHECK(GitTree::open(empty.path(), "", error) == nullptr);
  CHECK(error == "repository " + empty.path().string() + " has no commits");

  empty.commit({{"a.txt", "a"}}, "one");
  CHECK(GitTree::open(empty.path(), "HEAD:a.txt", error) == nullptr);
  CHECK(error == "\"HEAD:a.txt\" names a blob, not a commit, in " + empty.path().string());
}

TEST_CASE("git tree: a blob missing from the object database is listed and reported on read") {
  History h;
  const std::string lock_id = h.repo.blob("version = 4\n");
  REQUIRE(fs::remove(h.repo.loose_object_path(lock_id)));
  auto tree = open_ok(h.repo.path(), "main");
  CHECK(tree->files() == Files{"Cargo.lock", "Cargo.toml", "README.md", "src/main.rs"});
  std::string error;
  CHECK_FALSE(tree->read("Cargo.lock", error).has_value());
  CHECK(error == "git object " + lock_id + " is missing from the object database");
  CHECK(tree->blob_id("Cargo.lock") == std::optional<std::string>(lock_id));
  CHECK(read_or_error(*tree, "Cargo.toml") == "[package]\nname = \"a\"\n");
}

TEST_CASE("git tree: a missing subtree is reported and the rest still listed") {
  TempDir dir;
  GitRepoBuilder repo(dir.path() / "repo");
  repo.commit({{"a/x.rs", "x"}, {"b.rs", "b"}}, "two");
  std::string error;
  auto first = GitTree::open(repo.path(), "", error);
  REQUIRE(first);
  // The tree of `a` holds only x.rs.
  std::string a_tree = repo.raw_tree({{"100644", "x.rs", repo.blob("x")}});
  first.reset();
  REQUIRE(fs::remove(repo.loose_object_path(a_tree)));
  auto tree = open_ok(repo.path(), "");
  CHECK(tree->files() == Files{"b.rs"});
  REQUIRE(tree->listing_diagnostics().size() == 1);
  CHECK(tree->listing_diagnostics()[0].rule == "git-object-missing");
  CHECK(tree->listing_diagnostics()[0].loc.file == "a");
  CHECK(tree->listing_diagnostics()[0].message ==
        "git object " + a_tree + " is missing from the object database; directory not listed");
}

TEST_CASE("git tree: symbolic links and submodules are reported, not followed") {
  TempDir dir;
  GitRepoBuilder repo(dir.path() / "repo");
  std::string first = repo.commit({{"a.rs", "a"}}, "one");
  repo.commit({{"a.rs", "a"},
               {"link.rs", GitEntry("/etc/passwd", 0120000)},
               {"vendor/dep", GitEntry(first, 0160000)}},
              "links");
  auto tree = open_ok(repo.path(), "");
  CHECK(tree->files() == Files{"a.rs"});
  const auto& diags = tree->listing_diagnostics();
  REQUIRE(diags.size() == 2);
  CHECK(diags[0].rule == "symlink-skipped");
  CHECK(diags[0].loc == Location{"link.rs", 0, 0});
  CHECK(diags[0].message == "symbolic link not followed: audited repositories are untrusted");
  CHECK(diags[1].rule == "git-submodule-skipped");
  CHECK(diags[1].loc == Location{"vendor/dep", 0, 0});
  CHECK(diags[1].message == "git submodule (commit " + first + ") not followed");
}

TEST_CASE("git tree: names that leave the root or enter .git are skipped") {
  TempDir dir;
  GitRepoBuilder repo(dir.path() / "repo");
  std::string blob = repo.blob("evil");
  std::string inner = repo.raw_tree({{"100644", "config", blob}});
  // Entries must be in git's tree order for the object to parse.
  std::string root = repo.raw_tree({{"40000", ".GIT", inner},
                                    {"40000", "..", inner},
                                    {"100644", ".git.", blob},
                                    {"40000", ".git", inner},
                                    {"100644", "ok.rs", blob},
                                    {"40000", "sub", inner}});
  repo.commit_tree(root, "hostile");
  auto tree = open_ok(repo.path(), "");
  CHECK(tree->files() == Files{"ok.rs", "sub/config"});
  std::vector<std::string> skipped;
  for (const Diagnostic& d : tree->listing_diagnostics()) {
    CHECK(d.rule == "path-outside-repo");
    CHECK(d.message == "path skipped: it would leave the repository root or write into .git");
    skipped.push_back(d.loc.file);
  }
  CHECK(skipped == Files{"..", ".GIT", ".git", ".git."});
  CHECK(read_or_error(*tree, "ok.rs") == "evil");
}
