#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// A hand-written lexer for Rust source text. It follows rustc_lexer's token rules closely
// enough that source facts (paths, literal arguments, env var names) are found where rustc
// would see them, and never inside comments or string literals. Untrusted input never
// crashes, throws or hangs: malformed text is tokenised as far as possible and each problem
// is reported once with its exact line and column.

namespace otelaudit::rust {

/// The category of a lexed token; literal kinds keep their prefix, quotes and suffix in the text.
enum class TokenKind : std::uint8_t {
  ident,             // `foo`, `ä`, `_x`; a lone `_` is punct, as in the Rust reference
  raw_ident,         // `r#type`; ident_name() gives `type`
  keyword,           // strict and reserved keywords of the 2018+ editions (`fn`, `self`, `dyn`)
  lifetime,          // `'a`, `'static`, `'_`, loop labels, `'r#a`
  string,            // "..."
  raw_string,        // r"...", r#"..."#
  byte_string,       // b"..."
  raw_byte_string,   // br"...", br#"..."#
  c_string,          // c"..."
  raw_c_string,      // cr"...", cr#"..."#
  char_lit,          // 'a', '\n', 'ä'
  byte_lit,          // b'a'
  integer,           // 1, 0x1F, 1_000u8
  float_,            // 1.5e-3, 1., 2f32, 1e3
  punct,             // longest match: `::` `->` `=>` `..=` `...` `<<=` ...; `#` and `!` separately
  line_comment,      // `// ...` and `//// ...`; text excludes the line break
  block_comment,     // `/* ... */` (nested), `/**/`, `/*** ... */`
  doc_comment_outer, // `/// ...`, `/** ... */`
  doc_comment_inner, // `//! ...`, `/*! ... */`
  unknown,           // a byte that starts no token: `\`, a backtick, NUL, invalid UTF-8
};

/// One token: a zero-copy view into the lexed source plus its 1-based start position
/// (columns count UTF-8 code points; an invalid byte counts as one column).
struct Token {
  TokenKind kind = TokenKind::unknown;
  std::string_view text;
  int line = 0;
  int column = 0;
};

/// A problem in the lexed text, at the line and column where it starts (same counting as Token).
struct LexDiagnostic {
  int line = 0;
  int column = 0;
  std::string message;

  friend bool operator==(const LexDiagnostic&, const LexDiagnostic&) = default;
};

/// All tokens of one source text (comments included) and the problems met, both in source order.
struct LexResult {
  std::vector<Token> tokens;
  std::vector<LexDiagnostic> diagnostics; // at most kMaxLexDiagnostics
  std::size_t more_diagnostics = 0;       // problems met past those, counted, not kept
};

/// The most diagnostics a lex keeps: a hostile file must not make them cost memory per byte.
inline constexpr std::size_t kMaxLexDiagnostics = 100;

/// Lexes a whole Rust source text. The tokens view into `source`, which must outlive them.
/// A UTF-8 BOM at the start is skipped without shifting columns; a shebang line
/// (`#!` at the start, not followed by `[`) is skipped. Diagnostic messages:
///   "unterminated block comment", "unterminated string literal",
///   "unterminated byte string literal", "unterminated C string literal",
///   "unterminated raw string literal", "unterminated raw byte string literal",
///   "unterminated raw C string literal", "unterminated character literal",
///   "unterminated byte literal", "invalid UTF-8 byte 0xFF", "NUL byte",
///   "unexpected character '\'" (printable ASCII) or "unexpected character U+0007",
///   "no digits in number literal", "expected at least one digit in exponent".
/// Invalid UTF-8 bytes, NUL bytes and unexpected characters are each reported once, where the
/// first one is, with the count of the others: "NUL byte (and 41 more NUL bytes in this file)".
/// `$` is an ordinary punct token: it is valid Rust in every macro_rules body. `>>`, `&&` and
/// `||` are single tokens as in the Rust reference, so a reader of generics splits `>>`.
LexResult lex(std::string_view source);

/// The code tokens of one source text (comments left out) in about 6 bytes each instead of a
/// Token's 32, for readers that walk a whole large file: the offset of each token, its kind
/// and length in 16 bits (longer tokens in a side table), and the position of every 32nd
/// token (and of any token more than 4 KiB after the last one kept). Other positions are
/// recomputed from the nearest kept one, over at most 4 KiB of text. A 16 MiB file of `;`
/// costs about 100 MB this way, 864 MB as a vector of Token.
class CodeTokens {
public:
  explicit CodeTokens(std::string_view source = {}) : source_(source) {}

