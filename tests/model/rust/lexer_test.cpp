#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "model/rust/lexer.h"

using namespace otelaudit::rust;

namespace {

// One line per token: `kind text line:column`, so a failing check shows the whole stream.
std::string render(const LexResult& result) {
  std::string out;
  for (const Token& t : result.tokens) {
    out += std::string(token_kind_name(t.kind)) + " " + std::string(t.text) + " " +
           std::to_string(t.line) + ":" + std::to_string(t.column) + "\n";
  }
  return out;
}

std::string render(std::string_view source) {
  const LexResult result = lex(source);
  CHECK(result.diagnostics.empty());
  return render(result);
}

std::string render_diagnostics(const LexResult& result) {
  std::string out;
  for (const LexDiagnostic& d : result.diagnostics)
    out += std::to_string(d.line) + ":" + std::to_string(d.column) + " " + d.message + "\n";
  return out;
}

std::string kinds(std::string_view source) {
  std::string out;
  for (const Token& t : lex(source).tokens) {
    if (!out.empty()) out += ' ';
    out += token_kind_name(t.kind);
  }
  return out;
}

std::string texts(std::string_view source) {
  std::string out;
  for (const Token& t : lex(source).tokens) {
    if (!out.empty()) out += ' ';
    out += t.text;
  }
  return out;
}

std::string unescape(std::string_view source, std::string* error = nullptr) {
  const LexResult result = lex(source);
  REQUIRE(result.tokens.size() == 1);
  return unescape_string(result.tokens[0], error);
}

// Tokens must be non-empty, in order, inside the source and not overlapping; positions must
// never move backwards. Checked on every input of the robustness tests.
void check_invariants(std::string_view source, const LexResult& result) {
  size_t last_end = 0;
  int last_line = 0;
  int last_column = 0;
  for (const Token& t : result.tokens) {
    REQUIRE(!t.text.empty());
    REQUIRE(t.text.data() >= source.data());
    const auto start = static_cast<size_t>(t.text.data() - source.data());
    REQUIRE(start >= last_end);
    REQUIRE(start + t.text.size() <= source.size());
    // Between tokens there is only whitespace (before the first one also a BOM or shebang).
    if (&t != &result.tokens.front()) {
      for (size_t i = last_end; i < start; ++i) {
        const auto c = static_cast<unsigned char>(source[i]);
        CAPTURE(i);
        REQUIRE((c >= 0x80 || c == ' ' || (c >= '\t' && c <= '\r')));
      }
    }
    last_end = start + t.text.size();
    REQUIRE(t.line >= 1);
    REQUIRE(t.column >= 1);
    REQUIRE((t.line > last_line || (t.line == last_line && t.column > last_column)));
    last_line = t.line;
    last_column = t.column;
  }
  for (const LexDiagnostic& d : result.diagnostics) {
    REQUIRE(d.line >= 1);
    REQUIRE(d.column >= 1);
    REQUIRE(!d.message.empty());
  }
}

// lex_code() must give lex()'s code tokens, texts and positions, hand it the comments and
// meet the same problems.
void check_compact(std::string_view source) {
  const LexResult all = lex(source);
  std::vector<Token> comments;
  const CodeLexResult code = lex_code(source, [&](const Token& t) { comments.push_back(t); });
  std::size_t k = 0, c = 0;
  for (const Token& t : all.tokens) {
    if (is_comment(t.kind)) {
      REQUIRE(c < comments.size());
      const Token& seen = comments[c++];
      CHECK((seen.kind == t.kind && seen.text.data() == t.text.data() &&
             seen.text.size() == t.text.size() && seen.line == t.line && seen.column == t.column));
      continue;
    }
    REQUIRE(k < code.tokens.size());
    const Token kept = code.tokens[k];
    const auto [line, column] = code.tokens.position(k);
    CAPTURE(k);
    CHECK(kept.kind == t.kind);
    CHECK(kept.text.data() == t.text.data());
    CHECK(kept.text.size() == t.text.size());
    CHECK(line == t.line);
    CHECK(column == t.column);
    ++k;
  }
  CHECK(k == code.tokens.size());
  CHECK(c == comments.size());
  CHECK(code.diagnostics == all.diagnostics);
}

} // namespace

