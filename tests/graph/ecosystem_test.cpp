// The cross-repository analysis over the fixture ecosystem (fixtures/ecosystem, the seed-era
// state of SEED-STATE.md) and the repository sets of fixtures/graphs.
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

#include "graph/analysis.h"
#include "graph/sets.h"

using namespace otelaudit;
using graph_test::load_set;
using graph_test::rules_027;

namespace {

const SpreadRules& spread_rules() {
  static const SpreadRules rules = [] {
    RulesetResult r = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
    REQUIRE(r.ruleset.has_value());
    return r.ruleset->spread;
  }();
  return rules;
}

std::string describe(const RepoEdge& e) {
  return e.from + "/" + e.package + " -> " + e.to + " via " + e.dependency + " at " + e.loc.file +
         ":" + std::to_string(e.loc.line) + " (used at " + e.used_at.file + ":" +
         std::to_string(e.used_at.line) + ")";
}

/// For failure messages: one item a line.
std::string lines_of(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items)
    out += "\n  " + s;
  return out;
}

std::vector<std::string> names(const std::vector<MigrationStep>& steps) {
  std::vector<std::string> out;
  for (const MigrationStep& s : steps)
    out.push_back(s.repo);
  return out;
}

/// (repository, file, line, rule) of every `expect:` marker for the graph rules in a set.
using Mark = std::tuple<std::string, std::string, int, std::string>;
std::set<Mark> graph_marks(const std::string& dir) {
  namespace fs = std::filesystem;
  static const std::regex marker(R"(#\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*))");
  static const std::set<std::string> graph_rules{"dependency-cycle", "link-incompatible",
                                                 "transitive-spread"};
  std::set<Mark> out;
  const fs::path root = fs::path(OTEL_AUDIT_SOURCE_DIR) / dir;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || e.path().filename() != "Cargo.toml") continue;
    const fs::path rel = fs::relative(e.path(), root);
    const std::string repo = rel.begin()->string();
    const std::string file = fs::relative(e.path(), root / repo).generic_string();
    std::ifstream in(e.path());
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      std::smatch m;
      if (!std::regex_search(line, m, marker)) continue;
      std::regex id("[a-z0-9-]+");
      std::string ids = m[1];
      for (auto it = std::sregex_iterator(ids.begin(), ids.end(), id); it != std::sregex_iterator();
           ++it)
        if (graph_rules.count(it->str())) out.insert({repo, file, n, it->str()});
    }
  }
  return out;
}

std::set<Mark> actual_marks(const SetAnalysis& a) {
  std::set<Mark> out;
  for (const auto& [repo, fs] : a.findings)
    for (const Finding& f : fs)
      out.insert({repo, f.loc.file, f.loc.line, f.rule});
  return out;
}

} // namespace

TEST_CASE("graph ecosystem: edges are those of SEED-STATE.md that stay inside the set") {
  auto set = load_set("fixtures/ecosystem");
  RepoGraph g = build_graph(set.inputs);
  std::vector<std::string> got;
  for (const RepoEdge& e : g.edges)
    got.push_back(describe(e));
  // analytics-hub and config-manager (config-core) are not in the set: no edges to them.
  INFO("edges:", lines_of(got));
  CHECK(got == std::vector<std::string>{
                   "edge-agent/llm-edge-agent -> connector-hub via connector-hub-core at "
                   "Cargo.toml:69 (used at Cargo.toml:69)",
                   "edge-agent/llm-edge-agent -> cost-ops via llm-cost-ops at Cargo.toml:68 "
                   "(used at Cargo.toml:68)",
                   "edge-agent/llm-edge-agent -> observatory via llm-observatory-core at "
                   "Cargo.toml:67 (used at Cargo.toml:67)",
                   "edge-agent/llm-edge-agent -> policy-engine via llm-policy-engine at "
                   "Cargo.toml:64 (used at Cargo.toml:64)",
                   "edge-agent/llm-edge-agent -> sentinel via llm-sentinel at Cargo.toml:66 "
                   "(used at Cargo.toml:66)",
                   "edge-agent/llm-edge-agent -> shield via llm-shield-sdk at Cargo.toml:65 "
                   "(used at Cargo.toml:65)",
                   "observatory/llm-observatory-core -> shield via llm-shield-core at "
                   "Cargo.toml:37 (used at crates/llm-observatory-core/Cargo.toml:9)",
                   "observatory/llm-observatory-core -> shield via llm-shield-sdk at "
                   "Cargo.toml:38 (used at crates/llm-observatory-core/Cargo.toml:10)",
                   "sentinel/llm-sentinel-core -> shield via llm-shield-core at Cargo.toml:31 "
                   "(used at crates/llm-sentinel-core/Cargo.toml:9)",
                   "sentinel/llm-sentinel-core -> shield via llm-shield-sdk at Cargo.toml:32 "
                   "(used at crates/llm-sentinel-core/Cargo.toml:10)",
                   "shield/llm-shield-policy -> policy-engine via llm-policy-engine at "
                   "Cargo.toml:22 (used at crates/llm-shield-policy/Cargo.toml:10)",
               });
  CHECK(g.edges[3].url == "https://github.com/LLM-Dev-Ops/policy-engine");
  CHECK(g.edges[3].reference == "branch=main");
  CHECK(find_cycles(g).empty());
}

