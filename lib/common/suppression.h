#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/location.h"

namespace otelaudit {

/// One inline `otel-audit: allow(rule, …) reason` comment: where it is, the rules it names and
/// the reason written after them. Read from `//` comments of .rs files and `#` comments of
/// Cargo.toml, and applied with the rest of the policy once every finding exists.
struct InlineAllow {
  Location loc; // of the comment
  std::vector<std::string> rules;
  std::string reason;
};

/// The allow comment `comment` is, or nullopt. `comment` is the comment's text after its
/// marker (`//`, `#`): `otel-audit:` (after blanks), `allow`, `(`, rule ids separated by commas,
/// `)`, then the reason. Blanks around each part are skipped; an empty list is no comment.
std::optional<InlineAllow> parse_allow(std::string_view comment);

/// The allow comments of a Cargo.toml's text: a `#` comment, whole-line or trailing, whose
/// text is an allow comment. Each is located at its `#`.
std::vector<InlineAllow> manifest_allows(const std::string& file, std::string_view text);

} // namespace otelaudit
