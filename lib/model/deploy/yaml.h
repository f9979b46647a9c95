#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/location.h"

namespace otelaudit::deploy {

struct YamlEntry;

/// A YAML value with the place it was written, built from libyaml's events so that the model
/// and the rules never touch libyaml: aliases are expanded (within YamlLimits) and `<<` merge
/// keys applied. A value reached through an alias keeps the position of the anchored original.
struct YamlNode {
  enum class Kind { null, scalar, sequence, map };
  Kind kind = Kind::null;
  std::string scalar;             // the text of a scalar
  bool plain = true;              // a scalar written without quotes or block indicator
  Location loc;                   // 1-based, columns in characters
  std::vector<YamlNode> items;    // a sequence's items
  std::vector<YamlEntry> entries; // a map's entries in document order (merged ones last)

  bool is_map() const { return kind == Kind::map; }
  bool is_seq() const { return kind == Kind::sequence; }
  bool is_scalar() const { return kind == Kind::scalar; }
  /// The value of `key` in a map, or nullptr (also for non-maps).
  const YamlNode* find(std::string_view key) const;
  /// The entry of `key` in a map (its key position is where a missing part is reported).
  const YamlEntry* find_entry(std::string_view key) const;
  /// The scalar text at `key`, or "" when absent or not a scalar.
  std::string scalar_at(std::string_view key) const;
};

/// One key and its value; only scalar keys are kept (complex keys are dropped).
struct YamlEntry {
  std::string key;
  Location key_loc;
  YamlNode value;
};

/// Bounds that keep untrusted YAML (a billion-laughs bomb, a reference cycle, a huge file)
/// within fixed time and memory.
struct YamlLimits {
  std::size_t max_bytes = 4 * 1024 * 1024;         // larger files are not parsed
  std::size_t max_nodes = 100000;                  // per file, aliases counted at each use
  std::size_t max_scalar_bytes = 16 * 1024 * 1024; // scalar text copied, aliases included
  int max_depth = 256;                             // nesting, aliases included
};

/// The documents of one YAML file, or the reason there are none.
struct YamlParseResult {
  std::vector<YamlNode> documents;
  /// Set when the file was not read: `deploy-parse-error` (malformed YAML) or
  /// `deploy-file-skipped` (a Helm template, a file over a limit), located.
  std::optional<Diagnostic> problem;
};

/// Where the first `{{` (a Go template action) is; line 0 when there is none.
Location first_template_action(std::string_view text, const std::string& file);

/// Parses every document of `text` (a multi-document stream) into located nodes, in one pass
/// over libyaml's events; the limits are checked as they come. Never throws.
YamlParseResult parse_yaml(std::string_view text, const std::string& file,
                           const YamlLimits& limits = {});

} // namespace otelaudit::deploy
