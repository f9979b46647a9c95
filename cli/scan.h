#pragma once
#include <CLI/CLI.hpp>

namespace otelaudit::cli {

/// Adds `otel-audit scan`: audits one repository and writes its scan document (docs/scan.md).
void add_scan_command(CLI::App& app, const char* argv0, int& exit_code);

} // namespace otelaudit::cli