TEST_CASE("graph ecosystem: edge-agent cannot link with policy-engine, observatory or sentinel") {
  auto set = load_set("fixtures/ecosystem");
  SetAnalysis a = analyze_set(set.inputs, rules_027(), spread_rules());
  std::vector<std::string> matrix;
  for (const CompatPair& p : a.matrix)
    matrix.push_back(p.from + " " + p.from_line.value_or("-") + " -> " + p.to + " " +
                     p.to_line.value_or("-") + (p.compatible ? " ok" : " INCOMPATIBLE") +
                     (p.direct ? "" : " (through the set)"));
  INFO("matrix:", lines_of(matrix));
  CHECK(matrix == std::vector<std::string>{
                      "edge-agent 0.26 -> connector-hub - ok",
                      "edge-agent 0.26 -> cost-ops - ok",
                      "edge-agent 0.26 -> observatory 0.27 INCOMPATIBLE",
                      "edge-agent 0.26 -> policy-engine 0.21 INCOMPATIBLE",
                      "edge-agent 0.26 -> sentinel 0.27 INCOMPATIBLE",
                      "edge-agent 0.26 -> shield - ok",
                      "observatory 0.27 -> policy-engine 0.21 INCOMPATIBLE (through the set)",
                      "observatory 0.27 -> shield - ok",
                      "sentinel 0.27 -> policy-engine 0.21 INCOMPATIBLE (through the set)",
                      "sentinel 0.27 -> shield - ok",
                      "shield - -> policy-engine 0.21 ok",
                  });
  const CompatPair& pe = a.matrix[3];
  CHECK(pe.edge_loc == Location{"Cargo.toml", 64, 1});
  CHECK(pe.edge_package == "llm-edge-agent");
  CHECK(pe.from_otel_loc == Location{"Cargo.toml", 40, 1});
  CHECK(pe.to_otel_loc == Location{"Cargo.toml", 29, 1});
  CHECK(a.matrix[6].chain == std::vector<std::string>{"observatory", "shield", "policy-engine"});

  REQUIRE(a.findings.size() == 3);
  const std::vector<Finding>& edge = a.findings.at("edge-agent");
  REQUIRE(edge.size() == 3);
  CHECK(edge[0].rule == "link-incompatible");
  CHECK(edge[0].severity == Severity::blocker);
  CHECK(edge[0].repo == "edge-agent");
  CHECK(edge[0].package == "llm-edge-agent");
  CHECK(edge[0].loc == Location{"Cargo.toml", 64, 1});
  CHECK(edge[0].message ==
        "edge-agent is on OpenTelemetry 0.26 (Cargo.toml:40) and depends here on policy-engine, "
        "which is on 0.21 (policy-engine Cargo.toml:29): one binary cannot hold both, their "
        "types, context and global providers are not shared");
  CHECK(edge[0].fix == "move edge-agent and policy-engine to OpenTelemetry 0.27 (the target line)");
  CHECK(edge[1].loc == Location{"Cargo.toml", 66, 1});
  CHECK(edge[1].message.find("depends here on sentinel, which is on 0.27") != std::string::npos);
  CHECK(edge[2].loc == Location{"Cargo.toml", 67, 1});
  CHECK(edge[2].message ==
        "edge-agent is on OpenTelemetry 0.26 (Cargo.toml:40) and depends here on observatory, "
        "which is on 0.27 (observatory Cargo.toml:27): one binary cannot hold both, their types, "
        "context and global providers are not shared");
  CHECK(edge[2].fix == "move edge-agent to OpenTelemetry 0.27 (the target line)");

  CHECK_FALSE(a.link.linkable);
  REQUIRE(a.link.lines.size() == 3);
  CHECK(a.link.lines[0].line == "0.21");
  CHECK(a.link.lines[0].repos == std::vector<std::string>{"policy-engine"});
  CHECK(a.link.lines[1].line == "0.26");
  CHECK(a.link.lines[1].repos == std::vector<std::string>{"edge-agent"});
  CHECK(a.link.lines[2].line == "0.27");
  CHECK(a.link.lines[2].repos == std::vector<std::string>{"observatory", "sentinel"});
  CHECK(a.link.without_otel == std::vector<std::string>{"connector-hub", "cost-ops", "shield"});

  CHECK(names(a.migration.steps) ==
        std::vector<std::string>{"connector-hub", "cost-ops", "policy-engine", "shield",
                                 "observatory", "sentinel", "edge-agent"});
  CHECK(a.migration.notes.empty());
  CHECK(a.cycles.empty());
}

