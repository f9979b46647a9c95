#include "rules/registry.h"

#include <array>

#include "rules/families/deployment.h"
#include "rules/families/manifest.h"
#include "rules/families/source.h"

namespace otelaudit {

std::span<const RepoRule> repo_rules() {
  static constexpr std::array kRules = {
      check_versions,
      check_workspace_dependencies,
      check_unknown_features,
      check_crate_names,
      check_features,
      check_integration,
      check_lockfiles,
      // source rules (lib/rules/source_*.cpp)
      check_crate_usage,
      check_jaeger_code,
      check_removed_apis,
      check_service_names,
      check_telemetry_setup,
      check_env_vars,
      check_http_conventions,
      check_deploy_jaeger,
      check_deploy_collector,
      check_deploy_env,
      check_deploy_k8s,
  };
  return kRules;
}

} // namespace otelaudit
