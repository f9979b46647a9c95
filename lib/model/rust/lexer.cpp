#include "model/rust/lexer.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>

#include "common/utf8.h"

namespace otelaudit::rust {

namespace {

// Byte classes of ASCII characters; bytes >= 0x80 are decoded as UTF-8 instead.
enum : std::uint8_t {
  kIdStart = 1,
  kIdContinue = 2,
  kSpace = 4,
  kDigit = 8,
  kHexDigit = 16,
  kPunct = 32,
};

constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c)
    t[c] = kIdStart | kIdContinue;
  for (int c = 'A'; c <= 'Z'; ++c)
    t[c] = kIdStart | kIdContinue;
  t['_'] = kIdStart | kIdContinue;
  for (int c = '0'; c <= '9'; ++c)
    t[c] = kIdContinue | kDigit | kHexDigit;
  for (int c = 'a'; c <= 'f'; ++c)
    t[c] |= kHexDigit;
  for (int c = 'A'; c <= 'F'; ++c)
    t[c] |= kHexDigit;
  // Rust's Pattern_White_Space in ASCII: tab, LF, VT, FF, CR, space.
  for (char c : {' ', '\t', '\n', '\v', '\f', '\r'})
    t[static_cast<unsigned char>(c)] = kSpace;
  for (char c : {';', ',', '.', '(', ')', '{', '}', '[', ']', '@', '#', '~', '?', ':',
                 '$', '=', '!', '<', '>', '-', '&', '|', '+', '*', '/', '^', '%'})
    t[static_cast<unsigned char>(c)] = kPunct;
  return t;
}

constexpr std::array<std::uint8_t, 256> kClass = make_classes();

bool has_class(unsigned char c, std::uint8_t cls) {
  return (kClass[c] & cls) != 0;
}

// Length (2..4) of the well-formed UTF-8 sequence starting at p, storing its code point, or 0
// when the byte at p starts none (stray continuation, overlong form, surrogate, truncation).
int decode_multibyte(const unsigned char* p, const unsigned char* end, char32_t& cp) {
  const unsigned c = p[0];
  const auto avail = end - p;
  auto cont = [&](int k) { return (p[k] & 0xC0) == 0x80; };
  if (c < 0xC2) return 0;
  if (c < 0xE0) {
    if (avail < 2 || !cont(1)) return 0;
    cp = ((c & 0x1F) << 6) | (p[1] & 0x3F);
    return 2;
  }
  if (c < 0xF0) {
    if (avail < 3 || !cont(1) || !cont(2)) return 0;
    if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0)) return 0;
    cp = ((c & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    return 3;
  }
  if (c < 0xF5) {
    if (avail < 4 || !cont(1) || !cont(2) || !cont(3)) return 0;
    if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90)) return 0;
    cp = ((c & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    return 4;
  }
  return 0;
}

// Non-ASCII members of Rust's Pattern_White_Space; every other valid non-ASCII code point is
// accepted as an identifier character (a superset of XID, which is enough to find facts).
bool is_unicode_space(char32_t cp) {
  return cp == 0x85 || cp == 0x200E || cp == 0x200F || cp == 0x2028 || cp == 0x2029;
}

// Sorted (byte order) strict and reserved keywords of the 2018 and later editions. Weak
// keywords (`union`, `macro_rules`, `raw`) and the 2024 `gen` stay identifiers because
// older code uses them as names (`rng.gen()`).
constexpr std::string_view kKeywords[] = {
    "Self",     "abstract", "as",      "async",    "await", "become", "box",    "break",  "const",
    "continue", "crate",    "do",      "dyn",      "else",  "enum",   "extern", "false",  "final",
    "fn",       "for",      "if",      "impl",     "in",    "let",    "loop",   "macro",  "match",
    "mod",      "move",     "mut",     "override", "priv",  "pub",    "ref",    "return", "self",
    "static",   "struct",   "super",   "trait",    "true",  "try",    "type",   "typeof", "unsafe",
    "unsized",  "use",      "virtual", "where",    "while", "yield"};

static_assert(std::is_sorted(std::begin(kKeywords), std::end(kKeywords)));

// The keywords by length (2 to 8), so that an identifier is compared with at most the dozen
// keywords of its length, first byte first: the lexer asks for every identifier.
struct KeywordsByLength {
  std::string_view words[9][16];
  unsigned char count[9] = {};
  constexpr KeywordsByLength() {
    for (std::string_view k : kKeywords)
      words[k.size()][count[k.size()]++] = k;
  }
};
constexpr KeywordsByLength kKeywordsByLength;

