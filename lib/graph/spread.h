#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/location.h"
#include "graph/graph.h"
#include "model/cargo/semver.h"
#include "rules/finding.h"
#include "rules/spread_data.h"

namespace otelaudit {

/// The breaking unit `v` belongs to under `b`: versions of one unit are compatible
/// (semver: 1.42.0 → "1", 0.12.3 → "0.12", 0.0.4 → "0.0.4").
std::string breaking_unit(const Version& v, Boundary b);

/// The locked versions of one crate across the set.
struct SpreadRow {
  std::string crate;
  std::string min, max;               // lowest and highest locked version
  std::vector<std::string> min_repos; // repositories whose lockfiles hold `min`, sorted
  std::vector<std::string> max_repos; // … hold `max`, sorted
  std::vector<std::string> units;     // distinct breaking units locked, oldest first
  bool crosses = false;               // more than one breaking unit
  bool across_repos = false;          // two repositories lock it in different breaking units; when
                                      // false the spread is inside one repository's own lockfiles
  bool linked = false;                // two such repositories are built together: one depends on
                                      // the other through the set, or a third on both
  std::string reported_in;            // the repository the finding goes to (holds `min`)
  Location loc;                       // its Cargo.lock `[[package]]` entry of `min`
  std::string fix;                    // what that lockfile shows pulls `min` in, and the way out
};

/// The fix of a spread whose old package is `old` in `lock`, the newest breaking unit being
/// `unit`: which packages depend on it and the chain from a package of the repository to it
/// (the lockfile's `dependencies` edges), then either what to raise and the `cargo update -p
/// name@version` command (which Cargo accepts when several versions are locked), or, when a
/// third-party dependent's newest locked release still requires it, that no requirement of the
/// repository can change it as far as the lockfile shows.
std::string spread_fix(const Lockfile& lock, const LockedPackage& old, const std::string& unit,
                       Boundary boundary);

/// One row per configured crate locked anywhere in the set, in rule-data order. Only packages
/// with a source (registry or git) count: a path package is the repository's own crate. Of the
/// repositories holding the minimum, the finding goes to one that does not depend (through the
/// graph) on another holder, i.e. where the old version comes from; ties by name.
std::vector<SpreadRow> compute_spread(const std::vector<GraphRepo>& repos, const SpreadRules& rules,
                                      const RepoGraph& graph);

/// `transitive-spread` for each row that crosses a breaking boundary.
std::vector<Finding> spread_findings(const std::vector<SpreadRow>& rows);

} // namespace otelaudit
