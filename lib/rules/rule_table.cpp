#include "rules/rule_table.h"

#include <vector>

#include "rules/family.h"
#include "rules/registry.h"

namespace otelaudit {

std::span<const RuleInfo> rule_table() {
  static const std::vector<RuleInfo> kRules = [] {
    std::vector<RuleInfo> out;
    for (const RuleFamily* family : rule_families())
      out.insert(out.end(), family->rules.begin(), family->rules.end());
    return out;
  }();
  return kRules;
}

const RuleInfo* find_rule(std::string_view id) {
  for (const RuleInfo& r : rule_table())
    if (r.id == id) return &r;
  return nullptr;
}

Severity default_severity(std::string_view id) {
  const RuleInfo* r = find_rule(id);
  return r ? r->default_severity : Severity::medium;
}

} // namespace otelaudit