bool is_keyword(std::string_view word) {
  // Most identifiers are longer than any keyword; skip the search for them.
  if (word.size() < 2 || word.size() > 8) return false;
  const std::size_t n = word.size();
  for (unsigned i = 0; i < kKeywordsByLength.count[n]; ++i) {
    const std::string_view k = kKeywordsByLength.words[n][i];
    if (k[0] == word[0] && std::memcmp(k.data() + 1, word.data() + 1, n - 1) == 0) return true;
  }
  return false;
}

std::string hex_byte(unsigned char c) {
  static constexpr char digits[] = "0123456789ABCDEF";
  return {'0', 'x', digits[c >> 4], digits[c & 0xF]};
}

// Moves the position (`line`, `column`) at byte `from` of the text [b, b + n) over every
// character that starts before byte `to`, and returns where it stopped. One function for the
// lexer and for CodeTokens::position(), so that a recomputed position is the lexer's own.
// `invalid(line, column, byte)` is told of each invalid UTF-8 byte passed.
template <class Invalid>
size_t advance(const unsigned char* b, size_t n, size_t from, size_t to, int& line, int& column,
               Invalid&& invalid) {
  size_t walk = from;
  while (walk < to) {
    const unsigned char c = b[walk];
    if (c < 0x80) {
      ++walk;
      if (c == '\n') {
        ++line;
        column = 1;
      } else if (c != '\r' || walk >= n || b[walk] != '\n') {
        ++column;
      }
      continue;
    }
    char32_t cp = 0;
    int len = decode_multibyte(b + walk, b + n, cp);
    if (len == 0) {
      invalid(line, column, c);
      len = 1;
    }
    walk += static_cast<size_t>(len);
    ++column;
  }
  return walk;
}

// Where the lexer puts each token it finds: kept as a Token by lex(), compactly by lex_code().
class Sink {
public:
  virtual void token(TokenKind kind, size_t start, size_t end, int line, int column) = 0;

protected:
  ~Sink() = default;
};

// One pass over the bytes. Token rules follow rustc_lexer; line and column bookkeeping is a
// second cursor (`walk_`) that only moves forward, so every byte is classified once for
// positions and once for tokens, and invalid UTF-8 is reported wherever it occurs.
class Lexer {
public:
  Lexer(std::string_view source, Sink& sink, std::vector<LexDiagnostic>& diagnostics,
        std::size_t& more)
      : src_(source), b_(reinterpret_cast<const unsigned char*>(source.data())), n_(source.size()),
        sink_(sink), diagnostics_(diagnostics), more_(more) {}

  void run() {
    size_t pos = 0;
    if (n_ >= 3 && b_[0] == 0xEF && b_[1] == 0xBB && b_[2] == 0xBF) {
      pos = 3;
      walk_ = 3;
    }
    if (at(pos) == '#' && at(pos + 1) == '!' && is_shebang(pos + 2)) {
      const void* nl = std::memchr(b_ + pos, '\n', n_ - pos);
      pos = nl ? static_cast<size_t>(static_cast<const unsigned char*>(nl) - b_) : n_;
    }
    while (pos < n_) {
      const size_t next = step(pos);
      pos = next > pos ? next : pos + 1; // a guard: every iteration consumes a byte
    }
    sync(n_);
    for (const Repeated& r : repeated_)
      if (r.index != kNone && r.more > 0)
        diagnostics_[r.index].message += " (and " + std::to_string(r.more) + " more " +
                                         (r.more == 1 ? r.one : r.many) + " in this file)";
  }

private:
  // The byte at i, or 0 past the end; only compared against non-NUL characters.
  unsigned char at(size_t i) const { return i < n_ ? b_[i] : 0; }

  // Moves the position cursor to byte offset `to`, reporting invalid UTF-8 on the way.
  void sync(size_t to) {
    walk_ =
        advance(b_, n_, walk_, to, line_, column_, [this](int line, int column, unsigned char c) {
          note(kInvalid, line, column, "invalid UTF-8 byte " + hex_byte(c));
        });
  }

  void add(TokenKind kind, size_t start, size_t end) {
    sync(start);
    last_line_ = line_;
    last_column_ = column_;
    sink_.token(kind, start, end, line_, column_);
  }

  // A diagnostic at the start of the token added last.
  void report(std::string message, int repeat = kOnce) {
    note(repeat, last_line_, last_column_, std::move(message));
  }

