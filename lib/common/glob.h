#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace otelaudit {

/// True when `s` holds a glob metacharacter (`*`, `?`, `[`).
bool has_glob(std::string_view s);

/// Matches path components against pattern components the way Cargo's glob crate expands
/// workspace members: `*`, `?` and `[…]` (`[!…]`) within one component, `**` across any
/// number of them. Linear-time dynamic programming: patterns come from untrusted files.
bool glob_match(const std::vector<std::string>& pattern, const std::vector<std::string>& path);

/// The same over '/'-separated strings (`crates/*/src/**`, `src/lib.rs`).
bool glob_match_path(std::string_view pattern, std::string_view path);

} // namespace otelaudit
