// Auditing repositories through git: at a ref, bare, by file:// URL, with a missing object,
// driven by a config file; and the same content read from disk and from git gives the same
// findings.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "audit/audit.h"
#include "report/json.h"
#include "rules/ruleset.h"
#include "source/git_tree.h"
#include "support/cli_run.h"
#include "support/git_repo.h"

using namespace otelaudit;
using namespace otelaudit::testsupport;
namespace fs = std::filesystem;

namespace {

using Run = CliRun;

/// A run with CI set, as in a pipeline: no progress bar.
Run run_in(const fs::path&, const std::string& args) {
  return run_cli(args, "CI=true");
}

/// The files of a fixture repository, as a git tree's content.
std::map<std::string, GitEntry> fixture_files(const std::string& repo) {
  std::map<std::string, GitEntry> files;
  fs::path root = fs::path(OTEL_AUDIT_SOURCE_DIR) / "fixtures" / "ecosystem" / repo;
  DirTree tree(root);
  for (const std::string& f : tree.files()) {
    std::string error;
    files.emplace(f, GitEntry(*tree.read(f, error)));
  }
  return files;
}

std::vector<std::string> rules_of(const nlohmann::json& report) {
  std::vector<std::string> out;
  for (const auto& f : report["repos"][0]["findings"])
    out.push_back(f["rule"]);
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

/// policy-engine at its seed state (tag v1), then with the Jaeger exporter replaced on main.
struct PolicyEngineHistory {
  TempDir dir;
  GitRepoBuilder repo;
  std::string c1, c2;
  explicit PolicyEngineHistory(bool bare = false) : repo(dir.path() / "policy-engine", bare) {
    auto files = fixture_files("policy-engine");
    c1 = repo.commit(files, "Seed state");
    repo.tag_annotated("v1", c1, "v1\n");
    std::string manifest = files.at("Cargo.toml").content;
    auto at = manifest.find("opentelemetry-jaeger");
    REQUIRE(at != std::string::npos);
    manifest.erase(at, manifest.find('\n', at) - at + 1);
    files.erase("Cargo.toml");
    files.emplace("Cargo.toml", GitEntry(manifest));
    c2 = repo.commit(files, "Drop the Jaeger exporter");
  }
};

} // namespace

TEST_CASE("git cli: --ref audits a tag and main of a repository without a checkout") {
  PolicyEngineHistory h;
  Run v1 = run_in(h.dir.path(),
                  "check --ref v1 --format json --fail-on none '" + h.repo.path().string() + "'");
  REQUIRE(v1.code == 0);
  auto j1 = nlohmann::json::parse(v1.out);
  CHECK(j1["repos"][0]["commit"] == h.c1);
  CHECK(has(rules_of(j1), "deprecated-exporter"));
  Run head = run_in(h.dir.path(), "check --ref main --format json --fail-on none '" +
                                      h.repo.path().string() + "'");
  auto j2 = nlohmann::json::parse(head.out);
  CHECK(j2["repos"][0]["commit"] == h.c2);
  CHECK_FALSE(has(rules_of(j2), "deprecated-exporter"));
}

TEST_CASE("git cli: a bare repository is read at HEAD") {
  PolicyEngineHistory h(true);
  Run r = run_in(h.dir.path(), "check --format json '" + h.repo.path().string() + "'");
  CHECK(r.code == 1); // the 0.21 crates are blockers
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["repos"][0]["name"] == "policy-engine");
  CHECK(j["repos"][0]["commit"] == h.c2);
}

TEST_CASE("git cli: a ref that does not exist is a usage error listing close matches") {
  PolicyEngineHistory h;
  Run r = run_in(h.dir.path(), "check --ref mian '" + h.repo.path().string() + "'");
  CHECK(r.code == 2);
  CHECK(r.out == "");
  CHECK(r.err.find("ref \"mian\" not found") != std::string::npos);
  CHECK(r.err.find("close matches: main") != std::string::npos);
}

TEST_CASE("git cli: a file:// URL is cloned into the cache, then used offline") {
  PolicyEngineHistory h;
  fs::path cache = h.dir.path() / "cache";
  std::string url = "file://" + h.repo.path().string();
  Run first = run_in(h.dir.path(), "check --format json --fail-on none --cache-dir '" +
                                       cache.string() + "' '" + url + "'");
  REQUIRE(first.code == 0);
  CHECK(first.err == "");
  auto j = nlohmann::json::parse(first.out);
  CHECK(j["repos"][0]["commit"] == h.c2);
  CHECK(j["repos"][0]["path"] == url);
  Run offline = run_in(h.dir.path(), "check --offline --ref v1 --format json --fail-on none "
                                     "--cache-dir '" +
                                         cache.string() + "' '" + url + "'");
  REQUIRE(offline.code == 0);
  CHECK(nlohmann::json::parse(offline.out)["repos"][0]["commit"] == h.c1);
  Run missing =
      run_in(h.dir.path(), "check --offline --cache-dir '" +
                               (h.dir.path() / "empty-cache").string() + "' '" + url + "'");
  CHECK(missing.code == 2);
  CHECK(missing.err.find("no cached copy") != std::string::npos);
}

