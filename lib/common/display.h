#pragma once
// The one sanitiser for text that comes from an audited repository (package, file and commit
// names, YAML values, messages quoting them) on its way to a person: a terminal, a CI log, a
// rendered Markdown page. Controls and invisible format characters could move the cursor,
// retitle the window, hide text (ESC, BEL, OSC, the 8-bit CSI U+009B) or reorder what is shown
// (the bidi overrides U+202A..U+202E): each is written escaped, as Rust's `{:?}` writes it.
#include <cstddef>
#include <string>
#include <string_view>

namespace otelaudit {

/// What display_safe does with tab, line feed and carriage return.
enum class Whitespace {
  space,  // each becomes a space: text on one line
  keep,   // tab and line feed stay (lines of a message); carriage return is escaped
  lines,  // tab, line feed and carriage return stay, for a writer that encodes them itself
  escape, // escaped like every other control
};

/// Whether the code point `cp` is shown escaped: C0 controls and DEL, C1 controls, the line and
/// paragraph separators, and the format characters (Unicode category Cf: bidi embeddings,
/// overrides and isolates, zero-width characters, the byte order mark, tags).
bool is_unsafe_code_point(char32_t cp);

/// Length of the well-formed UTF-8 sequence at `i` of `s` (1 to 4), or 0 when the bytes there
/// are not one (overlong forms, surrogates and values past U+10FFFF included); `cp` receives
/// the code point.
std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t& cp);

/// `text` with every unsafe code point written as `\u{1b}` (lower-case hex, no leading zeros),
/// tab, line feed and carriage return treated as `ws` says, and bytes that are not UTF-8 as
/// U+FFFD. Text with nothing to escape comes back unchanged.
std::string display_safe(std::string_view text, Whitespace ws = Whitespace::space);

} // namespace otelaudit