TEST_CASE("rust lexer: lex_code keeps the code tokens compactly, with lex()'s positions") {
  // Tokens longer than the 16-bit layout holds, positions kept every 32 tokens and after
  // every 4 KiB (here a long comment and a long string), CRLF, multi-byte text and invalid
  // bytes between kept positions.
  std::string source = "\xEF\xBB\xBF// head\r\nfn f() {\r\n";
  for (int i = 0; i < 100; ++i)
    source += "a" + std::to_string(i) + (i % 7 ? " + " : " +\r\n");
  source += "/* " + std::string(5000, 'x') + "\n ä \xFF */ x\n";
  source += "let s = \"" + std::string(3000, 'y') + "\"; let t = r#\"" + std::string(70000, 'z') +
            "\"#;\n";
  for (int i = 0; i < 200; ++i)
    source += "é\xFF;";
  source += "\n}\n";
  check_compact(source);
  const CodeLexResult code = lex_code(source);
  CHECK(code.tokens.size() == 817);
  CHECK(code.tokens[209].text.size() == 3002);
  CHECK(code.tokens[214].text.size() == 70005);
  CHECK(code.tokens.position(code.tokens.size()) == std::pair{0, 0}); // past the end
  CHECK(lex_code("").tokens.size() == 0);
}

TEST_CASE("rust lexer: every token kind") {
  CHECK(render("r#type 'a \"s\" r\"raw\" b\"bs\" br\"rbs\" c\"cs\" cr\"rcs\" 'c' b'x' 12 1.5 "
               "fn foo ; // line\n/* block */ /// outer\n//! inner\n") ==
        "raw_ident r#type 1:1\n"
        "lifetime 'a 1:8\n"
        "string \"s\" 1:11\n"
        "raw_string r\"raw\" 1:15\n"
        "byte_string b\"bs\" 1:22\n"
        "raw_byte_string br\"rbs\" 1:28\n"
        "c_string c\"cs\" 1:36\n"
        "raw_c_string cr\"rcs\" 1:42\n"
        "char 'c' 1:50\n"
        "byte b'x' 1:54\n"
        "integer 12 1:59\n"
        "float 1.5 1:62\n"
        "keyword fn 1:66\n"
        "ident foo 1:69\n"
        "punct ; 1:73\n"
        "line_comment // line 1:75\n"
        "block_comment /* block */ 2:1\n"
        "doc_comment_outer /// outer 2:13\n"
        "doc_comment_inner //! inner 3:1\n");
  const LexResult bad = lex("\\");
  CHECK(render(bad) == "unknown \\ 1:1\n");
}

TEST_CASE("rust lexer: keywords, identifiers and the lone underscore") {
  CHECK(kinds("use self crate super Self dyn async await union macro_rules gen _ _x x_1") ==
        "keyword keyword keyword keyword keyword keyword keyword keyword ident ident ident punct "
        "ident ident");
  CHECK(kinds("größe ä_1 日本") == "ident ident ident");
  CHECK(texts("größe+ä_1") == "größe + ä_1");
  const LexResult r = lex("r#type r#match");
  REQUIRE(r.tokens.size() == 2);
  CHECK(ident_name(r.tokens[0]) == "type");
  CHECK(ident_name(r.tokens[1]) == "match");
  CHECK(ident_name(lex("plain").tokens.at(0)) == "plain");
}

TEST_CASE("rust lexer: nested block comments") {
  CHECK(render("/* a /* b */ c */ x") == "block_comment /* a /* b */ c */ 1:1\nident x 1:19\n");
  CHECK(render("/* 1 /* 2 /* 3 */ 2 */ 1 */+") ==
        "block_comment /* 1 /* 2 /* 3 */ 2 */ 1 */ 1:1\npunct + 1:28\n");
  // `*/` inside a line comment inside a block comment still closes it, as in rustc.
  CHECK(texts("/* // */ y") == "/* // */ y");
  CHECK(texts("/*/ x */ z") == "/*/ x */ z");
}

TEST_CASE("rust lexer: doc comment kinds") {
  CHECK(kinds("/// a\n") == "doc_comment_outer");
  CHECK(kinds("///\n") == "doc_comment_outer");
  CHECK(kinds("//// a\n") == "line_comment");
  CHECK(kinds("//! a\n") == "doc_comment_inner");
  CHECK(kinds("// a\n") == "line_comment");
  CHECK(kinds("/** a */") == "doc_comment_outer");
  CHECK(kinds("/**/") == "block_comment");
  CHECK(kinds("/*** a */") == "block_comment");
  CHECK(kinds("/*! a */") == "doc_comment_inner");
  CHECK(kinds("/*!*/") == "doc_comment_inner");
  CHECK(kinds("/* a */") == "block_comment");
  CHECK(texts("/// a\r\nfn") == "/// a fn");
}