TEST_CASE("git cli: a URL's credentials never reach the output") {
  TempDir tmp;
  Run r = run_in(tmp.path(), "check --cache-dir '" + (tmp.path() / "c").string() +
                                 "' https://user:s3cr3t-token@127.0.0.1:1/org/repo.git");
  CHECK(r.code == 3); // the network failed, not the user
  CHECK(
      r.err.starts_with("otel-audit: error: cannot clone https://***@127.0.0.1:1/org/repo.git: "));
  CHECK(r.err.find("s3cr3t-token") == std::string::npos);
  CHECK(r.err.find("***@127.0.0.1") != std::string::npos);
}

TEST_CASE("git cli: a remote that accepts the connection and never answers is given up") {
  // Listening without ever accepting: the kernel completes the handshake, nothing is sent back.
  const int server = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(server >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(server, 4) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(server, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/x.git";
  TempDir tmp;
  Run r = run_in(tmp.path(), "check --network-timeout 1 --cache-dir '" +
                                 (tmp.path() / "c").string() + "' " + url);
  ::close(server);
  CHECK(r.code == 3);
  CHECK(r.out == "");
  CHECK(r.err == "\notel-audit: error: no data from " + url +
                     " for 1 s: giving up (raise the limit with --network-timeout SECONDS, 0 for "
                     "none)\n");
}

TEST_CASE("git cli: a ref missing from a URL is named with the URL, not the cache") {
  PolicyEngineHistory h;
  fs::path cache = h.dir.path() / "cache";
  std::string url = "file://" + h.repo.path().string();
  Run r =
      run_in(h.dir.path(), "check --ref mian --cache-dir '" + cache.string() + "' '" + url + "'");
  CHECK(r.code == 2);
  CHECK(r.err ==
        "otel-audit: error: ref \"mian\" not found in " + url + " (close matches: main)\n");
}

TEST_CASE("git cli: a blob missing from the object database is a finding, the rest is audited") {
  PolicyEngineHistory h;
  std::string error;
  auto tree = GitTree::open(h.repo.path(), "main", error);
  REQUIRE(tree);
  auto lock = tree->blob_id("Cargo.lock");
  REQUIRE(lock);
  fs::remove(h.repo.loose_object_path(*lock));
  Run r = run_in(h.dir.path(),
                 "check --ref main --format json --fail-on none '" + h.repo.path().string() + "'");
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  bool missing = false;
  for (const auto& f : j["repos"][0]["findings"])
    if (f["rule"] == "git-object-missing" && f["file"] == "Cargo.lock" &&
        f["message"].get<std::string>().find(*lock) != std::string::npos)
      missing = true;
  CHECK(missing);
  CHECK(has(rules_of(j), "otel-version-behind")); // the manifest is still judged
}

TEST_CASE("git audit: a directory and a git tree of the same content give identical findings") {
  TempDir dir;
  GitRepoBuilder repo(dir.path() / "r");
  for (const char* name : {"edge-agent", "policy-engine", "observatory"}) {
    std::string id = repo.commit(fixture_files(name), name);
    std::string error;
    auto git = GitTree::open(repo.path(), id, error);
    REQUIRE(git);
    DirTree disk(fs::path(OTEL_AUDIT_SOURCE_DIR) / "fixtures" / "ecosystem" / name);
    RulesetResult rules = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
    REQUIRE(rules.ruleset);
    AuditResult a = run_audit({{name, name, &disk, "", ""}}, *rules.ruleset);
    AuditResult b = run_audit({{name, name, git.get(), "", ""}}, *rules.ruleset);
    CHECK(render_json(a) == render_json(b));
    CHECK_FALSE(a.repos[0].findings.empty());
  }
}

TEST_CASE("git cli: a config file drives a multi-repository audit with its policy") {
  TempDir tmp;
  Run r = run_in(tmp.path(), "check --config fixtures/otel-audit.toml --format json");
  CHECK(r.code == 1);
  CHECK(r.err == "");
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["repos"].size() == 7);
  CHECK(j["repos"][0]["name"] == "edge-agent");
  CHECK(j["repos"][0]["path"] == "fixtures/ecosystem/edge-agent");
  for (const auto& repo : j["repos"])
    for (const auto& f : repo["findings"]) {
      if (f["rule"] == "companion-drift") CHECK(f["severity"] == "info");
      if (f["rule"] == "no-lockfile" && repo["name"] == "connector-hub")
        CHECK(f["suppressed"] == true);
    }
}

TEST_CASE("git cli: an invalid config file is a usage error with its location") {
  TempDir tmp;
  std::ofstream(tmp.path() / "bad.toml") << "[[repo]]\nname = \"a\"\npaht = \"x\"\n";
  Run r = run_in(tmp.path(), "check --config '" + (tmp.path() / "bad.toml").string() + "'");
  CHECK(r.code == 2);
  CHECK(r.err.find("bad.toml:3:1: error: unknown key \"paht\"") != std::string::npos);
}
