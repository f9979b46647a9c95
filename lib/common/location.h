#pragma once
#include <string>

namespace otelaudit {

/// Where a model value or a finding comes from: a file relative to the repository root
/// ('/' separators), 1-based line and column (columns count characters); 0 means unknown.
struct Location {
  std::string file;
  int line = 0;
  int column = 0;

  friend bool operator==(const Location&, const Location&) = default;
};

/// A problem met while reading input (a file that does not parse, a glob matching nothing).
/// Loaders return these instead of throwing; the audit turns them into findings of `rule`.
struct Diagnostic {
  std::string rule;
  Location loc;
  std::string message;
};

} // namespace otelaudit