TEST_CASE("rust lexer: raw strings with zero to three hashes") {
  CHECK(render("r\"a\\\" b") == "raw_string r\"a\\\" 1:1\nident b 1:7\n");
  CHECK(render("r#\"say \"hi\"\"# x") == "raw_string r#\"say \"hi\"\"# 1:1\nident x 1:15\n");
  CHECK(render("r##\"a \"# b\"##;") == "raw_string r##\"a \"# b\"## 1:1\npunct ; 1:14\n");
  CHECK(render("r###\"\"## \"#\"###.") == "raw_string r###\"\"## \"#\"### 1:1\npunct . 1:16\n");
  CHECK(render("br#\"\"\"#") == "raw_byte_string br#\"\"\"# 1:1\n");
  CHECK(render("cr##\"x\"#\"##") == "raw_c_string cr##\"x\"#\"## 1:1\n");
  // Hashes not followed by a quote: an identifier and punctuation, not a string.
  CHECK(render("r #x") == "ident r 1:1\npunct # 1:3\nident x 1:4\n");
  CHECK(render("r##x") == "ident r 1:1\npunct # 1:2\npunct # 1:3\nident x 1:4\n");
  CHECK(unescape("r##\"a \"# b\"##") == "a \"# b");
}

TEST_CASE("rust lexer: lifetimes versus character literals") {
  CHECK(render("fn f<'a>(x: &'a str) -> char { 'a' }") == "keyword fn 1:1\n"
                                                          "ident f 1:4\n"
                                                          "punct < 1:5\n"
                                                          "lifetime 'a 1:6\n"
                                                          "punct > 1:8\n"
                                                          "punct ( 1:9\n"
                                                          "ident x 1:10\n"
                                                          "punct : 1:11\n"
                                                          "punct & 1:13\n"
                                                          "lifetime 'a 1:14\n"
                                                          "ident str 1:17\n"
                                                          "punct ) 1:20\n"
                                                          "punct -> 1:22\n"
                                                          "ident char 1:25\n"
                                                          "punct { 1:30\n"
                                                          "char 'a' 1:32\n"
                                                          "punct } 1:36\n");
  CHECK(kinds("'static '_ 'outer: 'r#a") == "lifetime lifetime lifetime punct lifetime");
  CHECK(texts("'\\n' '\\'' '\\\\' '\\u{1F600}' 'ä' ' ' '\"'") ==
        "'\\n' '\\'' '\\\\' '\\u{1F600}' 'ä' ' ' '\"'");
  CHECK(kinds("'\\n' '\\'' '\\\\' '\\u{1F600}' 'ä' ' ' '\"'") ==
        "char char char char char char char");
  CHECK(render("b'x' b'\\'' b'\\x7F'") == "byte b'x' 1:1\nbyte b'\\'' 1:6\nbyte b'\\x7F' 1:12\n");
  CHECK(render("'äb") == "lifetime 'äb 1:1\n");
  CHECK(render("x='a';") == "ident x 1:1\npunct = 1:2\nchar 'a' 1:3\npunct ; 1:6\n");
}

TEST_CASE("rust lexer: numbers") {
  CHECK(render("0x1F 0o17 0b1010 1_000 1.5e-3 2f32 1u8 1e10 1E+5 0 7 1.0f64 0xffu32 1.") ==
        "integer 0x1F 1:1\n"
        "integer 0o17 1:6\n"
        "integer 0b1010 1:11\n"
        "integer 1_000 1:18\n"
        "float 1.5e-3 1:24\n"
        "float 2f32 1:31\n"
        "integer 1u8 1:36\n"
        "float 1e10 1:40\n"
        "float 1E+5 1:45\n"
        "integer 0 1:50\n"
        "integer 7 1:52\n"
        "float 1.0f64 1:54\n"
        "integer 0xffu32 1:61\n"
        "float 1. 1:69\n");
  CHECK(render("1..2") == "integer 1 1:1\npunct .. 1:2\ninteger 2 1:4\n");
  CHECK(render("1..=2") == "integer 1 1:1\npunct ..= 1:2\ninteger 2 1:5\n");
  CHECK(render("1.max(2)") ==
        "integer 1 1:1\npunct . 1:2\nident max 1:3\npunct ( 1:6\ninteger 2 1:7\npunct ) 1:8\n");
  CHECK(render("x.0.1") == "ident x 1:1\npunct . 1:2\nfloat 0.1 1:3\n");
  CHECK(render("t.0 .1") ==
        "ident t 1:1\npunct . 1:2\ninteger 0 1:3\npunct . 1:5\ninteger 1 1:6\n");
}

