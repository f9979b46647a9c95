#pragma once
#include <string>
#include <string_view>

#include "score/readiness.h"

namespace otelaudit {

/// The report as GitHub Actions workflow commands: one `::error|warning|notice file=…,line=…,
/// col=…,title=<rule>::<message>` line per finding (file prefixed with the repository path),
/// then a `::notice::` line with the verdict. Suppressed and baselined findings get no line;
/// the last line counts them.
std::string render_github(const AuditResult& result);

/// The command a severity becomes: blocker and high "error", medium "warning", low and info
/// "notice".
std::string_view github_command(Severity s);

/// Escapes a workflow command's message: `%`, CR and LF as `%25`, `%0D`, `%0A`, and every other
/// control or format character (ESC, BEL, U+009B, U+202E, ...) shown escaped as `\u{1b}`
/// (common/display.h), so no text of a repository reaches the CI log's terminal raw.
std::string github_escape_data(std::string_view text);

/// Escapes a workflow command's property value: as data, and also `:` and `,`.
std::string github_escape_property(std::string_view text);

} // namespace otelaudit
