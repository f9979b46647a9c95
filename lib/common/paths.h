#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace otelaudit {

/// The components of a '/'-separated path; empty components (`a//b`, a trailing `/`) dropped.
std::vector<std::string> split_path(std::string_view path);

/// Components `[from, to)` joined with '/'.
std::string join_path(const std::vector<std::string>& parts, std::size_t from, std::size_t to);
inline std::string join_path(const std::vector<std::string>& parts) {
  return join_path(parts, 0, parts.size());
}

/// `rel` taken from the repository-relative directory `dir`, normalised lexically (`.` and
/// `..` resolved); nullopt when it leaves the repository: absolute, a drive letter, or more
/// `..` than there are directories above it. Audited repositories are untrusted, so every
/// path written in them goes through this before anything is read.
std::optional<std::string> resolve_relative(const std::string& dir, std::string_view rel);

/// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

} // namespace otelaudit
