#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fix/toml_spans.h"

// Edits of one dependency entry of a Cargo.toml, made on its text: only the bytes of the values
// (and keys) that change are replaced, so comments, order, spacing, quoting and the form of the
// entry (a string, an inline table, a [dependencies.x] table, dotted keys) stay as written.

namespace otelaudit::fix {

/// Bytes [begin, end) of a text replaced by `text` (an insertion when begin == end).
struct TextEdit {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string text;
};

/// `text` with `edits` applied; nullopt when two edits overlap (insertions at one point are
/// applied in the order given).
std::optional<std::string> apply_edits(std::string_view text, std::vector<TextEdit> edits);

/// What to change in one dependency entry; a field left empty changes nothing.
struct EntryChange {
  /// The entry's key path from the document root: {"dependencies", "opentelemetry"},
  /// {"workspace", "dependencies", "x"}, {"target", "cfg(unix)", "dev-dependencies", "x"}.
  std::vector<std::string> path;
  std::optional<std::string> version; // the new requirement (the entry must have one)
  std::vector<std::string> add_features;
  std::vector<std::string> remove_features;
  std::optional<std::vector<std::string>> set_features; // the whole list (empty: no features)
  std::optional<std::string> rename;                    // the new key
  bool drop_package = false;                            // remove `package = …`
  bool remove = false;                                  // delete the entry
};

/// True when the document writes an entry (or fields of one) at `path`.
bool has_entry(const Document& doc, const std::vector<std::string>& path);

/// True when the [features] table of the document names dependency `key` (`key`, `dep:key`,
/// `key/feat`, `key?/feat`): renaming or removing it would break those features.
bool named_by_features(const Document& doc, std::string_view key);

/// Appends to `out` the byte edits that make `change` in `doc` (read from `text`); false with
/// `error` saying why when the entry cannot be found or changed as asked.
bool entry_edits(std::string_view text, const Document& doc, const EntryChange& change,
                 std::vector<TextEdit>& out, std::string& error);

} // namespace otelaudit::fix
