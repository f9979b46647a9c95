#pragma once
#include <string>
#include <string_view>

#include "report/text.h"
#include "score/readiness.h"

namespace otelaudit {

/// The team report as GitHub-flavoured Markdown: verdict title, summary, an alignment table of
/// all repositories, then one findings table per repository. No timestamps, so it diffs cleanly.
std::string render_markdown(const AuditResult& result);
/// The same, showing the findings `options` selects (options.color plays no part).
std::string render_markdown(const AuditResult& result, const TextOptions& options);

/// `text` as literal Markdown inline text: punctuation that could start emphasis, links, HTML,
/// code or a table cell boundary is backslash-escaped, line breaks become spaces and other
/// controls and format characters are shown escaped (`\u{1b}`, common/display.h).
std::string markdown_escape(std::string_view text);

/// `text` as a code span that survives inside a table cell (`|` escaped, fence longer than any
/// backtick run in the text, controls escaped as by markdown_escape); empty text gives an empty
/// string. In a table, text with a
/// backslash before a pipe comes back as escaped plain text instead, since no code span holds it.
std::string markdown_code(std::string_view text, bool in_table);

/// A finding's fix as code: one code span per line (a fix of several manifest entries has one
/// entry a line).
std::string markdown_fix(std::string_view text, bool in_table);

} // namespace otelaudit
