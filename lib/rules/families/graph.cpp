#include "rules/families/graph.h"

namespace otelaudit {

const RuleFamily& graph_family() {
  static constexpr RuleInfo kRules[] = {
      RuleInfo{"dependency-cycle", Severity::high, "graph",
               "Repositories of the set depend on each other in a cycle."},
      RuleInfo{"link-incompatible", Severity::blocker, "graph",
               "A repository depends on one on another OpenTelemetry line: they cannot be linked "
               "into one binary."},
      RuleInfo{"transitive-spread", Severity::medium, "graph",
               "A crate is locked across the set at versions on both sides of a breaking release."},
  };
  static constexpr RuleFamily kFamily{kRules, {}};
  return kFamily;
}

} // namespace otelaudit