  // Problems that come once per byte of binary or mangled text are reported at their first
  // place with a count of the others ("one diagnostic per file, never one per byte"), and no
  // more than kMaxLexDiagnostics are kept in all: a file of 16 MiB of NUL bytes gave 16
  // million diagnostics, about 1 GB.
  static constexpr int kOnce = -1;
  static constexpr int kInvalid = 0;
  static constexpr int kNul = 1;
  static constexpr int kUnexpected = 2;
  static constexpr std::size_t kNone = SIZE_MAX;
  struct Repeated {
    const char* one;
    const char* many;
    bool seen = false;
    std::size_t index = kNone; // of the first one in diagnostics_, when it was kept
    std::size_t more = 0;      // seen after it
  };

  void note(int repeat, int line, int column, std::string message) {
    if (repeat != kOnce) {
      Repeated& r = repeated_[repeat];
      if (r.seen) {
        ++(r.index != kNone ? r.more : more_);
        return;
      }
      r.seen = true;
      if (diagnostics_.size() < kMaxLexDiagnostics) r.index = diagnostics_.size();
    }
    if (diagnostics_.size() >= kMaxLexDiagnostics) {
      ++more_;
      return;
    }
    diagnostics_.push_back({line, column, std::move(message)});
  }

  // Length of the code point at i when it may start an identifier, else 0.
  size_t id_start_len(size_t i) const {
    if (i >= n_) return 0;
    if (b_[i] < 0x80) return has_class(b_[i], kIdStart) ? 1 : 0;
    char32_t cp = 0;
    const int len = decode_multibyte(b_ + i, b_ + n_, cp);
    return len > 0 && !is_unicode_space(cp) ? static_cast<size_t>(len) : 0;
  }

  size_t eat_ident_rest(size_t i) const {
    while (i < n_) {
      const unsigned char c = b_[i];
      if (c < 0x80) {
        if (!has_class(c, kIdContinue)) break;
        ++i;
        continue;
      }
      const size_t len = id_start_len(i);
      if (len == 0) break;
      i += len;
    }
    return i;
  }

  // Literal suffixes (`1u8`, `"a"suffix`) belong to the literal token, as in rustc.
  size_t eat_suffix(size_t i) const {
    const size_t len = id_start_len(i);
    return len ? eat_ident_rest(i + len) : i;
  }

  // After `#!` at the very start: a shebang unless the next real token is `[` (then it is
  // an inner attribute). Doc comments count as real tokens, like in rustc.
  bool is_shebang(size_t i) const {
    for (;;) {
      while (i < n_ && has_class(b_[i], kSpace))
        ++i;
      if (at(i) != '/') break;
      if (at(i + 1) == '/') {
        if ((at(i + 2) == '/' && at(i + 3) != '/') || at(i + 2) == '!') break;
        while (i < n_ && b_[i] != '\n')
          ++i;
      } else if (at(i + 1) == '*') {
        if (at(i + 2) == '!' || (at(i + 2) == '*' && at(i + 3) != '*' && at(i + 3) != '/')) break;
        int depth = 1;
        i += 2;
        while (i < n_ && depth > 0) {
          if (b_[i] == '/' && at(i + 1) == '*') {
            ++depth;
            i += 2;
          } else if (b_[i] == '*' && at(i + 1) == '/') {
            --depth;
            i += 2;
          } else {
            ++i;
          }
        }
      } else {
        break;
      }
    }
    return at(i) != '[';
  }

