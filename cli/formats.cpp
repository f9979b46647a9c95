#include "formats.h"

#include "report/github.h"
#include "report/history.h"
#include "report/json.h"
#include "report/markdown.h"
#include "report/sarif.h"

namespace otelaudit::cli {

namespace {

/// A renderer that has no options, in the table's signature.
template <class Result, std::string (*Render)(const Result&)>
std::string plain(const Result& result, const TextOptions&) {
  return Render(result);
}

} // namespace

const std::vector<Format<AuditResult>>& audit_formats() {
  static const std::vector<Format<AuditResult>> formats{
      {"text", render_text},
      {"json", plain<AuditResult, render_json>},
      {"markdown", render_markdown},
      {"md", render_markdown},
      {"sarif", plain<AuditResult, render_sarif>},
      {"github", plain<AuditResult, render_github>},
  };
  return formats;
}

const std::vector<Format<HistoryResult>>& history_formats() {
  static const std::vector<Format<HistoryResult>> formats{
      {"text", plain<HistoryResult, render_history_text>},
      {"json", plain<HistoryResult, render_history_json>},
      {"markdown", plain<HistoryResult, render_history_markdown>},
  };
  return formats;
}

} // namespace otelaudit::cli
