#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/rust/lexer.h"

// Source facts: what the rules need to know about one .rs file, extracted in one pass over its
// tokens and kept instead of the tokens (a million lines of tokens would not fit the memory
// budget; their facts do). Comments and doc comments never produce facts, except the
// `otel-audit: allow(...)` suppressions, which are read from ordinary line comments.

namespace otelaudit::rust {

/// A position in the file (1-based line and column in characters).
struct Pos {
  int line = 0;
  int column = 0;
};

/// A `mod` item. The inline modules around it are its parent's chain: an index, not a copy of
/// their names, so that deep nesting costs memory linear in the number of modules.
struct ModDecl {
  std::string name;                     // r#type → "type"
  bool inline_body = false;             // `mod x { … }`
  std::optional<std::string> path_attr; // `#[path = "…"]` on it
  bool cfg_test = false;                // `#[cfg(test)]` on it
  int parent = -1; // index in FileFacts::mods of the enclosing inline module; -1: none
  Pos pos;         // of the name
};

/// A path written in code, or one leaf of a `use` tree: `opentelemetry_otlp::new_pipeline`.
struct PathRef {
  std::vector<std::string> segments; // leading `::` dropped; `use a::{b, c::d}` gives a::b, a::c::d
  bool in_use = false;               // from a `use` declaration
  bool glob = false;                 // `use a::*` (segments are ["a"])
  bool extern_crate = false;         // `extern crate x [as y]` (segments are ["x"])
  std::string alias;                 // `as y`; empty when none
  bool in_test = false;              // inside #[cfg(test)] / #[test] code
  bool quoted = false; // inside a macro_rules! body or a quote!{…}: code another crate compiles
  Pos pos;             // of the first segment
  Pos last_pos; // of the last segment as written: a `use` leaf's own token (`d` of `a::{b::d}`)
};

/// One top-level argument of a call.
struct Arg {
  bool literal = false; // one string literal (raw/byte strings included), alone or made owned:
                        // `"x".to_string()`, `"x".into()`, `"x".to_owned()`, `String::from("x")`
  std::string value;    // the literal's value (unescaped) when `literal`
  std::string text;     // the argument's source text, whitespace collapsed, at most 120 chars
  Pos pos;              // of the argument's first token
};

/// A call: `path::to::f(args)`, a method call `.name(args)`, or a macro `name!(args)`.
struct Call {
  std::string callee;    // "KeyValue::new", "with_service_name", "std::env::var", "info_span"
  bool method = false;   // `.name(…)`; callee is the method name
  bool macro = false;    // `name!(…)` / `name![…]` / `name!{…}`; callee without the `!`
  std::vector<Arg> args; // top-level, comma-separated
  bool in_test = false;
  bool quoted = false; // inside a macro_rules! body or a quote!{…} (as PathRef::quoted)
  int receiver = -1;   // a method: the index in FileFacts::calls of the call whose result it is
                       // called on (`a(…).b(…)`, `a(…)?.b(…)`); -1 when not such a chain
  Pos pos;             // of the callee's last segment
};

/// `field: <expr>` in a struct expression, when the value is a string literal (as Arg::literal).
struct FieldInit {
  std::string field;
  Arg value;
  bool in_test = false;
};

/// `const NAME: &str = "…";` or `static NAME: &str = "…";`
struct StringItem {
  std::string name;
  Arg value;
  bool in_test = false;
};

/// An attribute with its top-level `key = "value"` pairs: `#[instrument(name = "…")]`,
/// `#[path = "…"]`; the nested `fields(name = "…")` of #[instrument] gives none.
struct Attribute {
  std::string path;                                // "instrument", "tracing::instrument", "path"
  std::vector<std::pair<std::string, Arg>> values; // key → literal value
  bool inner = false;                              // `#![…]`
  bool in_test = false;
  bool quoted = false; // inside a macro_rules! body or a quote!{…} (as PathRef::quoted)
  Pos pos;
};

/// An inline suppression: `// otel-audit: allow(rule-id[, rule-id]) reason`.
struct Suppression {
  std::vector<std::string> rules;
  std::string reason;
  Pos pos; // of the comment
};

/// Everything the source rules read about one file.
struct FileFacts {
  std::vector<ModDecl> mods;
  std::vector<PathRef> paths;
  std::vector<Call> calls;
  std::vector<FieldInit> fields;
  std::vector<StringItem> items;
  std::vector<Attribute> attributes;
  std::vector<Arg> strings; // every string literal outside comments, in order
  std::vector<Suppression> suppressions;
  std::vector<std::pair<int, int>> test_lines; // [first, last] line ranges of #[cfg(test)] items
                                               // and #[test] functions
  std::vector<LexDiagnostic> lex_diagnostics;
  std::size_t lex_more = 0; // lexer problems past lex_diagnostics, counted, not kept
  int line_count = 0;
  // Why the file was not analysed, or only in part; empty when it was. `binary`: it holds a
  // NUL byte, so it is not Rust source text (rustc refuses it too) and is not lexed at all; a
  // file of NUL bytes would otherwise cost memory per byte for nothing. Else the extraction
  // failed (out of memory) and the facts are those found before.
  std::string not_analysed;
  bool binary = false;

  /// True when `line` lies in one of test_lines.
  bool in_test(int line) const;
};

/// Lexes `source` and extracts its facts in one pass. Never throws; malformed text gives the
/// facts of what could be read plus the lexer's diagnostics, binary text and a failure (an
/// allocation) say so in `not_analysed`, never silently.
FileFacts extract_facts(std::string_view source);

} // namespace otelaudit::rust
