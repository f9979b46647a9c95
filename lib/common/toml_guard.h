#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "common/location.h"

namespace otelaudit {

/// Rejects TOML text that toml++ 3.3.0 must not see: a non-ASCII byte outside strings and
/// comments reads out of bounds in its bare-key path (marzer/tomlplusplus#295, fixed after
/// 3.3.0), so every TOML file from an audited repository goes through this first. Also rejects
/// invalid UTF-8 and NUL bytes anywhere. Returns a diagnostic of `rule` located at the first
/// offending byte (1-based line, column counted in code points), or nullopt when the text is
/// safe to parse. TOML 1.0 allows non-ASCII only in strings and comments, so nothing valid is
/// rejected.
std::optional<Diagnostic> toml_prescan(std::string_view text, const std::string& file,
                                       const std::string& rule);

} // namespace otelaudit
