#pragma once
#include <span>

#include "rules/context.h"

namespace otelaudit {

/// Every repository-level rule family, run in this order (a plain list: adding a rule is one
/// line here, no static self-registration).
std::span<const RepoRule> repo_rules();

} // namespace otelaudit
