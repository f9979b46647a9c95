// otel-audit-docgen SHARE_DIR: writes the man page and the bash, zsh and fish completions of
// otel-audit under SHARE_DIR, in the places `cmake --install` copies them from (man/man1,
// bash-completion/completions, zsh/site-functions, fish/vendor_completions.d). Run by the build;
// not installed.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

#include "app.h"
#include "docgen.h"
#include "report/output.h"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  using namespace otelaudit::cli;
  if (argc != 2) {
    std::fprintf(stderr, "usage: otel-audit-docgen SHARE_DIR\n");
    return 2;
  }
  CLI::App app;
  int exit_code = 0;
  define_app(app, "otel-audit", exit_code);
  const ProgramDoc program = describe_app(app, "otel-audit");
  const fs::path share = argv[1];
  const std::pair<fs::path, std::string> outputs[] = {
      {share / "man/man1/otel-audit.1", render_man_page(program)},
      {share / "bash-completion/completions/otel-audit", render_bash_completion(program)},
      {share / "zsh/site-functions/_otel-audit", render_zsh_completion(program)},
      {share / "fish/vendor_completions.d/otel-audit.fish", render_fish_completion(program)},
  };
  for (const auto& [path, text] : outputs) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    std::string err;
    if (ec || !otelaudit::write_file_atomically(path, text, err)) {
      std::fprintf(stderr, "otel-audit-docgen: %s\n",
                   ec ? (path.parent_path().string() + ": " + ec.message()).c_str() : err.c_str());
      return 3;
    }
  }
  return 0;
}
