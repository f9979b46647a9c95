#pragma once
#include <span>
#include <string_view>

#include "rules/finding.h"

namespace otelaudit {

/// What a rule is, for docs, reports and SARIF: declared by its family (rules/family.h), ids
/// unique and stable.
struct RuleInfo {
  std::string_view id;          // kebab-case, never renamed once released
  Severity default_severity;    // policy may override it
  std::string_view family;      // the group `rules` shows: "manifest", "lockfile", "input", …
  std::string_view description; // one line
};

/// Every rule, in documentation order: the rules of each family of rules/registry.h, in order.
std::span<const RuleInfo> rule_table();
/// The rule with `id`, or nullptr.
const RuleInfo* find_rule(std::string_view id);
/// The default severity the family of `id` declares; medium for an id no family declares (the
/// rule table test and the fixture markers rule such ids out).
Severity default_severity(std::string_view id);

} // namespace otelaudit
