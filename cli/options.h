#pragma once
#include <filesystem>
#include <optional>
#include <string>

namespace otelaudit::cli {

/// Exit codes (DESIGN.md): the only place they are chosen is the cli.
enum Exit : int { kPass = 0, kGateFailed = 1, kUsage = 2, kToolFailure = 3 };

/// Where the rule data lives, relative to the executable's directory: the installed layout
/// (PREFIX/bin/otel-audit, PREFIX/share/otel-audit/rules), which the build tree mirrors
/// (build/bin, build/share). Relative, so a moved prefix keeps working.
inline constexpr const char* kRulesBesideExecutable = "../share/otel-audit/rules";

/// The outcome of looking for the rule data directory: the directory, or why there is none.
struct RulesDirSearch {
  std::optional<std::filesystem::path> dir;
  std::string error; // names every place looked at
};

/// Looks for the rule data directory: `flag` (--rules-dir), else `env` ($OTEL_AUDIT_RULES_DIR),
/// else kRulesBesideExecutable from the directory of `executable` (empty: unknown). A directory
/// that was named but does not exist is an error, not a reason to look elsewhere: the user
/// meant that one.
RulesDirSearch locate_rules_dir(const std::string& flag, const std::string& env,
                                const std::filesystem::path& executable);

/// locate_rules_dir for this process: its --rules-dir, its environment, and the executable read
/// through /proc/self/exe (else `argv0`, directly or found on $PATH). nullopt after printing
/// the error.
std::optional<std::filesystem::path> find_rules_dir(const std::string& flag, const char* argv0);

} // namespace otelaudit::cli
