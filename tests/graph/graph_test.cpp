#include <doctest/doctest.h>

#include "graph/graph.h"
#include "model/cargo/workspace.h"
#include "source/tree.h"

using namespace otelaudit;

namespace {

CargoModel model(std::map<std::string, std::string> files) {
  MemoryTree tree(std::move(files));
  return load_cargo(tree);
}

GraphRepo repo(std::string name, const CargoModel* cargo, std::string url = {}) {
  GraphRepo r;
  r.name = std::move(name);
  r.url = std::move(url);
  r.cargo = cargo;
  return r;
}

std::string manifest(const std::string& name, const std::string& deps) {
  return "[package]\nname = \"" + name + "\"\nversion = \"0.1.0\"\n\n[dependencies]\n" + deps;
}

} // namespace

TEST_CASE("graph: git URLs are normalised to host/org/repo") {
  const std::string want = "github.com/llm-dev-ops/policy-engine";
  CHECK(normalize_git_url("https://github.com/LLM-Dev-Ops/policy-engine") == want);
  CHECK(normalize_git_url("https://github.com/LLM-Dev-Ops/policy-engine.git/") == want);
  CHECK(normalize_git_url("git@github.com:LLM-Dev-Ops/policy-engine.git") == want);
  CHECK(normalize_git_url("ssh://git@github.com/LLM-Dev-Ops/policy-engine") == want);
  CHECK(normalize_git_url("git+https://github.com/llm-dev-ops/policy-engine?branch=main#3f2a9c1") ==
        want);
  CHECK(normalize_git_url("https://user:token@github.com:443/LLM-Dev-Ops//policy-engine//") ==
        want);
  CHECK(normalize_git_url("  HTTPS://GitHub.com/LLM-Dev-Ops/Policy-Engine.GIT  ") == want);
  CHECK(normalize_git_url("http://github.com/LLM-Dev-Ops/policy-engine/") == want);
  CHECK(normalize_git_url("ssh://git@git.example.com:2222/Platform/Telemetry-Lib.git") ==
        "git.example.com/platform/telemetry-lib");
  CHECK(normalize_git_url("file:///srv/git/shield.git") == "/srv/git/shield");
  CHECK(normalize_git_url("github.com/org/repo") == "github.com/org/repo");
  // Not URLs at all: still a plain, non-crashing answer.
  CHECK(normalize_git_url("") == "");
  CHECK(normalize_git_url("/") == "");
  CHECK(normalize_git_url(".git") == "");
  CHECK(normalize_git_url("@:") == "");
  CHECK(normalize_git_url("https://") == "");
}

TEST_CASE("graph: a URL matches a repository by known URL, else by name with or without llm-") {
  GraphRepo shield = repo("shield", nullptr);
  CHECK(match_repository("https://github.com/LLM-Dev-Ops/shield", shield) == UrlMatch::name);
  CHECK(match_repository("https://github.com/LLM-Dev-Ops/llm-shield.git", shield) ==
        UrlMatch::name_with_prefix);
  CHECK(match_repository("https://github.com/LLM-Dev-Ops/shield-core", shield) == UrlMatch::none);
  CHECK(match_repository("https://github.com/LLM-Dev-Ops/llm-llm-shield", shield) ==
        UrlMatch::none);
  GraphRepo llm_shield = repo("LLM-Shield", nullptr);
  CHECK(match_repository("git@github.com:LLM-Dev-Ops/shield.git", llm_shield) ==
        UrlMatch::name_with_prefix);
  // A known URL is the only thing compared.
  GraphRepo known = repo("shield", nullptr, "https://git.example.com/security/shield.git");
  CHECK(match_repository("git@git.example.com:Security/shield", known) == UrlMatch::known_url);
  CHECK(match_repository("https://github.com/LLM-Dev-Ops/shield", known) == UrlMatch::none);
  CHECK(match_repository("", shield) == UrlMatch::none);
  CHECK(match_repository("https://github.com/x/shield", repo("", nullptr)) == UrlMatch::none);
}

TEST_CASE("graph: edges record package, crate, reference and both locations of inherited entries") {
  CargoModel app = model({
      {"Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.dependencies]\n"
                     "lib-core = { git = \"https://github.com/org/lib\", tag = \"v2\" }\n"},
      {"crates/server/Cargo.toml",
       manifest("server", "lib-core.workspace = true\n"
                          "renamed = { package = \"lib-extra\", git = \"git@github.com:org/lib\", "
                          "rev = \"abc123\" }\n"
                          "me = { git = \"https://github.com/org/app\" }\n"
                          "outside = { git = \"https://github.com/org/unknown\" }\n")},
  });
  CargoModel lib = model({{"Cargo.toml", manifest("lib-core", "")}});
  std::vector<GraphRepo> set{repo("lib", &lib), repo("app", &app)};
  RepoGraph g = build_graph(set);
  CHECK(g.repos == std::vector<std::string>{"app", "lib"});
  REQUIRE(g.edges.size() == 2);
  const RepoEdge& inherited = g.edges[0];
  CHECK(inherited.from == "app");
  CHECK(inherited.package == "server");
  CHECK(inherited.dependency == "lib-core");
  CHECK(inherited.crate == "lib-core");
  CHECK(inherited.to == "lib");
  CHECK(inherited.via == RepoEdge::Via::git);
  CHECK(inherited.url == "https://github.com/org/lib");
  CHECK(inherited.reference == "tag=v2");
  CHECK(inherited.kind == DepKind::normal);
  CHECK(inherited.loc == Location{"Cargo.toml", 5, 1});
  CHECK(inherited.used_at == Location{"crates/server/Cargo.toml", 6, 1});
  const RepoEdge& renamed = g.edges[1];
  CHECK(renamed.dependency == "renamed");
  CHECK(renamed.crate == "lib-extra");
  CHECK(renamed.reference == "rev=abc123");
  CHECK(renamed.loc == Location{"crates/server/Cargo.toml", 7, 1});
  CHECK(renamed.used_at == renamed.loc);
  CHECK(g.depends_on.at("app") == std::set<std::string>{"lib"});
  CHECK(g.depends_on.at("lib").empty());
  CHECK(g.first_edge("app", "lib") == &g.edges[0]);
  CHECK(g.first_edge("lib", "app") == nullptr);
}

