#include "rules/registry.h"

#include <array>

#include "deploy/checks.h"
#include "rules/versions.h"

namespace otelaudit {

std::span<const RepoRule> repo_rules() {
  static constexpr std::array kRules = {
      check_versions, check_crate_names, check_features, check_integration, check_lockfiles,
      check_deploy_jaeger, check_deploy_collector, check_deploy_env, check_deploy_k8s,
  };
  return kRules;
}

} // namespace otelaudit