TEST_CASE("rust lexer: punctuation takes the longest match") {
  CHECK(texts(":: -> => ..= ... .. == != <= >= && || += -= *= /= %= ^= &= |= <<= >>= << >> # ! "
              "@ ~ ? $ : ; , . = < > - & | + * / ^ %") ==
        ":: -> => ..= ... .. == != <= >= && || += -= *= /= %= ^= &= |= <<= >>= << >> # ! @ ~ "
        "? $ : ; , . = < > - & | + * / ^ %");
  CHECK(texts("a::b::<T>()") == "a :: b :: < T > ( )");
  CHECK(texts("#[derive(Debug)]") == "# [ derive ( Debug ) ]");
  CHECK(texts("#![allow(dead_code)]") == "# ! [ allow ( dead_code ) ]");
  // `$` is valid in macro_rules bodies.
  const LexResult r = lex("macro_rules! m { ($x:expr) => { $crate::f($x) }; }");
  CHECK(r.diagnostics.empty());
  CHECK(r.tokens.size() == 23);
  CHECK(r.tokens[5].text == "$");
  CHECK(r.tokens[5].kind == TokenKind::punct);
}

TEST_CASE("rust lexer: strings, escapes and suffixes stay one token") {
  CHECK(render(R"(let a = "x\"y\\"; f("\n"))") == "keyword let 1:1\n"
                                                  "ident a 1:5\n"
                                                  "punct = 1:7\n"
                                                  "string \"x\\\"y\\\\\" 1:9\n"
                                                  "punct ; 1:17\n"
                                                  "ident f 1:19\n"
                                                  "punct ( 1:20\n"
                                                  "string \"\\n\" 1:21\n"
                                                  "punct ) 1:25\n");
  // A string may span lines; the next token's line counts the breaks inside it.
  CHECK(render("\"a\nb\" c") == "string \"a\nb\" 1:1\nident c 2:4\n");
  CHECK(render("\"a\"suffix 'b'x") == "string \"a\"suffix 1:1\nchar 'b'x 1:11\n");
  // A comment marker inside a string is text, and a quote inside a comment is comment.
  CHECK(kinds("\"// not a comment\" // \"not a string\"") == "string line_comment");
}

TEST_CASE("rust lexer: columns count characters after multi-byte text") {
  CHECK(render("let s = \"ä\"; let t = 1;") == "keyword let 1:1\n"
                                               "ident s 1:5\n"
                                               "punct = 1:7\n"
                                               "string \"ä\" 1:9\n"
                                               "punct ; 1:12\n"
                                               "keyword let 1:14\n"
                                               "ident t 1:18\n"
                                               "punct = 1:20\n"
                                               "integer 1 1:22\n"
                                               "punct ; 1:23\n");
  CHECK(render("/* 😀日本 */ x") == "block_comment /* 😀日本 */ 1:1\nident x 1:11\n");
}

TEST_CASE("rust lexer: CRLF line ends") {
  CHECK(render("fn a() {}\r\n// c\r\n\r\nlet x = \"a\r\nb\";\r\n") == "keyword fn 1:1\n"
                                                                      "ident a 1:4\n"
                                                                      "punct ( 1:5\n"
                                                                      "punct ) 1:6\n"
                                                                      "punct { 1:8\n"
                                                                      "punct } 1:9\n"
                                                                      "line_comment // c 2:1\n"
                                                                      "keyword let 4:1\n"
                                                                      "ident x 4:5\n"
                                                                      "punct = 4:7\n"
                                                                      "string \"a\r\nb\" 4:9\n"
                                                                      "punct ; 5:3\n");
  // A lone CR is whitespace that takes a column, not a line break.
  CHECK(render("a\rb") == "ident a 1:1\nident b 1:3\n");
}

