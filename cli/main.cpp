#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "app.h"
#include "common.h"
#include "options.h"

int main(int argc, char** argv) {
  using namespace otelaudit::cli;
  CLI::App app;
  int exit_code = kPass;
  define_app(app, argv[0], exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kPass : kUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "otel-audit: internal error: %s\n", stderr_safe(e.what()).c_str());
    return kToolFailure;
  }
  return exit_code;
}
