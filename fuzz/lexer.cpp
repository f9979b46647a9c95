// libFuzzer target: the Rust lexer (lex) and the literal decoder (unescape_string on each
// literal token).
#include "fuzz_common.h"
#include "model/rust/lexer.h"

using namespace otelaudit;
using namespace otelaudit::rust;

namespace {

bool is_literal(TokenKind k) {
  switch (k) {
  case TokenKind::string:
  case TokenKind::raw_string:
  case TokenKind::byte_string:
  case TokenKind::raw_byte_string:
  case TokenKind::c_string:
  case TokenKind::raw_c_string:
  case TokenKind::char_lit:
  case TokenKind::byte_lit:
    return true;
  default:
    return false;
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view source = fuzz::as_text(data, size);
  LexResult r = lex(source);
  const char* end_of_previous = source.data();
  for (const Token& t : r.tokens) {
    // Tokens are views into the source, in order, never overlapping.
    fuzz::check(t.text.data() >= end_of_previous, "tokens overlap or go backwards");
    fuzz::check(t.text.data() + t.text.size() <= source.data() + source.size(),
                "token ends past the source");
    fuzz::check(!t.text.empty(), "empty token");
    fuzz::check(t.line >= 1 && t.column >= 1, "token position is 1-based");
    end_of_previous = t.text.data() + t.text.size();
    (void)token_kind_name(t.kind);
    if (is_literal(t.kind)) {
      std::string error;
      (void)unescape_string(t, &error);
    } else if (t.kind == TokenKind::ident || t.kind == TokenKind::raw_ident) {
      fuzz::check(!ident_name(t).empty(), "identifier without a name");
    }
  }
  for (const LexDiagnostic& d : r.diagnostics)
    fuzz::check(d.line >= 1 && d.column >= 1 && !d.message.empty(), "diagnostic position");
  return 0;
}