  size_t step(size_t pos) {
    const unsigned char c = b_[pos];
    if (c >= 0x80) return non_ascii(pos);
    if (has_class(c, kSpace)) {
      ++pos;
      while (pos < n_ && has_class(b_[pos], kSpace))
        ++pos;
      return pos;
    }
    switch (c) {
    case '/':
      if (at(pos + 1) == '/') return line_comment(pos);
      if (at(pos + 1) == '*') return block_comment(pos);
      return punct(pos);
    case '"':
      return double_quoted(pos, pos + 1, TokenKind::string, "unterminated string literal");
    case '\'':
      return char_or_lifetime(pos);
    case 'r':
      if (at(pos + 1) == '#') {
        if (const size_t len = id_start_len(pos + 2)) {
          const size_t end = eat_ident_rest(pos + 2 + len);
          add(TokenKind::raw_ident, pos, end);
          return end;
        }
      }
      if (at(pos + 1) == '"' || at(pos + 1) == '#') {
        if (size_t end =
                raw_string(pos, pos + 1, TokenKind::raw_string, "unterminated raw string literal"))
          return end;
      }
      return ident(pos);
    case 'b':
      if (at(pos + 1) == '\'') return byte_literal(pos);
      if (at(pos + 1) == '"')
        return double_quoted(pos, pos + 2, TokenKind::byte_string,
                             "unterminated byte string literal");
      if (at(pos + 1) == 'r' && (at(pos + 2) == '"' || at(pos + 2) == '#')) {
        if (size_t end = raw_string(pos, pos + 2, TokenKind::raw_byte_string,
                                    "unterminated raw byte string literal"))
          return end;
      }
      return ident(pos);
    case 'c':
      if (at(pos + 1) == '"')
        return double_quoted(pos, pos + 2, TokenKind::c_string, "unterminated C string literal");
      if (at(pos + 1) == 'r' && (at(pos + 2) == '"' || at(pos + 2) == '#')) {
        if (size_t end = raw_string(pos, pos + 2, TokenKind::raw_c_string,
                                    "unterminated raw C string literal"))
          return end;
      }
      return ident(pos);
    case '\0':
      add(TokenKind::unknown, pos, pos + 1);
      report("NUL byte", kNul);
      return pos + 1;
    default:
      break;
    }
    if (has_class(c, kDigit)) return number(pos);
    if (has_class(c, kIdStart)) return ident(pos);
    if (has_class(c, kPunct)) return punct(pos);
    add(TokenKind::unknown, pos, pos + 1);
    if (c >= 0x20 && c < 0x7F) {
      report(std::string("unexpected character '") + static_cast<char>(c) + "'", kUnexpected);
    } else {
      static constexpr char digits[] = "0123456789ABCDEF";
      report(std::string("unexpected character U+00") + digits[c >> 4] + digits[c & 0xF],
             kUnexpected);
    }
    return pos + 1;
  }

  size_t non_ascii(size_t pos) {
    char32_t cp = 0;
    const int len = decode_multibyte(b_ + pos, b_ + n_, cp);
    if (len == 0) {
      // The position cursor reports the byte when it passes it.
      add(TokenKind::unknown, pos, pos + 1);
      return pos + 1;
    }
    if (is_unicode_space(cp)) return pos + static_cast<size_t>(len);
    return ident(pos);
  }

  size_t ident(size_t pos) {
    const size_t end = eat_ident_rest(pos + std::max<size_t>(id_start_len(pos), 1));
    const std::string_view word = src_.substr(pos, end - pos);
    TokenKind kind = TokenKind::ident;
    if (word == "_")
      kind = TokenKind::punct;
    else if (is_keyword(word))
      kind = TokenKind::keyword;
    add(kind, pos, end);
    return end;
  }

  size_t line_comment(size_t pos) {
    const void* nl = std::memchr(b_ + pos, '\n', n_ - pos);
    const size_t end = nl ? static_cast<size_t>(static_cast<const unsigned char*>(nl) - b_) : n_;
    size_t text_end = end;
    if (nl && text_end > pos && b_[text_end - 1] == '\r') --text_end;
    TokenKind kind = TokenKind::line_comment;
    if (at(pos + 2) == '!')
      kind = TokenKind::doc_comment_inner;
    else if (at(pos + 2) == '/' && at(pos + 3) != '/')
      kind = TokenKind::doc_comment_outer;
    add(kind, pos, text_end);
    return end;
  }

  size_t block_comment(size_t pos) {
    TokenKind kind = TokenKind::block_comment;
    if (at(pos + 2) == '!')
      kind = TokenKind::doc_comment_inner;
    else if (at(pos + 2) == '*' && at(pos + 3) != '*' && at(pos + 3) != '/')
      kind = TokenKind::doc_comment_outer;
    int depth = 1;
    size_t i = pos + 2;
    while (i < n_) {
      const unsigned char c = b_[i];
      if (c == '/' && at(i + 1) == '*') {
        ++depth;
        i += 2;
      } else if (c == '*' && at(i + 1) == '/') {
        i += 2;
        if (--depth == 0) {
          add(kind, pos, i);
          return i;
        }
      } else {
        ++i;
      }
    }
    add(kind, pos, n_);
    report("unterminated block comment");
    return n_;
  }

  size_t double_quoted(size_t start, size_t i, TokenKind kind, const char* unterminated) {
    while (i < n_) {
      const unsigned char c = b_[i];
      if (c == '"') {
        const size_t end = eat_suffix(i + 1);
        add(kind, start, end);
        return end;
      }
      i += c == '\\' ? 2 : 1;
    }
    add(kind, start, n_);
    report(unterminated);
    return n_;
  }

