#include "rules/registry.h"

#include <array>

#include "rules/versions.h"

namespace otelaudit {

std::span<const RepoRule> repo_rules() {
  static constexpr std::array<RepoRule, 5> kRules = {
      check_versions, check_crate_names, check_features, check_integration, check_lockfiles,
  };
  return kRules;
}

} // namespace otelaudit
