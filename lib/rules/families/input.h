#pragma once

#include "rules/family.h"

namespace otelaudit {

/// The input rules: files that could not be read or parsed, paths that leave the repository,
/// suppressions that silence nothing. They are found where the input is read (the model
/// loaders, the trees of lib/source, the audit's policy step), so the family has no check.
const RuleFamily& input_family();

/// The input limits: what an audited repository can make the tool read (lib/source budgets).
const RuleFamily& limits_family();

} // namespace otelaudit
