#pragma once
#include <span>

#include "rules/family.h"

namespace otelaudit {

/// Every rule family, in documentation order: a plain list, no static self-registration. A new
/// family is one line here; a new rule of a family touches only the family (docs/rules.md,
/// "Adding a rule").
std::span<const RuleFamily* const> rule_families();

/// The checks of every family, in family order: what the audit runs on each repository.
std::span<const RepoRule> repo_rules();

} // namespace otelaudit