TEST_CASE("graph ecosystem: the lockfiles' spread, exact minimum and maximum") {
  auto set = load_set("fixtures/ecosystem");
  SetAnalysis a = analyze_set(set.inputs, rules_027(), spread_rules());
  std::vector<std::string> rows;
  for (const SpreadRow& r : a.spread) {
    std::string min_repos, max_repos;
    for (const auto& n : r.min_repos)
      min_repos += (min_repos.empty() ? "" : ",") + n;
    for (const auto& n : r.max_repos)
      max_repos += (max_repos.empty() ? "" : ",") + n;
    rows.push_back(r.crate + " " + r.min + " [" + min_repos + "] - " + r.max + " [" + max_repos +
                   "]" +
                   (r.crosses ? " crosses, in " + r.reported_in + " at " + r.loc.file + ":" +
                                    std::to_string(r.loc.line)
                              : ""));
  }
  // reqwest is locked nowhere: no row.
  CHECK(rows ==
        std::vector<std::string>{
            "tokio 1.35.1 [policy-engine] - 1.42.0 [edge-agent,observatory,sentinel]",
            "tonic 0.11.0 [edge-agent,policy-engine,shield] - 0.12.3 "
            "[edge-agent,observatory,sentinel] crosses, in policy-engine at Cargo.lock:1025",
            "prost 0.12.6 [edge-agent,policy-engine,shield] - 0.13.3 "
            "[edge-agent,observatory,sentinel] crosses, in policy-engine at Cargo.lock:666",
            "hyper 0.14.31 [cost-ops,edge-agent,policy-engine,shield] - 1.5.1 "
            "[cost-ops,edge-agent,observatory,sentinel] crosses, in cost-ops at "
            "Cargo.lock:326",
            "axum 0.7.9 [cost-ops,edge-agent,observatory,sentinel] - 0.7.9 "
            "[cost-ops,edge-agent,observatory,sentinel]",
            "redis 0.24.0 [edge-agent,policy-engine,shield] - 0.27.5 "
            "[edge-agent,observatory] crosses, in policy-engine at Cargo.lock:750",
            "metrics 0.21.1 [cost-ops,edge-agent,policy-engine,shield] - 0.24.1 "
            "[edge-agent,sentinel] crosses, in cost-ops at Cargo.lock:467",
        });
  CHECK(a.spread[6].units == std::vector<std::string>{"0.21", "0.23", "0.24"});
  const std::vector<Finding>& pe = a.findings.at("policy-engine");
  REQUIRE(pe.size() == 3);
  CHECK(pe[0].rule == "transitive-spread");
  CHECK(pe[0].severity == Severity::medium);
  CHECK(pe[0].message ==
        "prost is locked from 0.12.6 (edge-agent, policy-engine, shield) to 0.13.3 (edge-agent, "
        "observatory, sentinel) across the set: 2 incompatible release lines (0.12, 0.13) are "
        "built, and their types do not mix");
  CHECK(a.findings.at("cost-ops").size() == 2);
}

