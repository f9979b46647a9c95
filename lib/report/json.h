#pragma once
#include <string>
#include <string_view>

#include "score/readiness.h"

namespace otelaudit {

/// Identifies the JSON report format; docs/json-format.md is its contract. Within v1 fields
/// are only ever added, never renamed, retyped or removed.
inline constexpr std::string_view kJsonSchema = "otel-audit/v1";

/// The machine-readable report: keys in documented order, 2-space indent, trailing newline.
/// Invalid UTF-8 in audited input is written as U+FFFD so the output is always valid JSON.
std::string render_json(const AuditResult& result);

} // namespace otelaudit
