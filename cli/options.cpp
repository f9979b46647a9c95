#include "options.h"

#include <unistd.h>

#include <cstdlib>
#include <string_view>
#include <system_error>

#include "common.h"

namespace otelaudit::cli {

namespace fs = std::filesystem;

namespace {

/// The running executable: /proc/self/exe (symbolic links resolved), else argv[0] as a path
/// when it has a slash, else the first match on $PATH. Empty when none is known.
fs::path running_executable(const char* argv0) {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && !exe.empty()) return exe;
  const std::string_view name = argv0 ? argv0 : "";
  if (name.empty()) return {};
  if (name.find('/') != std::string_view::npos) {
    fs::path p = fs::weakly_canonical(fs::absolute(name, ec), ec);
    return ec ? fs::path() : p;
  }
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "";
  while (!dirs.empty()) {
    const std::size_t colon = dirs.find(':');
    const std::string_view dir = dirs.substr(0, colon);
    dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) {
      fs::path p = fs::weakly_canonical(fs::absolute(candidate, ec), ec);
      return ec ? fs::path() : p;
    }
  }
  return {};
}

} // namespace

RulesDirSearch locate_rules_dir(const std::string& flag, const std::string& env,
                                const fs::path& executable) {
  RulesDirSearch out;
  std::error_code ec;
  for (const auto& [given, origin] :
       {std::pair{&flag, "--rules-dir"}, std::pair{&env, "$OTEL_AUDIT_RULES_DIR"}}) {
    if (given->empty()) continue;
    if (fs::is_directory(*given, ec))
      out.dir = *given;
    else
      out.error = "the rule data directory \"" + *given + "\" (" + origin + ") is not a directory";
    return out;
  }
  const std::string hint = "; give --rules-dir DIR or set OTEL_AUDIT_RULES_DIR";
  if (executable.empty()) {
    out.error = "no rule data directory: --rules-dir and $OTEL_AUDIT_RULES_DIR are not set, and "
                "the executable's own location (which " +
                std::string(kRulesBesideExecutable) + " is relative to) is unknown" + hint;
    return out;
  }
  const fs::path dir = (executable.parent_path() / kRulesBesideExecutable).lexically_normal();
  if (fs::is_directory(dir, ec)) {
    out.dir = dir;
    return out;
  }
  out.error = "no rule data directory: --rules-dir and $OTEL_AUDIT_RULES_DIR are not set, and \"" +
              dir.string() + "\" (" + kRulesBesideExecutable + " from the executable \"" +
              executable.string() + "\") is not a directory" + hint;
  return out;
}

std::optional<fs::path> find_rules_dir(const std::string& flag, const char* argv0) {
  const char* env = std::getenv("OTEL_AUDIT_RULES_DIR");
  RulesDirSearch found = locate_rules_dir(flag, env ? env : "", running_executable(argv0));
  if (!found.dir) error(found.error);
  return found.dir;
}

} // namespace otelaudit::cli
