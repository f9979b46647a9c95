#include "common/toml_guard.h"

#include <cstdint>
#include <cstdio>
#include <vector>

namespace otelaudit {
namespace {

// Length of the well-formed UTF-8 sequence starting at text[i], or 0 when it is not one
// (overlong forms, surrogates and code points above U+10FFFF are rejected, as RFC 3629 says).
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b = byte(i);
  if (b < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF; // allowed range of the second byte
  if (b >= 0xC2 && b <= 0xDF) {
    len = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    len = 3;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    len = 4;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return len;
}

// The code point of the well-formed UTF-8 sequence of `len` bytes at text[i].
char32_t decode(std::string_view text, std::size_t i, std::size_t len) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  if (len == 1) return byte(0);
  char32_t cp = byte(0) & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k)
    cp = (cp << 6) | (byte(k) & 0x3F);
  return cp;
}

// True for the code points on which toml++ 3.3.0's is_non_ascii_horizontal_whitespace()
// reaches TOML_UNREACHABLE (undefined behaviour): it splits U+00A0..U+FEFF into blocks of
// 0x3FA, answers "no" at once for most, and for blocks 0, 11 and 63 answers only for the
// whitespace in them, falling through to the unreachable point for every other code point of
// those blocks (U+032A, U+FEFD, …). A faithful copy of its branches, so that exactly the text
// toml++ cannot check is refused.
bool toml_whitespace_check_undefined(char32_t c) {
  if (c < 0xA0 || c > 0xFEFF) return false;
  const auto block = (static_cast<std::uint_least64_t>(c) - 0xA0) / 0x3FA;
  if ((std::uint_least64_t{1} << block) & 0x7FFFFFFFFFFFF75EULL) return false;
  if (c == 0xA0 || c == 0x3000 || c == 0xFEFF) return false;
  return block != 5 && block != 7;
}

// What toml++ takes for white space (horizontal or vertical), ASCII or not.
bool toml_whitespace(char32_t c) {
  return c == '\t' || c == ' ' || (c >= '\n' && c <= '\r') || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || c == 0x180E || (c >= 0x2000 && c <= 0x200B) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x2060 || c == 0x3000 || c == 0xFEFF;
}

std::string code_point(char32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  return buf;
}

std::string hex_byte(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(b));
  return buf;
}

// Counts at most five quotes: no decision needs more, and counting a whole run at each of its
// quotes made a file of one long run of `"` quadratic (a 200 KB run took 3 s).
std::size_t quote_run(std::string_view text, std::size_t i, char quote) {
  std::size_t n = 0;
  while (n < 5 && i + n < text.size() && text[i + n] == quote)
    ++n;
  return n;
}

// True when a quote after `prev` would sit inside a bare key or value rather than open a
// string. toml++ reads a bare value (`2e3'''x`) up to whitespace or `,]}#`, quotes included,
// and asks of each character whether it is whitespace: for many non-ASCII code points (U+032A,
// the bytes CC AA) that check reaches TOML_UNREACHABLE, undefined behaviour (found by the
// toml_guard fuzz target). So such a quote does not open a string here, and non-ASCII bytes
// after it are rejected. In keys a dot may precede a quote: `a."b"` is valid.
bool continues_bare_token(char prev, bool key) {
  const bool alnum =
      (prev >= 'a' && prev <= 'z') || (prev >= 'A' && prev <= 'Z') || (prev >= '0' && prev <= '9');
  return alnum || prev == '_' || prev == '-' || prev == '+' || prev == ':' || (prev == '.' && !key);
}

// toml++ recurses once per table level when it builds and frees a document: a key of 35,000
// dotted parts (`a.b.b.b… = 1`, 70 KB of text) overflowed an 8 MB stack when measured, and
// its own limit (256) covers only inline arrays and tables. Real Cargo.toml files nest about
// six levels (`target.'cfg(…)'.dependencies.name.features`), so text nesting deeper than this
// is rejected before it is parsed.
constexpr std::size_t kMaxDepth = 128;

// toml++ ends a bare value (a number, boolean or date, or the garbage it reports) only at
// white space or one of `]},#` (is_value_terminator): inside one, quotes and brackets open
// nothing, and every character meets the whitespace check above. The second toml_guard
// finding was such a value: `=22r[policy`, a control character, three single quotes, then
// U+032A: a `[` and the control character came between the digits and the quotes.
bool ends_bare_value(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ']' || c == '}' || c == ',' ||
         c == '#';
}

bool starts_bare_value(char c) {
  return !ends_bare_value(c) && c != '"' && c != '\'' && c != '[' && c != '{' && c != '=';
}

} // namespace

