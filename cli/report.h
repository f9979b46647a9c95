#pragma once
#include <CLI/CLI.hpp>

namespace otelaudit::cli {

/// Adds `otel-audit report`: judges the set of repositories of any number of scan documents,
/// as `check` judges the repositories themselves (docs/scan.md).
void add_report_command(CLI::App& app, const char* argv0, int& exit_code);

} // namespace otelaudit::cli
