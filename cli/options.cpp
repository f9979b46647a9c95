#include "options.h"

#include <cstdlib>
#include <system_error>

namespace otelaudit::cli {

namespace fs = std::filesystem;

fs::path find_rules_dir(const std::string& flag, const char* argv0) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("OTEL_AUDIT_RULES_DIR"); env && *env) return env;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) exe = fs::absolute(argv0, ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "otel-audit" / "rules";
    if (fs::is_directory(installed, ec)) return installed;
  }
  return OTEL_AUDIT_RULES_DIR;
}

} // namespace otelaudit::cli
