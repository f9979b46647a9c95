#pragma once
#include <optional>
#include <string>
#include <string_view>

#include <toml++/toml.h>

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

/// A TOML document read through the guard, or the one diagnostic saying why there is none.
struct GuardedToml {
  std::optional<toml::table> table;
  std::optional<Diagnostic> error;
};

/// The one way TOML is read (manifests, lockfiles, the config, rule data): toml_prescan first,
/// then toml++. A syntax error is a diagnostic of `rule` at toml++'s line and column; any other
/// failure (an allocation on a huge file) one at 0:0, since nothing escapes on bad input.
GuardedToml parse_toml_guarded(std::string_view text, const std::string& file,
                               const std::string& rule);

} // namespace otelaudit
