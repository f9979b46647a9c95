#include "graph/analysis.h"

#include <algorithm>

#include "rules/rule_table.h"

namespace otelaudit {

std::vector<Finding> cycle_findings(const std::vector<Cycle>& cycles) {
  std::vector<Finding> out;
  for (const Cycle& c : cycles) {
    Finding f;
    f.rule = "dependency-cycle";
    f.severity = default_severity(f.rule);
    f.repo = c.repos.front();
    f.loc = c.loc;
    f.package = c.package;
    f.message = "dependency cycle between repositories: " + c.text() +
                "; none of them can be migrated or released before the others";
    f.fix = "move what the repositories share into a crate that depends on none of them, "
            "and drop one edge of the cycle";
    out.push_back(std::move(f));
  }
  return out;
}

SetAnalysis analyze_set(const std::vector<GraphRepo>& repos, const Ruleset& rules,
                        const SpreadRules& spread) {
  SetAnalysis a;
  a.graph = build_graph(repos);
  a.cycles = find_cycles(a.graph);
  a.matrix = compat_matrix(a.graph, repos, rules);
  a.link = link_set(repos);
  a.spread = compute_spread(repos, spread, a.graph);
  a.migration = migration_order(a.graph);
  auto add = [&](std::vector<Finding> fs) {
    for (Finding& f : fs)
      a.findings[f.repo].push_back(std::move(f));
  };
  add(cycle_findings(a.cycles));
  add(link_findings(a.matrix, rules));
  add(spread_findings(a.spread));
  for (auto& [_, fs] : a.findings)
    std::sort(fs.begin(), fs.end(), finding_less);
  return a;
}

} // namespace otelaudit
