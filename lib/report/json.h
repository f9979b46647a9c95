#pragma once
#include <string>
#include <string_view>

#include "audit/baseline.h" // kJsonSchema
#include "score/readiness.h"

namespace otelaudit {

/// The machine-readable report: keys in documented order, 2-space indent, trailing newline.
/// Invalid UTF-8 in audited input is written as U+FFFD so the output is always valid JSON.
std::string render_json(const AuditResult& result);

} // namespace otelaudit
