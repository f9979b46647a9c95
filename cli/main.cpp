#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "check.h"
#include "fix.h"
#include "history.h"
#include "options.h"
#include "report.h"
#include "scan.h"

int main(int argc, char** argv) {
  using namespace otelaudit::cli;
  CLI::App app{"otel-audit: audit Rust repositories against a canonical OpenTelemetry line"};
  app.set_version_flag("--version", std::string("otel-audit ") + OTEL_AUDIT_VERSION);
  app.require_subcommand(1);
  int exit_code = kPass;
  add_check_command(app, argv[0], exit_code);
  add_fix_command(app, argv[0], exit_code);
  add_history_command(app, argv[0], exit_code);
  add_rules_command(app, argv[0], exit_code);
  add_scan_command(app, argv[0], exit_code);
  add_report_command(app, argv[0], exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kPass : kUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "otel-audit: internal error: %s\n", e.what());
    return kToolFailure;
  }
  return exit_code;
}