  std::size_t size() const { return offsets_.size(); }
  /// The kind and text of token i; its line and column are left 0 (see position()).
  Token operator[](std::size_t i) const;
  /// The 1-based line and column of token i, as lex() gives them.
  std::pair<int, int> position(std::size_t i) const;

  /// Room for `n` tokens, so that appending them never copies the ones kept (a copy would
  /// hold both arrays at once).
  void reserve(std::size_t n);
  /// Appends the token [offset, offset + size) of the source, at the position lex() gives it.
  /// Tokens come in source order; offsets and sizes below 2^32.
  void push_back(TokenKind kind, std::size_t offset, std::size_t size, int line, int column);

private:
  struct Mark {
    std::uint32_t token = 0;
    int line = 0;
    int column = 0;
  };
  static constexpr unsigned kKindBits = 5;
  static constexpr std::uint16_t kLongSize = 0xFFFF >> kKindBits; // size in long_

  std::string_view source_;
  std::vector<std::uint32_t> offsets_;
  std::vector<std::uint16_t> meta_; // kind in the low kKindBits, the size above
  std::vector<std::pair<std::uint32_t, std::uint32_t>> long_; // token → size, by token
  std::vector<Mark> marks_;
  // The last position computed: the extractor asks in source order, so the next one is mostly
  // a few bytes further. One walker per object (it is not shared between threads).
  mutable Mark last_{0, 0, 0};
};

/// The code tokens of one source text and the problems met (the same as lex() meets).
struct CodeLexResult {
  CodeTokens tokens;
  std::vector<LexDiagnostic> diagnostics;
  std::size_t more_diagnostics = 0;
};

/// Lexes like lex() but keeps only the code tokens, compactly; `on_comment`, when given, sees
/// each comment token (with its position) as it is met. The tokens view into `source`, which
/// must outlive them. Of a source over 4 GiB - 1 bytes, only that many are lexed.
CodeLexResult lex_code(std::string_view source,
                       const std::function<void(const Token&)>& on_comment = nullptr);

/// The value of a string, byte string, C string (raw or not), char or byte literal token,
/// with escapes decoded (`\n \r \t \\ \0 \' \" \x7F \u{1F600}`, backslash-newline skipping
/// the following whitespace) and CRLF line breaks read as LF, as rustc does. Byte and C
/// string `\x80`..`\xFF` escapes give raw bytes. On a malformed literal the best-effort
/// value is returned and, if `error` is given, the first problem is written to it (else it
/// is cleared): "not a string literal", "unterminated literal", "unknown character escape
/// '\q'", "invalid hex escape", "out of range hex escape", "invalid unicode escape",
/// "unicode escape in byte string".
std::string unescape_string(const Token& token, std::string* error = nullptr);

/// The identifier a raw_ident or ident token names (`r#type` gives `type`).
std::string_view ident_name(const Token& token);

/// True for every comment kind, doc comments included (most rules skip them).
bool is_comment(TokenKind kind);

/// A stable lower-case name for a kind, for tests and debug output: the enumerator's name,
/// except `char`, `byte` and `float` for char_lit, byte_lit and float_.
std::string_view token_kind_name(TokenKind kind);

} // namespace otelaudit::rust
