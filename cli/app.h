#pragma once
#include <CLI/CLI.hpp>

namespace otelaudit::cli {

/// Defines the whole command line on `app`: its description, --version and every subcommand
/// with its options. The one definition the program parses with and the man page and shell
/// completions are generated from (cli/docgen.h), so they cannot drift apart. `argv0` and
/// `exit_code` go to the subcommands' callbacks.
void define_app(CLI::App& app, const char* argv0, int& exit_code);

} // namespace otelaudit::cli
