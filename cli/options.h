#pragma once
#include <filesystem>
#include <string>

namespace otelaudit::cli {

/// Exit codes (DESIGN.md): the only place they are chosen is the cli.
enum Exit : int { kPass = 0, kGateFailed = 1, kUsage = 2, kToolFailure = 3 };

/// Where the rule data lives: --rules-dir, then $OTEL_AUDIT_RULES_DIR, then the installed
/// share directory beside the executable, then the source tree the binary was built from.
std::filesystem::path find_rules_dir(const std::string& flag, const char* argv0);

} // namespace otelaudit::cli
