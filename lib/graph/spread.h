#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cargo/semver.h"
#include "common/location.h"
#include "graph/graph.h"
#include "rules/finding.h"

namespace otelaudit {

/// What makes two versions of a crate unable to stand in for each other.
enum class Boundary {
  semver, // Cargo's rule: the major from 1.0 on, the minor for 0.x, the patch for 0.0.x
  major,  // only a new major breaks
  minor,  // a new major or minor breaks, even from 1.0 on
};

/// A crate whose locked versions are compared across the set.
struct SpreadCrate {
  std::string crate;
  Boundary boundary = Boundary::semver;
};

/// The spread rule data (rules/spread.toml).
struct SpreadRules {
  std::string file;
  std::vector<SpreadCrate> crates; // in file order
};

struct SpreadRulesResult {
  std::optional<SpreadRules> rules; // absent when there are errors
  std::vector<Diagnostic> errors;   // rule "rule-data-invalid", each at its file:line:column
};

/// Parses spread rule data from a string.
SpreadRulesResult parse_spread_rules(std::string_view text, const std::string& file);

/// Reads rules_dir/spread.toml.
SpreadRulesResult load_spread_rules(const std::filesystem::path& rules_dir);

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
  std::string reported_in;            // the repository the finding goes to (holds `min`)
  Location loc;                       // its Cargo.lock `[[package]]` entry of `min`
};

/// One row per configured crate locked anywhere in the set, in rule-data order. Only packages
/// with a source (registry or git) count: a path package is the repository's own crate. Of the
/// repositories holding the minimum, the finding goes to one that does not depend (through the
/// graph) on another holder, i.e. where the old version comes from; ties by name.
std::vector<SpreadRow> compute_spread(const std::vector<GraphRepo>& repos, const SpreadRules& rules,
                                      const RepoGraph& graph);

/// `transitive-spread` for each row that crosses a breaking boundary.
std::vector<Finding> spread_findings(const std::vector<SpreadRow>& rows);

} // namespace otelaudit
