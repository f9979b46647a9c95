#pragma once
// Runs the otel-audit binary the way a user does, for the end-to-end tests.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace otelaudit::testsupport {

/// What one run of the binary did.
struct CliRun {
  int code = -1;
  std::string out, err;
};

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Runs `otel-audit <args>` (shell words) from the source directory with the environment
/// assignments `env` (e.g. "NO_COLOR=1 CI=true"), capturing its exit code and both streams.
inline CliRun run_cli(const std::string& args, const std::string& env = "NO_COLOR=1") {
  namespace fs = std::filesystem;
  static int counter = 0;
  fs::path tmp = fs::temp_directory_path() /
                 ("otel-audit-run-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::create_directories(tmp);
  std::string cmd = std::string("cd '") + OTEL_AUDIT_SOURCE_DIR + "' && " + env + " '" +
                    OTEL_AUDIT_BINARY + "' " + args + " >'" + (tmp / "out").string() + "' 2>'" +
                    (tmp / "err").string() + "'";
  int status = std::system(cmd.c_str());
  CliRun r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(tmp / "out");
  r.err = read_file(tmp / "err");
  fs::remove_all(tmp);
  return r;
}

} // namespace otelaudit::testsupport