TEST_CASE("graph: the strongest URL match wins, then the first repository by name") {
  CargoModel user =
      model({{"Cargo.toml", manifest("user", "s = { git = \"https://h/o/shield\" }\n"
                                             "p = { git = \"https://h/o/llm-policy\" }\n")}});
  CargoModel empty;
  std::vector<GraphRepo> set{repo("user", &user), repo("llm-shield", &empty),
                             repo("shield", &empty), repo("policy", &empty),
                             repo("llm-policy-x", &empty)};
  RepoGraph g = build_graph(set);
  REQUIRE(g.edges.size() == 2);
  CHECK(g.edges[0].to == "policy"); // llm-policy: "policy" with the prefix added
  CHECK(g.edges[1].to == "shield"); // exact name beats llm-shield
  // Without models, repositories are nodes with no edges.
  RepoGraph bare = build_graph({repo("x", nullptr), repo("y", nullptr)});
  CHECK(bare.edges.empty());
  CHECK(bare.repos == std::vector<std::string>{"x", "y"});
  // A name given twice is one repository.
  CHECK(build_graph({repo("x", nullptr), repo("x", &user)}).repos == std::vector<std::string>{"x"});
}

TEST_CASE("graph: path dependencies into a sibling repository are edges, inside one are not") {
  CargoModel a = model({{"Cargo.toml", manifest("a", "b = { path = \"../b/crates/b\" }\n"
                                                     "own = { path = \"crates/own\" }\n"
                                                     "gone = { path = \"../../elsewhere\" }\n")},
                        {"crates/own/Cargo.toml", manifest("own", "")}});
  CargoModel b = model({{"crates/b/Cargo.toml", manifest("b", "")}});
  GraphRepo ra = repo("a", &a), rb = repo("b", &b);
  ra.path = "/src/set/a/";
  rb.path = "/src/set/./b";
  RepoGraph g = build_graph({ra, rb});
  REQUIRE(g.edges.size() == 1);
  CHECK(g.edges[0].from == "a");
  CHECK(g.edges[0].to == "b");
  CHECK(g.edges[0].via == RepoEdge::Via::path);
  CHECK(g.edges[0].url == "../b/crates/b");
  CHECK(g.edges[0].loc == Location{"Cargo.toml", 6, 1});
  // Without paths on disk, path dependencies are not followed.
  ra.path.clear();
  CHECK(build_graph({ra, rb}).edges.empty());
}

TEST_CASE("graph: cycles are listed once each, from their smallest repository") {
  RepoGraph g;
  g.repos = {"a", "b", "c", "d"};
  g.depends_on = {{"a", {"b"}}, {"b", {"c", "a"}}, {"c", {"a"}}, {"d", {}}};
  std::vector<Cycle> cycles = find_cycles(g);
  REQUIRE(cycles.size() == 2);
  CHECK(cycles[0].text() == "a → b → a");
  CHECK(cycles[1].text() == "a → b → c → a");
  CHECK(find_cycles(g, 1).size() == 1);
  CHECK(g.reachable("d").empty());
  CHECK(g.reachable("c") == std::set<std::string>{"a", "b", "c"});
  CHECK(g.path("c", "b") == std::vector<std::string>{"c", "a", "b"});
  CHECK(g.path("d", "a").empty());
}

TEST_CASE("graph: migration order puts dependencies first, by name among equals") {
  RepoGraph g;
  g.repos = {"app", "base", "mid", "other", "x", "y"};
  g.depends_on = {{"app", {"mid", "x"}}, {"base", {}}, {"mid", {"base"}},
                  {"other", {}},         {"x", {"y"}}, {"y", {"x", "base"}}};
  MigrationOrder order = migration_order(g);
  std::vector<std::string> names;
  for (const MigrationStep& s : order.steps)
    names.push_back(s.repo);
  CHECK(names == std::vector<std::string>{"base", "mid", "other", "x", "y", "app"});
  CHECK(order.steps[3].in_cycle);
  CHECK(order.steps[4].in_cycle);
  CHECK_FALSE(order.steps[5].in_cycle);
  CHECK(order.steps[5].depends_on == std::vector<std::string>{"mid", "x"});
  CHECK(order.notes ==
        std::vector<std::string>{"x and y depend on each other (x → y → x): migrated together, "
                                 "ordered by name"});
}
