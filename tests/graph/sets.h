// Loads a directory of repositories (one per subdirectory) as the input of the
// cross-repository analysis, the way the audit does: load_cargo over a DirTree, the line from
// the declarations.
#pragma once
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "model/cargo/workspace.h"
#include "rules/declarations.h"
#include "rules/ruleset.h"
#include "source/tree.h"

namespace graph_test {

/// The repositories of one set; the models live as long as the set.
struct LoadedSet {
  std::vector<std::unique_ptr<otelaudit::CargoModel>> models;
  std::vector<otelaudit::GraphRepo> inputs;
};

inline const otelaudit::Ruleset& rules_027() {
  static const otelaudit::Ruleset rules = [] {
    otelaudit::RulesetResult r = otelaudit::load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
    REQUIRE(r.ruleset.has_value());
    return *r.ruleset;
  }();
  return rules;
}

/// Every subdirectory of `dir` (relative to the source tree) as a repository named after it;
/// `urls` gives known URLs by name. Paths are given relative to the source tree, so that
/// path dependencies between siblings resolve.
inline LoadedSet load_set(const std::string& dir, std::map<std::string, std::string> urls = {}) {
  namespace fs = std::filesystem;
  LoadedSet set;
  std::vector<fs::path> repos;
  for (const auto& e : fs::directory_iterator(fs::path(OTEL_AUDIT_SOURCE_DIR) / dir))
    if (e.is_directory()) repos.push_back(e.path());
  std::sort(repos.begin(), repos.end());
  for (const fs::path& p : repos) {
    otelaudit::DirTree tree(p);
    set.models.push_back(std::make_unique<otelaudit::CargoModel>(otelaudit::load_cargo(tree)));
    otelaudit::GraphRepo in;
    in.name = p.filename().string();
    in.url = urls[in.name];
    in.path = dir + "/" + in.name;
    in.cargo = set.models.back().get();
    in.otel_line = otelaudit::repository_line(
        otelaudit::collect_declarations(*in.cargo, rules_027()), rules_027());
    set.inputs.push_back(std::move(in));
  }
  return set;
}

} // namespace graph_test
