#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/location.h"

namespace otelaudit {

/// One `[[package]]` entry of a Cargo.lock.
struct LockedPackage {
  std::string name;
  std::string version;
  std::string source; // "registry+https://…", "git+https://…#rev", or empty for path
  std::vector<std::string>
      dependencies; // as written ("name", "name version", "name version (source)")
  Location loc;     // the `[[package]]` header
};

/// A parsed Cargo.lock. `format` is 1 (metadata table of checksums), 2 (no version key,
/// checksums inline), 3 or 4 (the `version = N` key).
struct Lockfile {
  std::string file;
  int format = 0;
  std::vector<LockedPackage> packages;

  /// Every locked version of `name`, in file order.
  std::vector<const LockedPackage*> find(std::string_view name) const;
};

struct LockfileResult {
  std::optional<Lockfile> lockfile;    // absent when the text does not parse
  std::vector<Diagnostic> diagnostics; // rule "lockfile-parse-error" with the parser's line:column
};

/// Parses the text of a Cargo.lock; `file` is its path relative to the repository root.
LockfileResult parse_lockfile(std::string_view text, const std::string& file);

} // namespace otelaudit
