#pragma once
#include <CLI/CLI.hpp>

namespace otelaudit::cli {

/// Adds `otel-audit check` to `app`; `exit_code` receives the command's result.
void add_check_command(CLI::App& app, const char* argv0, int& exit_code);

/// Adds `otel-audit rules`: the rule table (id, default severity, description).
void add_rules_command(CLI::App& app, const char* argv0, int& exit_code);

} // namespace otelaudit::cli
