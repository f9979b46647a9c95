#pragma once
#include <CLI/CLI.hpp>

namespace otelaudit::cli {

/// Adds `otel-audit fix`: moves a repository's manifests to the target line, as a unified diff
/// or (--write) in place; `exit_code` receives the command's result.
void add_fix_command(CLI::App& app, const char* argv0, int& exit_code);

} // namespace otelaudit::cli
