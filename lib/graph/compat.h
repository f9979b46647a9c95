#pragma once
#include <optional>
#include <string>
#include <vector>

#include "common/location.h"
#include "graph/graph.h"
#include "model/cargo/workspace.h"
#include "rules/finding.h"
#include "rules/ruleset.h"

namespace otelaudit {

/// Whether a repository and one it depends on (directly or through the set) can be linked
/// into one binary: their OpenTelemetry types and global providers must come from one line.
struct CompatPair {
  std::string from;                     // the dependent repository
  std::string to;                       // the repository it depends on
  std::optional<std::string> from_line; // OpenTelemetry line of each; none when it has none
  std::optional<std::string> to_line;
  bool compatible = true;                // same line, or at least one has no OpenTelemetry
  bool direct = false;                   // `from` names `to` in a manifest (an edge of the graph)
  std::vector<std::string> chain;        // a shortest chain of repositories from `from` to `to`
  Location edge_loc;                     // direct pairs: the first edge's manifest entry in `from`
  std::string edge_package;              // direct pairs: the package of `from` declaring it
  std::optional<Location> from_otel_loc; // where each repository declares its line
  std::optional<Location> to_otel_loc;
};

/// The repositories that share one OpenTelemetry line.
struct LineGroup {
  std::string line;
  std::vector<std::string> repos; // sorted
};

/// Whether one binary can contain the whole set: every repository with OpenTelemetry on one line.
struct LinkSet {
  bool linkable = true;
  std::vector<LineGroup> lines;          // the distinct lines, oldest first
  std::vector<std::string> without_otel; // repositories with no OpenTelemetry, sorted
};

/// Orders lines numerically ("0.9" < "0.21" < "1"); unparsable parts compare as text.
bool line_less(const std::string& a, const std::string& b);

/// The declaration that puts the repository on `line`: the first (by file, line) `opentelemetry`
/// entry on it, else `opentelemetry_sdk`'s, else any OpenTelemetry crate's; nullopt when none.
std::optional<Location> line_declaration(const CargoModel& cargo, const std::string& line,
                                         const Ruleset& rules);

/// Every ordered pair (a, b) where a reaches b in the graph, sorted by a then b.
std::vector<CompatPair> compat_matrix(const RepoGraph& graph, const std::vector<GraphRepo>& repos,
                                      const Ruleset& rules);

/// The whole-set answer.
LinkSet link_set(const std::vector<GraphRepo>& repos);

/// `link-incompatible` for each incompatible direct pair, in the dependent repository at the
/// first edge's manifest entry; naming both lines, the dependency's and the other line's entries.
std::vector<Finding> link_findings(const std::vector<CompatPair>& matrix, const Ruleset& rules);

} // namespace otelaudit