TEST_CASE("graph sets: a cycle of three repositories, printed and placed in the migration order") {
  auto set = load_set("fixtures/graphs/cycle");
  SetAnalysis a = analyze_set(set.inputs, rules_027(), spread_rules());
  std::vector<std::string> got;
  for (const RepoEdge& e : a.graph.edges)
    got.push_back(describe(e));
  INFO("edges:", lines_of(got));
  CHECK(got == std::vector<std::string>{
                   "a/a-core -> b via b-client at Cargo.toml:8 (used at Cargo.toml:8)",
                   "b/b-client -> c via c-store at Cargo.toml:8 (used at Cargo.toml:8)",
                   "c/c-store -> a via a-core at Cargo.toml:8 (used at Cargo.toml:8)",
                   "c/c-store -> d via d-util at Cargo.toml:10 (used at Cargo.toml:10)",
               });
  CHECK(a.graph.edges[3].via == RepoEdge::Via::path);
  REQUIRE(a.cycles.size() == 1);
  CHECK(a.cycles[0].text() == "a → b → c → a");
  CHECK(a.cycles[0].loc == Location{"Cargo.toml", 8, 1});
  const std::vector<Finding>& fs = a.findings.at("a");
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].rule == "dependency-cycle");
  CHECK(fs[0].severity == Severity::high);
  CHECK(fs[0].package == "a-core");
  CHECK(fs[0].message == "dependency cycle between repositories: a → b → c → a; none of them can "
                         "be migrated or released before the others");
  CHECK(actual_marks(a) == graph_marks("fixtures/graphs/cycle"));

  CHECK(names(a.migration.steps) == std::vector<std::string>{"d", "a", "b", "c"});
  CHECK(a.migration.steps[1].in_cycle);
  CHECK(a.migration.steps[3].depends_on == std::vector<std::string>{"a", "d"});
  CHECK(a.migration.notes ==
        std::vector<std::string>{"a, b and c depend on each other (a → b → c → a): migrated "
                                 "together, ordered by name"});
  // Deterministic whatever order the caller lists the repositories in.
  std::vector<GraphRepo> reversed(set.inputs.rbegin(), set.inputs.rend());
  SetAnalysis b = analyze_set(reversed, rules_027(), spread_rules());
  CHECK(names(b.migration.steps) == names(a.migration.steps));
  CHECK(b.cycles[0].text() == "a → b → c → a");
  CHECK(a.link.linkable);
  CHECK(a.matrix.size() == 9); // a, b and c each reach the three others; d reaches none
}

TEST_CASE("graph sets: an incompatible pair found through a configured URL") {
  auto set = load_set("fixtures/graphs/incompatible",
                      {{"telemetry-lib", "https://git.example.com/platform/telemetry-lib"}});
  SetAnalysis a = analyze_set(set.inputs, rules_027(), spread_rules());
  REQUIRE(a.graph.edges.size() == 2);
  CHECK(describe(a.graph.edges[0]) == "app/app-server -> plain via plain at Cargo.toml:11 (used at "
                                      "crates/app-server/Cargo.toml:10)");
  CHECK(describe(a.graph.edges[1]) == "app/app-server -> telemetry-lib via telemetry-lib at "
                                      "Cargo.toml:9 (used at crates/app-server/Cargo.toml:9)");
  CHECK(actual_marks(a) == graph_marks("fixtures/graphs/incompatible"));
  const Finding& f = a.findings.at("app").at(0);
  CHECK(f.message == "app is on OpenTelemetry 0.27 (Cargo.toml:6) and depends here on "
                     "telemetry-lib, which is on 0.26 (telemetry-lib Cargo.toml:7): one binary "
                     "cannot hold both, their types, context and global providers are not shared");
  CHECK(f.fix == "move telemetry-lib to OpenTelemetry 0.27 (the target line)");
  CHECK_FALSE(a.link.linkable);
  CHECK(a.link.without_otel == std::vector<std::string>{"plain"});
  // Without the configured URL the name heuristic finds it too: the URL's last segment,
  // lowercased and without ".git", is the repository's name.
  auto by_name = load_set("fixtures/graphs/incompatible");
  CHECK(build_graph(by_name.inputs).edges.size() == 2);
}