  // `i` is just after the `r`. Returns 0 when the hashes are not followed by a quote, so the
  // caller lexes an identifier instead.
  size_t raw_string(size_t start, size_t i, TokenKind kind, const char* unterminated) {
    size_t hashes = 0;
    while (i < n_ && b_[i] == '#') {
      ++hashes;
      ++i;
    }
    if (at(i) != '"') return 0;
    ++i;
    while (i < n_) {
      const void* q = std::memchr(b_ + i, '"', n_ - i);
      if (!q) break;
      const size_t quote = static_cast<size_t>(static_cast<const unsigned char*>(q) - b_);
      size_t k = 0;
      while (k < hashes && quote + 1 + k < n_ && b_[quote + 1 + k] == '#')
        ++k;
      if (k == hashes) {
        const size_t end = eat_suffix(quote + 1 + hashes);
        add(kind, start, end);
        return end;
      }
      i = quote + 1;
    }
    add(kind, start, n_);
    report(unterminated);
    return n_;
  }

  // rustc_lexer's single_quoted_string: `i` is the first byte after the opening quote.
  // Returns the end of the literal and whether the closing quote was found.
  std::pair<size_t, bool> single_quoted(size_t i) const {
    if (i < n_ && b_[i] != '\\') {
      char32_t cp = 0;
      const size_t len = b_[i] < 0x80 ? 1 : std::max(decode_multibyte(b_ + i, b_ + n_, cp), 1);
      if (at(i + len) == '\'') return {i + len + 1, true};
    }
    while (i < n_) {
      const unsigned char c = b_[i];
      if (c == '\'') return {i + 1, true};
      if (c == '/') break; // probably a comment after an unclosed quote
      if (c == '\n' && at(i + 1) != '\'') break;
      i += c == '\\' ? 2 : 1;
    }
    return {std::min(i, n_), false};
  }

  size_t char_or_lifetime(size_t pos) {
    const size_t first = pos + 1;
    size_t first_len = 1;
    bool can_be_lifetime = false;
    if (first < n_) {
      const size_t id_len = id_start_len(first);
      first_len = id_len ? id_len : 1;
      can_be_lifetime =
          at(first + first_len) != '\'' && (id_len > 0 || has_class(b_[first], kDigit));
    }
    if (!can_be_lifetime) {
      auto [end, terminated] = single_quoted(first);
      if (terminated) end = eat_suffix(end);
      add(TokenKind::char_lit, pos, end);
      if (!terminated) report("unterminated character literal");
      return end;
    }
    if (b_[first] == 'r' && at(first + 1) == '#') {
      if (const size_t len = id_start_len(first + 2)) {
        const size_t end = eat_ident_rest(first + 2 + len);
        add(TokenKind::lifetime, pos, end);
        return end;
      }
    }
    const size_t end = eat_ident_rest(first + first_len);
    if (at(end) == '\'') {
      const size_t lit_end = eat_suffix(end + 1);
      add(TokenKind::char_lit, pos, lit_end);
      return lit_end;
    }
    add(TokenKind::lifetime, pos, end);
    return end;
  }

  size_t byte_literal(size_t pos) {
    auto [end, terminated] = single_quoted(pos + 2);
    if (terminated) end = eat_suffix(end);
    add(TokenKind::byte_lit, pos, end);
    if (!terminated) report("unterminated byte literal");
    return end;
  }

  // Eats digits and underscores of a class; true when at least one digit was seen.
  bool eat_digits(size_t& i, std::uint8_t cls) const {
    bool any = false;
    while (i < n_ && (has_class(b_[i], cls) || b_[i] == '_')) {
      any = any || b_[i] != '_';
      ++i;
    }
    return any;
  }

  bool eat_exponent(size_t& i) const {
    if (at(i) == '-' || at(i) == '+') ++i;
    return eat_digits(i, kDigit);
  }

