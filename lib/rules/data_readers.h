#pragma once
#include <toml++/toml.h>

#include "rules/data_reader.h"
#include "rules/ruleset.h"

// The readers of each rule data file, called by the one loader (ruleset.cpp). Each reads the
// root table of its file into its part of the Ruleset and reports every problem through the
// Checker; none reads a file itself.

namespace otelaudit::data {

/// A line pack, rules/otel-LINE.toml, with the policy it states for its line as a target.
struct Pack {
  LineInfo line;
  LineKey key;
  std::vector<FeatureRequirement> required_features;
  std::vector<DeprecatedCrate> deprecated;
};

void read_pack(const toml::table& root, Checker& c, Pack& out);
void read_api_changes(const toml::table& root, Checker& c, std::vector<ApiChange>& out);
void read_conventions(const toml::table& root, Checker& c, Ruleset& out);
void read_scoring(const toml::table& root, Checker& c, ScoringModel& out);
void read_deploy_rules(const toml::table& root, Checker& c, deploy::DeployRules& out);
void read_spread_rules(const toml::table& root, Checker& c, SpreadRules& out);

} // namespace otelaudit::data
