#pragma once
// The man page and the shell completions, written from the CLI11 definition of the command line
// (cli/app.h) so that every option the program accepts is documented and completed. The build
// runs cli/docgen_main.cpp to write them; tests/cli/docgen_test.cpp compares them with the
// definition.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace otelaudit::cli {

/// An option or positional argument as the man page and the completions present it.
struct ArgumentDoc {
  std::vector<std::string> longs;  // without "--"; empty for a positional
  std::vector<std::string> shorts; // without "-"
  std::string name;                // a positional's name ("repos")
  std::string description;
  std::string value;                // the value's name (FILE, DIR, LINE …); empty for a flag
  std::vector<std::string> choices; // the accepted values, when they are a fixed set
  std::string default_value;        // shown when the definition records one
  bool repeatable = false;          // may be given more than once (or takes several values)
  bool required = false;
};

/// A subcommand: its name, description, options and positional arguments, in definition order.
struct CommandDoc {
  std::string name;
  std::string description;
  std::vector<ArgumentDoc> options;
  std::vector<ArgumentDoc> positionals;
};

/// The program itself: its own options (--help, --version) and its subcommands.
struct ProgramDoc {
  std::string name;
  std::string description;
  std::vector<ArgumentDoc> options;
  std::vector<CommandDoc> commands;
};

/// Reads everything the generators need from `app`, named `name` ("otel-audit").
ProgramDoc describe_app(const CLI::App& app, const std::string& name);

/// The man page otel-audit(1), in roff (man macros). No date, so the build is reproducible.
std::string render_man_page(const ProgramDoc& program);

/// The bash completion (bash-completion's completions/otel-audit; plain bash, no helpers).
std::string render_bash_completion(const ProgramDoc& program);

/// The zsh completion (site-functions/_otel-audit, autoloaded through #compdef).
std::string render_zsh_completion(const ProgramDoc& program);

/// The fish completion (vendor_completions.d/otel-audit.fish).
std::string render_fish_completion(const ProgramDoc& program);

} // namespace otelaudit::cli
