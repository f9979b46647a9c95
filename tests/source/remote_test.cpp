#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "source/git_tree.h"
#include "source/remote.h"
#include "support/git_repo.h"

using namespace otelaudit;
using namespace otelaudit::testsupport;
namespace fs = std::filesystem;

namespace {

// Sets an environment variable for one scope and puts the old value back.
class ScopedEnv {
public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }

private:
  const char* name_;
  std::optional<std::string> old_;
};

std::string file_url(const fs::path& p) {
  return "file://" + p.string();
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

} // namespace

TEST_CASE("remote: git URLs are told from local paths") {
  CHECK(is_git_url("https://github.com/org/repo.git"));
  CHECK(is_git_url("http://host/repo"));
  CHECK(is_git_url("ssh://git@host:2222/org/repo.git"));
  CHECK(is_git_url("git://host/repo"));
  CHECK(is_git_url("file:///srv/git/repo"));
  CHECK(is_git_url("HTTPS://GitHub.com/org/repo"));
  CHECK(is_git_url("git@github.com:org/repo.git"));
  CHECK(is_git_url("git@github.com:org/repo"));
  CHECK_FALSE(is_git_url("../repo"));
  CHECK_FALSE(is_git_url("/srv/git/repo"));
  CHECK_FALSE(is_git_url("C:\\work\\repo"));
  CHECK_FALSE(is_git_url("host:repo"));
  CHECK_FALSE(is_git_url("https://"));
  CHECK_FALSE(is_git_url("file://"));
  CHECK_FALSE(is_git_url("ftp://host/repo"));
  CHECK_FALSE(is_git_url("git@github.com:"));
  CHECK_FALSE(is_git_url(""));
}

TEST_CASE("remote: redact_url hides userinfo that can hold a secret") {
  CHECK(redact_url("https://user:tok@host/r.git") == "https://***@host/r.git");
  CHECK(redact_url("https://ghp_abcdef@github.com/org/r") == "https://***@github.com/org/r");
  CHECK(redact_url("https://a@b:tok@host/r") == "https://***@host/r");
  CHECK(redact_url("https://host/path@v1") == "https://host/path@v1");
  CHECK(redact_url("ssh://deploy:pw@host/r") == "ssh://***@host/r");
  CHECK(redact_url("ssh://git@host/r") == "ssh://git@host/r");
  CHECK(redact_url("git@github.com:org/repo.git") == "git@github.com:org/repo.git");
  CHECK(redact_url("user:pw@host:org/repo") == "***@host:org/repo");
  CHECK(redact_url("https://github.com/org/repo") == "https://github.com/org/repo");
  CHECK(redact_url("/local/path") == "/local/path");
}

TEST_CASE("remote: cache_key normalises spellings of one repository") {
  const std::string key = cache_key("https://github.com/Org/Repo");
  CHECK(key == "github.com-org-repo-fe836902");
  CHECK(cache_key("https://GitHub.com/Org/Repo.git/") == key);
  CHECK(cache_key("https://user:token@github.com/Org/Repo.git") == key);
  CHECK(cache_key("http://github.com/Org/Repo//") == key);
  CHECK(cache_key("git@github.com:Org/Repo.git") == key);
  // Paths are case-sensitive on most servers: same slug, different hash.
  CHECK(cache_key("https://github.com/org/repo") != key);
  CHECK(cache_key("https://github.com/org/repo").rfind("github.com-org-repo-", 0) == 0);
  CHECK(cache_key("https://host:8443/a/b").rfind("host-8443-a-b-", 0) == 0);
  CHECK(cache_key("file:///../..").rfind("..", 0) == std::string::npos);
  CHECK(cache_key("file:///").rfind("repo-", 0) == 0);
}

TEST_CASE("remote: default cache directory follows XDG, then HOME") {
  {
    ScopedEnv xdg("XDG_CACHE_HOME", "/xdg/cache");
    ScopedEnv home("HOME", "/home/u");
    CHECK(default_cache_dir() == fs::path("/xdg/cache/otel-audit"));
  }
  {
    ScopedEnv xdg("XDG_CACHE_HOME", nullptr);
    ScopedEnv home("HOME", "/home/u");
    CHECK(default_cache_dir() == fs::path("/home/u/.cache/otel-audit"));
  }
  {
    ScopedEnv xdg("XDG_CACHE_HOME", "relative/cache");
    ScopedEnv home("HOME", "/home/u");
    CHECK(default_cache_dir() == fs::path("/home/u/.cache/otel-audit"));
  }
}