TEST_CASE("rust lexer: BOM and shebang") {
  CHECK(render("\xEF\xBB\xBF"
               "fn main") == "keyword fn 1:1\nident main 1:4\n");
  CHECK(render("#!/usr/bin/env run-cargo-script\nfn main") == "keyword fn 2:1\nident main 2:4\n");
  CHECK(render("\xEF\xBB\xBF#!/usr/bin/env run-cargo-script\r\nx") == "ident x 2:1\n");
  CHECK(texts("#![no_std]") == "# ! [ no_std ]");
  CHECK(texts("#! // c\n [attr]") == "# ! // c [ attr ]");
  CHECK(texts("#!\n/* a */ [x]") == "# ! /* a */ [ x ]");
  // A BOM anywhere else is an ordinary character.
  CHECK(render("x \xEF\xBB\xBF") == "ident x 1:1\nident \xEF\xBB\xBF 1:3\n");
}

TEST_CASE("rust lexer: malformed input gives positioned diagnostics") {
  struct Case {
    std::string source;
    std::string tokens;
    std::string diagnostics;
  };
  const std::vector<Case> cases = {
      {"a\n  /* x /* y */", "ident a 1:1\nblock_comment /* x /* y */ 2:3\n",
       "2:3 unterminated block comment\n"},
      {"x = \"abc", "ident x 1:1\npunct = 1:3\nstring \"abc 1:5\n",
       "1:5 unterminated string literal\n"},
      {"b\"ab", "byte_string b\"ab 1:1\n", "1:1 unterminated byte string literal\n"},
      {"c\"ab", "c_string c\"ab 1:1\n", "1:1 unterminated C string literal\n"},
      {"ä r##\"a\"# b", "ident ä 1:1\nraw_string r##\"a\"# b 1:3\n",
       "1:3 unterminated raw string literal\n"},
      {"br\"a", "raw_byte_string br\"a 1:1\n", "1:1 unterminated raw byte string literal\n"},
      {"cr#\"a\"", "raw_c_string cr#\"a\" 1:1\n", "1:1 unterminated raw C string literal\n"},
      {"f(' ', '\\n\nx",
       "ident f 1:1\npunct ( 1:2\nchar ' ' 1:3\npunct , 1:6\nchar '\\n 1:8\n"
       "ident x 2:1\n",
       "1:8 unterminated character literal\n"},
      {"'", "char ' 1:1\n", "1:1 unterminated character literal\n"},
      {"' // c", "char '  1:1\nline_comment // c 1:3\n", "1:1 unterminated character literal\n"},
      {"b'", "byte b' 1:1\n", "1:1 unterminated byte literal\n"},
      {"a\xFF"
       "b",
       "ident a 1:1\nunknown \xFF 1:2\nident b 1:3\n", "1:2 invalid UTF-8 byte 0xFF\n"},
      {"// \xC3\n\"\x80\xE4\xB8\" x",
       "line_comment // \xC3 1:1\nstring \"\x80\xE4\xB8\" 2:1\nident x 2:7\n",
       "1:4 invalid UTF-8 byte 0xC3 (and 3 more invalid UTF-8 bytes in this file)\n"},
      {"\xED\xA0\x80", "unknown \xED 1:1\nunknown \xA0 1:2\nunknown \x80 1:3\n",
       "1:1 invalid UTF-8 byte 0xED (and 2 more invalid UTF-8 bytes in this file)\n"},
      {std::string("a\0b", 3),
       "ident a 1:1\nunknown " + std::string(1, '\0') + " 1:2\nident b 1:3\n", "1:2 NUL byte\n"},
      {"x \\ y", "ident x 1:1\nunknown \\ 1:3\nident y 1:5\n", "1:3 unexpected character '\\'\n"},
      {"`a`", "unknown ` 1:1\nident a 1:2\nunknown ` 1:3\n",
       "1:1 unexpected character '`' (and 1 more unexpected character in this file)\n"},
      {"\x07", "unknown \x07 1:1\n", "1:1 unexpected character U+0007\n"},
      {"0x 1e 2.5e+", "integer 0x 1:1\nfloat 1e 1:4\nfloat 2.5e+ 1:7\n",
       "1:1 no digits in number literal\n1:4 expected at least one digit in exponent\n"
       "1:7 expected at least one digit in exponent\n"},
      {"a\r\n\"x", "ident a 1:1\nstring \"x 2:1\n", "2:1 unterminated string literal\n"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.source);
    const LexResult result = lex(c.source);
    CHECK(render(result) == c.tokens);
    CHECK(render_diagnostics(result) == c.diagnostics);
  }
}