  size_t number(size_t pos) {
    size_t i = pos + 1;
    bool decimal = true;
    bool no_digits = false;
    bool is_float = false;
    bool empty_exponent = false;
    bool check_fraction = true;
    if (b_[pos] == '0') {
      const unsigned char base = at(i);
      if (base == 'b' || base == 'o' || base == 'x') {
        decimal = false;
        ++i;
        no_digits = !eat_digits(i, base == 'x' ? kHexDigit : kDigit);
        check_fraction = !no_digits;
      } else if (has_class(base, kDigit) || base == '_') {
        eat_digits(i, kDigit);
      } else if (base != '.' && base != 'e' && base != 'E') {
        check_fraction = false;
      }
    } else {
      eat_digits(i, kDigit);
    }
    if (check_fraction) {
      const unsigned char c = at(i);
      if (c == '.' && at(i + 1) != '.' && id_start_len(i + 1) == 0) {
        // `1.` is a float, but `1..2` is a range and `1.max(2)` a method call.
        ++i;
        is_float = true;
        if (has_class(at(i), kDigit)) {
          eat_digits(i, kDigit);
          if (at(i) == 'e' || at(i) == 'E') {
            ++i;
            empty_exponent = !eat_exponent(i);
          }
        }
      } else if (c == 'e' || c == 'E') {
        ++i;
        is_float = true;
        empty_exponent = !eat_exponent(i);
      }
    }
    const size_t suffix_start = i;
    const size_t end = eat_suffix(i);
    const std::string_view suffix = src_.substr(suffix_start, end - suffix_start);
    if (decimal && (suffix == "f32" || suffix == "f64")) is_float = true;
    add(is_float ? TokenKind::float_ : TokenKind::integer, pos, end);
    if (no_digits) report("no digits in number literal");
    if (empty_exponent) report("expected at least one digit in exponent");
    return end;
  }

  size_t punct(size_t pos) {
    const unsigned char c1 = at(pos + 1);
    const unsigned char c2 = at(pos + 2);
    size_t len = 1;
    switch (b_[pos]) {
    case ':':
      len = c1 == ':' ? 2 : 1;
      break;
    case '-':
    case '=':
      len = c1 == '>' || c1 == '=' ? 2 : 1;
      break;
    case '<':
    case '>':
      if (c1 == b_[pos])
        len = c2 == '=' ? 3 : 2;
      else if (c1 == '=')
        len = 2;
      break;
    case '&':
    case '|':
      len = c1 == b_[pos] || c1 == '=' ? 2 : 1;
      break;
    case '!':
    case '+':
    case '*':
    case '/':
    case '%':
    case '^':
      len = c1 == '=' ? 2 : 1;
      break;
    case '.':
      if (c1 == '.') len = c2 == '.' || c2 == '=' ? 3 : 2;
      break;
    default:
      break;
    }
    add(TokenKind::punct, pos, pos + len);
    return pos + len;
  }

  std::string_view src_;
  const unsigned char* b_;
  size_t n_;
  size_t walk_ = 0;
  int line_ = 1;
  int column_ = 1;
  int last_line_ = 0; // of the token added last
  int last_column_ = 0;
  Sink& sink_;
  std::vector<LexDiagnostic>& diagnostics_;
  std::size_t& more_;
  Repeated repeated_[3] = {{"invalid UTF-8 byte", "invalid UTF-8 bytes"},
                           {"NUL byte", "NUL bytes"},
                           {"unexpected character", "unexpected characters"}};
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

} // namespace

LexResult lex(std::string_view source) {
  // Every token, as a Token viewing into the source.
  class Keep final : public Sink {
  public:
    Keep(std::string_view source, std::vector<Token>& tokens) : source_(source), tokens_(tokens) {}
    void token(TokenKind kind, size_t start, size_t end, int line, int column) override {
      tokens_.push_back({kind, source_.substr(start, end - start), line, column});
    }

  private:
    std::string_view source_;
    std::vector<Token>& tokens_;
  };
  LexResult out;
  out.tokens.reserve(source.size() / 5 + 16);
  Keep keep(source, out.tokens);
  Lexer(source, keep, out.diagnostics, out.more_diagnostics).run();
  return out;
}

// A new mark after this many tokens, or after this many bytes: position() then walks at most
// this far, whatever the tokens between (a long string literal, a long comment).
constexpr std::uint32_t kMarkTokens = 32;
constexpr std::size_t kMarkBytes = 4096;

static_assert(static_cast<unsigned>(TokenKind::unknown) < (1u << 5), "a kind fits 5 bits");

Token CodeTokens::operator[](std::size_t i) const {
  const std::uint16_t meta = meta_[i];
  std::size_t size = meta >> kKindBits;
  if (size == kLongSize) {
    auto it = std::lower_bound(long_.begin(), long_.end(), i,
                               [](const std::pair<std::uint32_t, std::uint32_t>& e, std::size_t k) {
                                 return e.first < k;
                               });
    size = it->second;
  }
  const auto kind = static_cast<TokenKind>(meta & ((1u << kKindBits) - 1));
  return Token{kind, source_.substr(offsets_[i], size), 0, 0};
}