TEST_CASE("remote: progress line") {
  FetchProgress p{90, 200, 80, 1258291};
  CHECK(progress_line(p, 1.92) == "receiving objects: 45% (90/200), 1.2 MiB, 640 KiB/s");
  CHECK(progress_line(p, 0) == "receiving objects: 45% (90/200), 1.2 MiB");
  CHECK(progress_line({200, 200, 150, 2048}, 2) ==
        "indexing objects: 75% (150/200), 2 KiB, 1 KiB/s");
  CHECK(progress_line({}, 0) == "receiving objects: 0% (0/0), 0 B");
}

TEST_CASE("remote: fetch_to_cache clones, fetches, prunes and works offline") {
  TempDir dir;
  GitRepoBuilder source(dir.path() / "upstream");
  std::string c1 = source.commit({{"Cargo.toml", "[package]\nname = \"up\"\n"}}, "one");
  source.tag_annotated("v1.0.0", c1, "v1\n");
  source.commit({{"Cargo.toml", "[package]\nname = \"feature\"\n"}}, "feature", "feature");
  const std::string url = file_url(source.path());
  const fs::path cache = dir.path() / "cache";

  unsigned calls = 0;
  FetchProgress last;
  FetchOptions options;
  options.cache_dir = cache;
  options.progress = [&](const FetchProgress& p) {
    ++calls;
    last = p;
  };
  std::string error;
  auto copy = fetch_to_cache(url, options, error);
  INFO("fetch error: " << error);
  REQUIRE(copy.has_value());
  CHECK(*copy == cache / cache_key(url));
  // No temporary left; the lock file that runs sharing the cache take turns on stays beside it.
  CHECK(entries(cache) == std::vector<std::string>{cache_key(url), cache_key(url) + ".lock"});
  CHECK(calls > 0);
  CHECK(last.total_objects > 0);
  CHECK(last.received_objects == last.total_objects);

  auto head = GitTree::open(*copy, "", error);
  REQUIRE(head);
  CHECK(head->commit_id() == c1);
  CHECK(GitTree::open(*copy, "main", error)->commit_id() == c1);
  CHECK(GitTree::open(*copy, "v1.0.0", error)->commit_id() == c1);
  CHECK(GitTree::open(*copy, "feature", error)->files() == std::vector<std::string>{"Cargo.toml"});

  // Second run: a new commit arrives, a deleted branch goes.
  std::string c2 = source.commit({{"Cargo.toml", "[package]\nname = \"up2\"\n"}}, "two");
  source.delete_branch("feature");
  auto again = fetch_to_cache(url, options, error);
  REQUIRE(again.has_value());
  CHECK(*again == *copy);
  auto main = GitTree::open(*again, "main", error);
  REQUIRE(main);
  CHECK(main->commit_id() == c2);
  std::string content_error;
  CHECK(main->read("Cargo.toml", content_error) ==
        std::optional<std::string>("[package]\nname = \"up2\"\n"));
  CHECK(GitTree::open(*again, "feature", error) == nullptr);
  CHECK(error == "ref \"feature\" not found in " + again->string());

  // Offline: the cache answers even when the source is gone.
  fs::remove_all(source.path());
  options.offline = true;
  auto offline = fetch_to_cache(url, options, error);
  REQUIRE(offline.has_value());
  CHECK(GitTree::open(*offline, "main", error)->commit_id() == c2);
}

TEST_CASE("remote: offline without a cached copy and a failed clone leave nothing behind") {
  TempDir dir;
  FetchOptions options;
  options.cache_dir = dir.path() / "cache";
  options.offline = true;
  std::string error;
  CHECK_FALSE(fetch_to_cache("https://user:secret@example.com/org/repo.git", options, error));
  CHECK(error ==
        "no cached copy of https://***@example.com/org/repo.git (run once without --offline)");

  options.offline = false;
  const std::string missing = file_url(dir.path() / "does-not-exist");
  CHECK_FALSE(fetch_to_cache(missing, options, error));
  CHECK(error.rfind("cannot clone " + missing + ": ", 0) == 0);
  CHECK(entries(options.cache_dir).empty());
}

TEST_CASE("remote: errors never carry the secret of a URL") {
  TempDir dir;
  FetchOptions options;
  options.cache_dir = dir.path() / "cache";
  // Port 1 on the loopback address refuses at once; no proxy may turn it into real traffic.
  ScopedEnv p1("https_proxy", nullptr), p2("HTTPS_PROXY", nullptr), p3("all_proxy", nullptr),
      p4("ALL_PROXY", nullptr);
  const std::string url = "https://user:s3cr3t-token@127.0.0.1:1/org/repo.git";
  std::string error;
  CHECK_FALSE(fetch_to_cache(url, options, error));
  CHECK(error.rfind("cannot clone https://***@127.0.0.1:1/org/repo.git: ", 0) == 0);
  CHECK(error.find("s3cr3t") == std::string::npos);
  CHECK(entries(options.cache_dir).empty());
}
