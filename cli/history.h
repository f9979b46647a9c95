#pragma once
#include <CLI/CLI.hpp>

namespace otelaudit::cli {

/// Adds `otel-audit history`: the readiness trend over a repository's commits.
void add_history_command(CLI::App& app, const char* argv0, int& exit_code);

} // namespace otelaudit::cli