std::pair<int, int> CodeTokens::position(std::size_t i) const {
  if (i >= offsets_.size()) return {0, 0};
  // marks_ starts with token 0, so some mark is at or before i.
  auto mark = std::upper_bound(marks_.begin(), marks_.end(), i,
                               [](std::size_t k, const Mark& m) { return k < m.token; });
  --mark;
  Mark from = *mark;
  if (last_.line > 0 && last_.token <= i && last_.token >= from.token) from = last_;
  int line = from.line;
  int column = from.column;
  advance(reinterpret_cast<const unsigned char*>(source_.data()), source_.size(),
          offsets_[from.token], offsets_[i], line, column, [](int, int, unsigned char) {});
  last_ = Mark{static_cast<std::uint32_t>(i), line, column};
  return {line, column};
}

void CodeTokens::reserve(std::size_t n) {
  offsets_.reserve(n);
  meta_.reserve(n);
}

void CodeTokens::push_back(TokenKind kind, std::size_t offset, std::size_t size, int line,
                           int column) {
  const auto index = static_cast<std::uint32_t>(offsets_.size());
  if (marks_.empty() || index - marks_.back().token >= kMarkTokens ||
      offset - offsets_[marks_.back().token] > kMarkBytes)
    marks_.push_back({index, line, column});
  offsets_.push_back(static_cast<std::uint32_t>(offset));
  if (size >= kLongSize) long_.emplace_back(index, static_cast<std::uint32_t>(size));
  const auto stored = static_cast<std::uint16_t>(std::min<std::size_t>(size, kLongSize));
  meta_.push_back(static_cast<std::uint16_t>(stored << kKindBits | static_cast<unsigned>(kind)));
}

CodeLexResult lex_code(std::string_view source,
                       const std::function<void(const Token&)>& on_comment) {
  // Code tokens into CodeTokens, comments to the caller.
  class Compact final : public Sink {
  public:
    Compact(std::string_view source, CodeTokens& tokens,
            const std::function<void(const Token&)>& on_comment)
        : source_(source), tokens_(tokens), on_comment_(on_comment) {}
    void token(TokenKind kind, size_t start, size_t end, int line, int column) override {
      if (!is_comment(kind)) {
        tokens_.push_back(kind, start, end - start, line, column);
      } else if (on_comment_) {
        on_comment_(Token{kind, source_.substr(start, end - start), line, column});
      }
    }

  private:
    std::string_view source_;
    CodeTokens& tokens_;
    const std::function<void(const Token&)>& on_comment_;
  };
  if (source.size() > UINT32_MAX) source = source.substr(0, UINT32_MAX);
  CodeLexResult out{CodeTokens(source), {}, 0};
  // A token is at least one byte. The room is address space only until tokens fill it, and
  // it spares the copy a growing array makes (which would hold the old and the new at once).
  out.tokens.reserve(source.size());
  Compact compact(source, out.tokens, on_comment);
  Lexer(source, compact, out.diagnostics, out.more_diagnostics).run();
  return out;
}