TEST_CASE("rust lexer: binary and mangled text gives one diagnostic per kind, not one per byte") {
  // A file of NUL bytes gave one diagnostic per byte: 16 million for 16 MiB, about 1 GB.
  const std::string nul(100000, '\0');
  LexResult result = lex(nul);
  CHECK(render_diagnostics(result) == "1:1 NUL byte (and 99999 more NUL bytes in this file)\n");
  CHECK(result.more_diagnostics == 0);
  CHECK(result.tokens.size() == 100000); // still one unknown token per byte, as rustc sees it

  const std::string mixed = "fn a() {}\n\xFF\xFE x \x07\x07 `" + std::string(3, '\0') + "\xC3";
  result = lex(mixed);
  CHECK(render_diagnostics(result) ==
        "2:1 invalid UTF-8 byte 0xFF (and 2 more invalid UTF-8 bytes in this file)\n"
        "2:6 unexpected character U+0007 (and 2 more unexpected characters in this file)\n"
        "2:10 NUL byte (and 2 more NUL bytes in this file)\n");
  CHECK(lex_code(mixed).diagnostics == result.diagnostics);
}

TEST_CASE("rust lexer: at most kMaxLexDiagnostics are kept, the others are counted") {
  std::string source;
  for (int i = 0; i < 5000; ++i)
    source += "0x ";
  const LexResult result = lex(source);
  REQUIRE(result.diagnostics.size() == kMaxLexDiagnostics);
  CHECK(result.diagnostics.front() == LexDiagnostic{1, 1, "no digits in number literal"});
  CHECK(result.diagnostics.back() == LexDiagnostic{1, 298, "no digits in number literal"});
  CHECK(result.more_diagnostics == 5000 - kMaxLexDiagnostics);
  const CodeLexResult code = lex_code(source);
  CHECK(code.diagnostics == result.diagnostics);
  CHECK(code.more_diagnostics == result.more_diagnostics);
}

TEST_CASE("rust lexer: every prefix of a tricky sample and random bytes lex safely") {
  const std::string sample =
      "\xEF\xBB\xBF#!/bin/x\n#![doc = r##\"a\"#\"##]\r\n/* /* */ /** */ //! d\n"
      "fn f<'a, 'b: 'a>(s: &'a str) -> Option<char> { let c = '\\u{1F600}'; let d = 'ä';\n"
      "let e = b'\\''; let r#type = br#\"x\"#; let n = 0x1F_u8 + 1..=2; x.0.1; 1.5e-3f64;\n"
      "let s = \"a\\\n   b\\\"\"; c\"z\" cr\"z\" '\\x7F' $x \\ \xFF " +
      std::string(1, '\0') + " ` 1e 0b 'static 'r#x";
  for (size_t len = 0; len <= sample.size(); ++len) {
    const std::string_view prefix(sample.data(), len);
    const LexResult result = lex(prefix);
    check_invariants(prefix, result);
    check_compact(prefix);
    for (const Token& t : result.tokens)
      (void)unescape_string(t);
  }
  std::mt19937 rng(20240611);
  const std::string alphabet = "'\"#r/*!\\\nbcx0._e{}u\xC3\xA4\xFF\r" + std::string(1, '\0');
  for (int round = 0; round < 2000; ++round) {
    std::string input;
    const int size = static_cast<int>(rng() % 40);
    for (int i = 0; i < size; ++i) {
      // Half the bytes from a grammar-heavy alphabet, half fully random.
      input += rng() % 2 ? alphabet[rng() % alphabet.size()] : static_cast<char>(rng() % 256);
    }
    CAPTURE(input);
    const LexResult result = lex(input);
    check_invariants(input, result);
    check_compact(input);
    for (const Token& t : result.tokens)
      (void)unescape_string(t);
  }
}

