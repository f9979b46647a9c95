#pragma once
#include <span>
#include <string_view>

#include "rules/finding.h"

namespace otelaudit {

/// What a rule is, for docs, reports and SARIF: one table, ids unique and stable.
struct RuleInfo {
  std::string_view id;          // kebab-case, never renamed once released
  Severity default_severity;    // policy may override it
  std::string_view family;      // "manifest", "lockfile", "input"
  std::string_view description; // one line
};

/// Every rule, in documentation order.
std::span<const RuleInfo> rule_table();
/// The rule with `id`, or nullptr.
const RuleInfo* find_rule(std::string_view id);

} // namespace otelaudit
