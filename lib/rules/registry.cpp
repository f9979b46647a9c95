#include "rules/registry.h"

#include <array>
#include <vector>

#include "rules/families/deployment.h"
#include "rules/families/graph.h"
#include "rules/families/input.h"
#include "rules/families/manifest.h"
#include "rules/families/source.h"

namespace otelaudit {

std::span<const RuleFamily* const> rule_families() {
  static const std::array kFamilies = {
      &manifest_family(), &lockfile_family(),   &input_family(),  &graph_family(),
      &source_family(),   &deployment_family(), &limits_family(),
  };
  return kFamilies;
}

std::span<const RepoRule> repo_rules() {
  static const std::vector<RepoRule> kChecks = [] {
    std::vector<RepoRule> out;
    for (const RuleFamily* family : rule_families())
      out.insert(out.end(), family->checks.begin(), family->checks.end());
    return out;
  }();
  return kChecks;
}

} // namespace otelaudit
