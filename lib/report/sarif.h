#pragma once
#include <string>
#include <string_view>

#include "rules/finding.h"
#include "score/readiness.h"

namespace otelaudit {

/// The `$schema` every SARIF report names.
inline constexpr std::string_view kSarifSchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

/// The report as one SARIF 2.1.0 run for code-scanning services: the rule table as
/// `tool.driver.rules`, each repository as a `REPO_<name>` base URI, each finding as a result
/// located relative to its repository. Suppressed findings are kept, marked as suppressed;
/// when any finding is baselined, every result carries a `baselineState`. 2-space JSON, newline.
std::string render_sarif(const AuditResult& result);

/// A rule id as a SARIF rule name: "otel-version-behind" -> "OtelVersionBehind".
std::string sarif_rule_name(std::string_view id);

/// The SARIF level of a severity: blocker and high "error", medium "warning", low and info "note".
std::string_view sarif_level(Severity s);

/// `path` as a URI reference: bytes other than ASCII letters, digits, `-._~/` percent-encoded.
std::string uri_escape(std::string_view path);

} // namespace otelaudit
