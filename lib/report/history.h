#pragma once
#include <string>

#include "audit/history.h"

namespace otelaudit {

/// The readiness trend as a terminal table, newest commit first.
std::string render_history_text(const HistoryResult& history);
/// The trend as JSON (`"schema": "otel-audit-history/v1"`, documented in docs/history.md).
std::string render_history_json(const HistoryResult& history);
/// The trend as a Markdown table.
std::string render_history_markdown(const HistoryResult& history);

} // namespace otelaudit
