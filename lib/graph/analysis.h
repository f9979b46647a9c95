#pragma once
#include <map>
#include <string>
#include <vector>

#include "graph/compat.h"
#include "graph/graph.h"
#include "graph/spread.h"
#include "rules/finding.h"
#include "rules/ruleset.h"

namespace otelaudit {

/// Everything the cross-repository analysis computes over one set, for the report to render.
struct SetAnalysis {
  RepoGraph graph;
  std::vector<Cycle> cycles;
  std::vector<CompatPair> matrix; // every (a, b) with a reaching b, sorted
  LinkSet link;                   // can one binary hold them all
  std::vector<SpreadRow> spread;  // one row per configured crate locked in the set
  MigrationOrder migration;
  /// `dependency-cycle`, `link-incompatible` and `transitive-spread` findings per repository
  /// name (only repositories that have some), each list sorted by finding_less.
  std::map<std::string, std::vector<Finding>> findings;
};

/// Runs the graph, compatibility and spread analyses over the set. Pure: no I/O.
SetAnalysis analyze_set(const std::vector<GraphRepo>& repos, const Ruleset& rules,
                        const SpreadRules& spread);

/// `dependency-cycle` for each cycle, in its first repository at the first edge's entry.
std::vector<Finding> cycle_findings(const std::vector<Cycle>& cycles);

} // namespace otelaudit
