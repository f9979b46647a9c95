#pragma once
#include <span>

#include "rules/context.h"
#include "rules/rule_table.h"

namespace otelaudit {

/// One rule family as a unit: the rules it declares (id, default severity, description) and
/// the checks that emit them. The rule table (`rules`, `explain`, SARIF, the docs test) is
/// gathered from these declarations through the plain list in rules/registry.cpp.
struct RuleFamily {
  std::span<const RuleInfo> rules;  // in documentation order
  std::span<const RepoRule> checks; // run on each repository; empty for a family whose findings
                                    // are made where its input is read or over the whole set
};

} // namespace otelaudit