std::string unescape_string(const Token& token, std::string* error) {
  std::string out;
  std::string first_error;
  auto fail = [&](std::string message) {
    if (first_error.empty()) first_error = std::move(message);
  };
  auto finish = [&]() {
    if (error) *error = first_error;
    return out;
  };

  const std::string_view t = token.text;
  size_t prefix = 0;
  bool raw = false;
  bool bytes = false; // `\x80`..`\xFF` are raw bytes
  bool unicode_allowed = true;
  char quote = '"';
  switch (token.kind) {
  case TokenKind::string:
    break;
  case TokenKind::char_lit:
    quote = '\'';
    break;
  case TokenKind::byte_lit:
    quote = '\'';
    prefix = 1;
    bytes = true;
    unicode_allowed = false;
    break;
  case TokenKind::byte_string:
    prefix = 1;
    bytes = true;
    unicode_allowed = false;
    break;
  case TokenKind::c_string:
    prefix = 1;
    bytes = true;
    break;
  case TokenKind::raw_string:
    prefix = 1;
    raw = true;
    break;
  case TokenKind::raw_byte_string:
  case TokenKind::raw_c_string:
    prefix = 2;
    raw = true;
    break;
  default:
    fail("not a string literal");
    return finish();
  }

  size_t i = prefix;
  size_t hashes = 0;
  if (raw) {
    while (i < t.size() && t[i] == '#') {
      ++hashes;
      ++i;
    }
  }
  if (i >= t.size() || t[i] != quote) {
    fail("unterminated literal");
    return finish();
  }
  ++i;
  out.reserve(t.size() - i);

  if (raw) {
    for (;;) {
      if (i >= t.size()) {
        fail("unterminated literal");
        return finish();
      }
      if (t[i] == '"') {
        size_t k = 0;
        while (k < hashes && i + 1 + k < t.size() && t[i + 1 + k] == '#')
          ++k;
        if (k == hashes) return finish();
      }
      if (!(t[i] == '\r' && i + 1 < t.size() && t[i + 1] == '\n')) out += t[i];
      ++i;
    }
  }

  while (i < t.size()) {
    const char c = t[i];
    if (c == quote) return finish();
    if (c == '\r' && i + 1 < t.size() && t[i + 1] == '\n') {
      ++i;
      continue;
    }
    if (c != '\\') {
      out += c;
      ++i;
      continue;
    }
    if (i + 1 >= t.size()) break;
    const char e = t[i + 1];
    i += 2;
    switch (e) {
    case 'n':
      out += '\n';
      break;
    case 'r':
      out += '\r';
      break;
    case 't':
      out += '\t';
      break;
    case '\\':
    case '\'':
    case '"':
      out += e;
      break;
    case '0':
      out += '\0';
      break;
    case '\r':
    case '\n':
      // Line continuation: the break and all whitespace after it are not part of the value.
      while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        ++i;
      break;
    case 'x': {
      const int hi = i < t.size() ? hex_value(t[i]) : -1;
      const int lo = i + 1 < t.size() ? hex_value(t[i + 1]) : -1;
      if (hi < 0 || lo < 0) {
        fail("invalid hex escape");
        out += "\\x";
        break;
      }
      i += 2;
      const int value = hi * 16 + lo;
      if (bytes) {
        out += static_cast<char>(value);
      } else {
        if (value > 0x7F) fail("out of range hex escape");
        append_utf8(out, static_cast<char32_t>(value));
      }
      break;
    }
    case 'u': {
      char32_t cp = 0;
      int digits = 0;
      bool ok = i < t.size() && t[i] == '{';
      size_t j = i + 1;
      while (ok && j < t.size() && t[j] != '}') {
        const int v = hex_value(t[j]);
        if (t[j] == '_' && digits > 0) {
          ++j;
          continue;
        }
        if (v < 0 || ++digits > 6) {
          ok = false;
          break;
        }
        cp = cp * 16 + static_cast<char32_t>(v);
        ++j;
      }
      ok = ok && j < t.size() && digits > 0 && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
      if (!ok) {
        fail("invalid unicode escape");
        out += "\\u";
        break;
      }
      if (!unicode_allowed) fail("unicode escape in byte string");
      append_utf8(out, cp);
      i = j + 1;
      break;
    }
    default:
      fail(std::string("unknown character escape '\\") + e + "'");
      out += '\\';
      out += e;
      break;
    }
  }
  fail("unterminated literal");
  return finish();
}

std::string_view ident_name(const Token& token) {
  if (token.kind == TokenKind::raw_ident && token.text.size() > 2) return token.text.substr(2);
  return token.text;
}

bool is_comment(TokenKind kind) {
  return kind == TokenKind::line_comment || kind == TokenKind::block_comment ||
         kind == TokenKind::doc_comment_outer || kind == TokenKind::doc_comment_inner;
}

std::string_view token_kind_name(TokenKind kind) {
  switch (kind) {
  case TokenKind::ident:
    return "ident";
  case TokenKind::raw_ident:
    return "raw_ident";
  case TokenKind::keyword:
    return "keyword";
  case TokenKind::lifetime:
    return "lifetime";
  case TokenKind::string:
    return "string";
  case TokenKind::raw_string:
    return "raw_string";
  case TokenKind::byte_string:
    return "byte_string";
  case TokenKind::raw_byte_string:
    return "raw_byte_string";
  case TokenKind::c_string:
    return "c_string";
  case TokenKind::raw_c_string:
    return "raw_c_string";
  case TokenKind::char_lit:
    return "char";
  case TokenKind::byte_lit:
    return "byte";
  case TokenKind::integer:
    return "integer";
  case TokenKind::float_:
    return "float";
  case TokenKind::punct:
    return "punct";
  case TokenKind::line_comment:
    return "line_comment";
  case TokenKind::block_comment:
    return "block_comment";
  case TokenKind::doc_comment_outer:
    return "doc_comment_outer";
  case TokenKind::doc_comment_inner:
    return "doc_comment_inner";
  case TokenKind::unknown:
    return "unknown";
  }
  return "unknown";
}

} // namespace otelaudit::rust