TEST_CASE("rust lexer: unescape_string decodes every escape form") {
  std::string error;
  CHECK(unescape(R"("a\nb\tc\rd\\e\"f\'g\0h")", &error) ==
        std::string("a\nb\tc\rd\\e\"f'g\0h", 15));
  CHECK(error.empty());
  CHECK(unescape(R"("\x41\x7F")") == "A\x7F");
  CHECK(unescape(R"("\u{1F600}\u{e4}\u{1F_600}")") == "😀ä😀");
  CHECK(unescape("\"a\\\n    b\\\r\n\t c\"") == "abc");
  CHECK(unescape("\"x\r\ny\"") == "x\ny");
  CHECK(unescape("r#\"a\\n\"#") == "a\\n");
  CHECK(unescape("r\"\"") == "");
  CHECK(unescape("r\"a\r\nb\"") == "a\nb");
  CHECK(unescape(R"(b"\xFF\x00a")") == std::string("\xFF\0a", 3));
  CHECK(unescape(R"(br"\xFF")") == "\\xFF");
  CHECK(unescape(R"(c"\xFF\u{e4}")") == "\xFF\xC3\xA4");
  CHECK(unescape(R"(cr#"\""#)") == "\\\"");
  CHECK(unescape(R"('\'')") == "'");
  CHECK(unescape(R"('\u{1F600}')") == "😀");
  CHECK(unescape("'ä'") == "ä");
  CHECK(unescape(R"(b'\x7F')") == "\x7F");
  CHECK(unescape(R"("service.name"suffix)") == "service.name");

  struct Bad {
    std::string source;
    std::string value;
    std::string error;
  };
  const std::vector<Bad> bad = {
      {R"("\q")", "\\q", "unknown character escape '\\q'"},
      {R"("\xZ1")", "\\xZ1", "invalid hex escape"},
      {R"("\x80")", "\xC2\x80", "out of range hex escape"},
      {R"("\u{110000}")", "\\u{110000}", "invalid unicode escape"},
      {R"("\u{D800}")", "\\u{D800}", "invalid unicode escape"},
      {R"("\u{}")", "\\u{}", "invalid unicode escape"},
      {R"("\u{1234567}")", "\\u{1234567}", "invalid unicode escape"},
      {R"("\u41")", "\\u41", "invalid unicode escape"},
      {R"(b"\u{41}")", "A", "unicode escape in byte string"},
      {"\"abc", "abc", "unterminated literal"},
      {"r#\"abc", "abc", "unterminated literal"},
  };
  for (const Bad& b : bad) {
    CAPTURE(b.source);
    CHECK(unescape(b.source, &error) == b.value);
    CHECK(error == b.error);
  }
  const Token ident = lex("name").tokens.at(0);
  CHECK(unescape_string(ident, &error) == "");
  CHECK(error == "not a string literal");
}

TEST_CASE("rust lexer: comment kinds are recognised as comments") {
  CHECK(is_comment(TokenKind::line_comment));
  CHECK(is_comment(TokenKind::block_comment));
  CHECK(is_comment(TokenKind::doc_comment_outer));
  CHECK(is_comment(TokenKind::doc_comment_inner));
  CHECK_FALSE(is_comment(TokenKind::string));
  CHECK_FALSE(is_comment(TokenKind::punct));
}

TEST_CASE("rust lexer: string literals of realistic telemetry setup code") {
  const std::string source =
      R"rs(//! Telemetry setup. Not a call: KeyValue::new("service.name", "in-doc")
use opentelemetry::{global, KeyValue};
/* commented out:
   let r = Resource::new(vec![KeyValue::new("service.name", "old")]); /* nested */
*/
pub fn init() {
    let endpoint = std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT").unwrap_or_else(|_| r#"http://"localhost":4317"#.into());
    let resource = Resource::new(vec![KeyValue::new("service.name", "checkout\u{2D}api")]);
}
)rs";
  const LexResult result = lex(source);
  CHECK(result.diagnostics.empty());
  std::vector<std::string> strings;
  for (const Token& t : result.tokens) {
    if (t.kind == TokenKind::string || t.kind == TokenKind::raw_string)
      strings.push_back(std::to_string(t.line) + ":" + std::to_string(t.column) + " " +
                        unescape_string(t));
  }
  CHECK(strings == std::vector<std::string>{"7:34 OTEL_EXPORTER_OTLP_ENDPOINT",
                                            "7:84 http://\"localhost\":4317", "8:53 service.name",
                                            "8:69 checkout-api"});
  CHECK(result.tokens.front().kind == TokenKind::doc_comment_inner);
  CHECK(result.tokens[10].kind == TokenKind::block_comment);
  CHECK(result.tokens[10].line == 3);
  CHECK(result.tokens[11].text == "pub");
  CHECK(result.tokens[11].line == 6);
}
