#include "app.h"

#include <string>

#include "check.h"
#include "history.h"
#include "report.h"
#include "scan.h"

namespace otelaudit::cli {

void define_app(CLI::App& app, const char* argv0, int& exit_code) {
  app.description("otel-audit: audit Rust repositories against a canonical OpenTelemetry line");
  app.set_version_flag("--version", std::string("otel-audit ") + OTEL_AUDIT_VERSION);
  app.require_subcommand(1);
  add_check_command(app, argv0, exit_code);
  add_history_command(app, argv0, exit_code);
  add_rules_command(app, argv0, exit_code);
  add_scan_command(app, argv0, exit_code);
  add_report_command(app, argv0, exit_code);
}

} // namespace otelaudit::cli
