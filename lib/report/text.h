#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "score/readiness.h"

namespace otelaudit {

/// How the reports for people (text, Markdown) are drawn; the cli decides (colour only on a
/// TTY, never with NO_COLOR). The machine formats (JSON, SARIF) keep every finding whatever
/// these say.
struct TextOptions {
  bool color = false;
  // The findings shown in full: those at or above `show` (--show), and the suppressed and
  // baselined ones only with `show_suppressed` (--show-suppressed). The summary counts all.
  Severity show = Severity::low;
  bool show_suppressed = false;
};

/// The human report in the style of rustc / cargo-deny diagnostics: per repository a heading
/// and each finding with its source line and a caret under the offending token, then a summary,
/// the verdict and, on the last line, the gate (the exit code's decision and its reasons).
std::string render_text(const AuditResult& result, const TextOptions& options);

/// Where the carets go under a source line, in display cells of the line as `render_text`
/// shows it (tabs widened to four spaces).
struct CaretSpan {
  std::size_t offset = 0; // cells before the first caret
  std::size_t width = 1;  // number of carets, at least 1
};

/// The token at 1-based character `column` of `line`: a quoted string through its closing
/// quote, else a word of ASCII letters, digits, `_`, `-` and `.`, else one character. A column
/// past the end of the line points just after its last character.
CaretSpan caret_span(std::string_view line, int column);

/// `line` as the terminal shows it: tabs as four spaces, other control characters and invalid
/// UTF-8 bytes as U+FFFD, so untrusted files cannot move the cursor or recolour the terminal.
std::string display_line(std::string_view line);

} // namespace otelaudit