std::optional<Diagnostic> toml_prescan(std::string_view text, const std::string& file,
                                       const std::string& rule) {
  enum class State { normal, comment, basic, literal, ml_basic, ml_literal };
  State state = State::normal;
  bool escaped = false;             // the previous character was a backslash inside a basic string
  bool skipping_whitespace = false; // after a line-ending backslash in a multi-line string
  // Nesting, counted outside strings and comments: the segments of the current [header], the
  // dots of the key being read, and the open inline arrays and tables (each remembering the
  // key dots at its opening, which a ',' between siblings returns to).
  std::size_t header_depth = 0, key_dots = 0;
  std::vector<std::pair<char, std::size_t>> open;
  bool key_position = true, line_start = true, in_header = false;
  bool bare_value = false; // inside a bare value (see ends_bare_value)
  char prev = '\n';        // the previous character (its first byte)
  int line = 1, column = 1;
  const auto diagnostic = [&](std::string message) {
    return Diagnostic{rule, Location{file, line, column}, std::move(message)};
  };

  // A UTF-8 byte order mark may open the file; toml++ skips it.
  std::size_t i = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    const std::size_t len = utf8_length(text, i);
    if (len == 0) return diagnostic("invalid UTF-8 byte " + hex_byte(b));
    if (b == 0) return diagnostic("NUL byte 0x00 in TOML text");
    const char c = text[i];
    std::size_t advance = len;

    // In a multi-line basic string toml++ asks "is this whitespace?" of the character after a
    // backslash, and, after a line-ending backslash, of every character up to the first that
    // is not: the second place where a code point can reach its undefined branch (found by
    // the toml_guard target: U+FEFD after `\` and blank lines).
    if (state == State::ml_basic && (escaped || skipping_whitespace)) {
      const char32_t cp = decode(text, i, len);
      if (toml_whitespace_check_undefined(cp))
        return diagnostic("character " + code_point(cp) +
                          " after a backslash in a multi-line string, which toml++ 3.3.0 cannot "
                          "check for white space safely");
      skipping_whitespace = toml_whitespace(cp);
    }

    if (escaped) {
      escaped = false;
    } else {
      switch (state) {
      case State::normal:
        if (b >= 0x80)
          return diagnostic("non-ASCII byte " + hex_byte(b) +
                            " outside a string or comment (TOML bare keys are ASCII)");
        if (bare_value && !ends_bare_value(c)) break; // part of the value, opens nothing
        bare_value = false;
        if (!key_position && !in_header && starts_bare_value(c)) {
          bare_value = true;
          line_start = false;
          break;
        }
        if (c == '[' && line_start) {
          in_header = true; // `[a.b]` or `[[a.b]]`: the second bracket keeps the state
          header_depth = 1;
          key_dots = 0;
        } else if (c == ']' && in_header) {
          in_header = false;
        } else if (c == '.' && (in_header || key_position)) {
          ++(in_header ? header_depth : key_dots);
        } else if (c == '=' && !in_header) {
          key_position = false;
        } else if ((c == '[' || c == '{') && !in_header) {
          open.emplace_back(c, key_dots);
          key_position = c == '{';
        } else if ((c == ']' || c == '}') && !open.empty()) {
          key_dots = open.back().second;
          open.pop_back();
        } else if (c == ',' && !open.empty()) {
          key_dots = open.back().second;
          key_position = open.back().first == '{';
        }
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') line_start = false;
        if (header_depth + key_dots + open.size() > kMaxDepth)
          return diagnostic("TOML nested deeper than " + std::to_string(kMaxDepth) +
                            " levels (tables, dotted keys, arrays)");
        if (c == '#') {
          state = State::comment;
        } else if ((c == '"' || c == '\'') &&
                   !continues_bare_token(prev, key_position || in_header)) {
          if (quote_run(text, i, c) >= 3) {
            state = c == '"' ? State::ml_basic : State::ml_literal;
            advance = 3;
          } else {
            state = c == '"' ? State::basic : State::literal;
          }
        }
        break;
      case State::comment:
        if (c == '\n') state = State::normal;
        break;
      case State::basic:
      case State::literal:
        // An unterminated single-line string ends at the newline; the parser reports it.
        if (c == '\n' || (c == '"' && state == State::basic) ||
            (c == '\'' && state == State::literal))
          state = State::normal;
        else if (c == '\\' && state == State::basic)
          escaped = true;
        break;
      case State::ml_basic:
      case State::ml_literal: {
        const char quote = state == State::ml_basic ? '"' : '\'';
        if (c == '\\' && state == State::ml_basic) {
          escaped = true;
        } else if (c == quote) {
          // Up to two quotes may precede the closing delimiter (`""""" ` is `""` + `"""`).
          const std::size_t run = quote_run(text, i, quote);
          if (run >= 3) {
            advance = run < 5 ? run : 5;
            state = State::normal;
          }
        }
        break;
      }
      }
      // A new top-level statement (comments and single-line strings end at the line break).
      if (c == '\n' && state == State::normal && open.empty()) {
        key_position = line_start = true;
        key_dots = 0;
      }
    }

    prev = c;
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      // Only multi-quote delimiters advance by more than one character; they are ASCII.
      column += len == 1 ? static_cast<int>(advance) : 1;
    }
    i += advance;
  }
  return std::nullopt;
}

GuardedToml parse_toml_guarded(std::string_view text, const std::string& file,
                               const std::string& rule) {
  GuardedToml out;
  if ((out.error = toml_prescan(text, file, rule))) return out;
  try {
    out.table = toml::parse(text, std::string_view(file));
  } catch (const toml::parse_error& e) {
    const toml::source_position& at = e.source().begin;
    out.error =
        Diagnostic{rule, Location{file, static_cast<int>(at.line), static_cast<int>(at.column)},
                   std::string(e.description())};
  } catch (const std::exception& e) {
    out.error = Diagnostic{rule, Location{file, 0, 0}, e.what()};
  }
  return out;
}

} // namespace otelaudit
