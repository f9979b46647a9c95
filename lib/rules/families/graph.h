#pragma once

#include "rules/family.h"

namespace otelaudit {

/// The cross-repository rules, judged over the whole set of repositories by lib/graph
/// (analysis.cpp, compat.cpp, spread.cpp) once every repository is read: no per-repository
/// check.
const RuleFamily& graph_family();

} // namespace otelaudit
