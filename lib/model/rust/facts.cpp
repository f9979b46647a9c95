#include "model/rust/facts.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <unordered_set>
#include <utility>

#include "common/strings.h"
#include "common/suppression.h"

// One forward walk over the code tokens, kept compactly by lex_code(). Nesting is tracked with
// explicit, capped stacks (never recursion), so a file of a million `(` costs memory for kMaxDepth
// frames and a counter.

namespace otelaudit::rust {

bool FileFacts::in_test(int line) const {
  for (const auto& [first, last] : test_lines)
    if (line >= first && line <= last) return true;
  return false;
}

namespace {

// Frames above this depth are counted, not stored: their calls get no arguments and their
// braces no module or enum meaning. Real code stays far below it.
constexpr std::size_t kMaxDepth = 256;
constexpr std::size_t kMaxTextChars = 120;
// A turbofish longer than this is not a turbofish but a stray `<` in malformed text.
constexpr std::size_t kMaxGenericTokens = 4096;
// How far a const/static type may reach before its `=`.
constexpr std::size_t kMaxItemTypeTokens = 64;
// How many frames a mismatched closer may close at once; beyond that it is ignored as stray.
constexpr std::size_t kMaxMismatchPop = 8;

const Token kEnd{}; // stands for every position past the last token

bool is_string_kind(TokenKind k) {
  return k == TokenKind::string || k == TokenKind::raw_string || k == TokenKind::byte_string ||
         k == TokenKind::raw_byte_string || k == TokenKind::c_string ||
         k == TokenKind::raw_c_string;
}

bool is_punct(const Token& t, std::string_view s) {
  return t.kind == TokenKind::punct && t.text == s;
}
bool is_kw(const Token& t, std::string_view s) {
  return t.kind == TokenKind::keyword && t.text == s;
}
bool is_ident(const Token& t) {
  return t.kind == TokenKind::ident || t.kind == TokenKind::raw_ident;
}
// Path segments: identifiers and the path keywords, which rules filter themselves.
bool is_segment(const Token& t) {
  if (is_ident(t)) return true;
  return t.kind == TokenKind::keyword &&
         (t.text == "crate" || t.text == "self" || t.text == "super" || t.text == "Self");
}
std::string_view seg_name(const Token& t) {
  return is_ident(t) ? ident_name(t) : t.text;
}
bool is_opener(const Token& t) {
  return is_punct(t, "(") || is_punct(t, "[") || is_punct(t, "{");
}
bool is_closer(const Token& t) {
  return is_punct(t, ")") || is_punct(t, "]") || is_punct(t, "}");
}
char opener_for(std::string_view closer) {
  return closer == ")" ? '(' : closer == "]" ? '[' : '{';
}
Pos pos_of(const Token& t) {
  return Pos{t.line, t.column};
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Cuts `s` to at most kMaxTextChars code points without splitting one.
void truncate_chars(std::string& s) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (chars == kMaxTextChars) {
      s.resize(i);
      return;
    }
    ++chars;
  }
}

// `// otel-audit: allow(a, b) reason` → the suppression; anything else → nothing.
std::optional<Suppression> parse_suppression(const Token& t) {
  std::string_view s = t.text;
  while (!s.empty() && s.front() == '/')
    s.remove_prefix(1);
  std::optional<InlineAllow> allow = parse_allow(s);
  if (!allow) return std::nullopt;
  return Suppression{std::move(allow->rules), std::move(allow->reason), pos_of(t)};
}

// An open bracket of the walk.
struct Frame {
  char kind = '{';
  bool mod = false;       // body of an inline `mod x { … }`
  bool enum_body = false; // `Variant(…)` inside is a declaration, not a call
  long call = -1;         // index into FileFacts::calls whose arguments this bracket holds
  std::size_t arg_start = 0;
  bool quoted = false;                 // a macro_rules! body or quote!-like tokens, or inside one
  bool closure_params = false;         // between the bars of `|a, b|`: no comma ends an argument
  std::size_t after_params = SIZE_MAX; // the token after the closing bar
};

// Test code being walked: a #[cfg(test)] item, a #[test] function, or a `#![cfg(test)]` scope.
struct Region {
  std::size_t depth = 0;    // bracket depth at the item's first token
  bool block_ends = true;   // the item ends with its body's `}` (fn, mod, impl), not at `;`
  bool item_like = true;    // an item: its top-level commas (generics) do not end it
  bool whole_scope = false; // inner attribute: lasts until the enclosing bracket closes
  std::size_t index = 0;    // into FileFacts::test_lines
};

// The single walk over one file's code tokens, appending what it finds to a FileFacts.
class Extractor {
public:
  Extractor(const CodeTokens& code, FileFacts& facts) : code_(code), f_(facts) {}

  void run() {
    const std::size_t n = code_.size();
    std::size_t i = 0;
    while (i < n) {
      const Token t = code_[i];
      const bool attr_start =
          is_punct(t, "#") &&
          (is_punct(at(i + 1), "[") || (is_punct(at(i + 1), "!") && is_punct(at(i + 2), "[")));
      if (group_.active && !attr_start) start_item(i);
      if (attr_start) {
        i = attribute(i);
      } else if (is_kw(t, "use")) {
        i = use_decl(i);
      } else if (is_kw(t, "extern") && is_kw(at(i + 1), "crate")) {
        i = extern_crate(i);
      } else if (is_segment(t) || (is_punct(t, "::") && is_segment(at(i + 1)))) {
        i = path(i);
      } else {
        if (t.kind == TokenKind::keyword) {
          keyword(i);
        } else if (is_string_kind(t.kind)) {
          f_.strings.push_back(literal_arg(i));
        } else if (t.kind == TokenKind::punct) {
          punct(i);
        }
        ++i;
      }
    }
    finish();
  }

private:
  // Tokens by value: CodeTokens keeps no Token objects. Their line and column are 0; a
  // position is computed only for what is recorded, by pos_at().
  Token at(std::size_t i) const { return i < code_.size() ? code_[i] : kEnd; }
  Token before(std::size_t i) const { return i > 0 ? code_[i - 1] : kEnd; }
  Pos pos_at(std::size_t i) const {
    const auto [line, column] = code_.position(i);
    return Pos{line, column};
  }
  bool in_test() const { return !regions_.empty(); }
  Frame* top() { return depth_ > 0 && depth_ <= frames_.size() ? &frames_.back() : nullptr; }

  // The tokens [b, e) as one line of text: a space wherever the source had a gap.
  std::string text_of(std::size_t b, std::size_t e) const {
    std::string out;
    for (std::size_t k = b; k < e; ++k) {
      const Token t = code_[k];
      if (k > b) {
        const Token p = code_[k - 1];
        if (p.text.data() + p.text.size() != t.text.data()) out += ' ';
      }
      // Runs without white space are copied whole; a run of white space becomes one space.
      // Past kMaxTextChars * 4 bytes (enough for kMaxTextChars code points) nothing more is
      // kept, even of one huge token.
      const std::string_view text = t.text;
      std::size_t i = 0;
      while (i < text.size() && out.size() <= kMaxTextChars * 4) {
        std::size_t j = i;
        while (j < text.size() && !is_space(text[j]))
          ++j;
        out.append(text.data() + i, std::min(j - i, kMaxTextChars * 4 + 1));
        if (j < text.size()) {
          if (out.empty() || out.back() != ' ') out += ' ';
          ++j;
        }
        i = j;
      }
      if (out.size() > kMaxTextChars * 4) break;
    }
    truncate_chars(out);
    return out;
  }

  // A string literal at b, alone or made an owned string (`"x".to_string()`, `"x".into()`,
  // `"x".to_owned()`, `String::from("x")`): its value is as statically known as the literal.
  // Returns the literal's index and the index after the expression, or nothing.
  std::optional<std::pair<std::size_t, std::size_t>> string_value(std::size_t b) const {
    if (is_string_kind(at(b).kind)) {
      const Token m = at(b + 2);
      if (is_punct(at(b + 1), ".") && is_ident(m) &&
          (m.text == "to_string" || m.text == "into" || m.text == "to_owned") &&
          is_punct(at(b + 3), "(") && is_punct(at(b + 4), ")"))
        return std::pair{b, b + 5};
      return std::pair{b, b + 1};
    }
    if (is_ident(at(b)) && at(b).text == "String" && is_punct(at(b + 1), "::") &&
        is_ident(at(b + 2)) && at(b + 2).text == "from" && is_punct(at(b + 3), "(") &&
        is_string_kind(at(b + 4).kind) && is_punct(at(b + 5), ")"))
      return std::pair{b + 4, b + 6};
    return std::nullopt;
  }

  // The string literal token k as an argument.
  Arg literal_arg(std::size_t k) const {
    Arg a;
    a.literal = true;
    a.value = unescape_string(code_[k]);
    a.text = text_of(k, k + 1);
    a.pos = pos_at(k);
    return a;
  }

  // ---- brackets ----

  void push(std::size_t i, char kind) {
    ++depth_;
    if (depth_ > kMaxDepth) return;
    Frame fr;
    fr.kind = kind;
    fr.quoted = quoted() || opens_quoted(i);
    if (kind == '{' && i == mod_brace_) {
      fr.mod = true;
      mod_stack_.push_back(mod_brace_index_);
      mod_brace_ = SIZE_MAX;
    }
    if (kind == '{' && enum_depth_ == static_cast<long>(depth_ - 1)) {
      fr.enum_body = true;
      enum_depth_ = -1;
    }
    if (i == call_open_) {
      fr.call = call_index_;
      fr.arg_start = i + 1;
      call_open_ = SIZE_MAX;
    }
    frames_.push_back(fr);
  }

  // Whether the bracket at i holds tokens that another crate compiles: the body of
  // `macro_rules! name { … }` (its expansion is compiled where the macro is used) or the
  // argument of `quote!` and its kin (code a procedural macro or generator writes out).
  bool opens_quoted(std::size_t i) const {
    if (i >= 3 && is_ident(code_[i - 1]) && is_punct(code_[i - 2], "!") && is_ident(code_[i - 3]) &&
        code_[i - 3].text == "macro_rules")
      return true;
    if (i < 2 || !is_punct(code_[i - 1], "!") || !is_ident(code_[i - 2])) return false;
    const std::string_view name = code_[i - 2].text;
    return name == "quote" || name == "quote_spanned" || name == "parse_quote" ||
           name == "parse_quote_spanned";
  }

  bool quoted() const { return !frames_.empty() && frames_.back().quoted; }

  void finish_arg(const Frame& fr, std::size_t end) {
    if (fr.call < 0 || fr.arg_start >= end) return;
    Arg a;
    a.pos = pos_at(fr.arg_start);
    const auto literal = string_value(fr.arg_start);
    if (literal && literal->second == end) {
      a.literal = true;
      a.value = unescape_string(code_[literal->first]);
    }
    a.text = text_of(fr.arg_start, end);
    f_.calls[static_cast<std::size_t>(fr.call)].args.push_back(std::move(a));
  }

  // Pops the innermost frame at the closer `i` (or at the end of the tokens).
  void pop_one(std::size_t i) {
    if (depth_ <= frames_.size()) {
      const Frame fr = frames_.back();
      finish_arg(fr, i);
      last_closer_ = i;
      last_closed_call_ = fr.call;
      if (fr.mod && !mod_stack_.empty()) mod_stack_.pop_back();
      frames_.pop_back();
    }
    --depth_;
  }

  void close(std::size_t i) {
    if (depth_ == 0) return; // stray closer
    const char want = opener_for(code_[i].text);
    if (depth_ <= frames_.size()) {
      // A mismatched closer closes the nearest matching bracket, if it is close by.
      std::size_t pops = 0;
      bool found = false;
      for (std::size_t k = frames_.size(); k > 0 && pops < kMaxMismatchPop && !found; --k) {
        ++pops;
        found = frames_[k - 1].kind == want;
      }
      if (!found) return;
      while (pops-- > 0)
        pop_one(i);
    } else {
      pop_one(i);
    }
    // Test items that ended with this closer.
    while (!regions_.empty()) {
      const Region& r = regions_.back();
      if (depth_ < r.depth) {
        end_region(i > 0 ? pos_at(i - 1).line : 0);
      } else if (depth_ == r.depth && r.block_ends && !r.whole_scope && want == '{') {
        end_region(pos_at(i).line);
      } else {
        break;
      }
    }
  }

  void punct(std::size_t i) {
    const std::string_view s = code_[i].text;
    if (s == "{" || s == "(" || s == "[") {
      push(i, s[0]);
    } else if (s == "}" || s == ")" || s == "]") {
      close(i);
    } else if (s == ";") {
      enum_depth_ = -1;
      while (!regions_.empty() && regions_.back().depth == depth_ && !regions_.back().whole_scope)
        end_region(pos_at(i).line);
    } else if (s == "|") {
      // The bars of a closure's parameters open where an expression starts: first in the
      // argument, after `move` or `async`, or right after another closure's parameters
      // (`|a| |b, c| …`). Any other `|` is an operator or closes them. `||` is one token.
      if (Frame* fr = top(); fr && fr->call >= 0) {
        if (fr->closure_params) {
          fr->closure_params = false;
          fr->after_params = i + 1;
        } else if (i == fr->arg_start || i == fr->after_params || is_kw(before(i), "move") ||
                   is_kw(before(i), "async")) {
          fr->closure_params = true;
        }
      }
    } else if (s == ",") {
      if (Frame* fr = top(); fr && fr->call >= 0 && !fr->closure_params) {
        finish_arg(*fr, i);
        fr->arg_start = i + 1;
      }
      while (!regions_.empty() && regions_.back().depth == depth_ && !regions_.back().item_like &&
             !regions_.back().whole_scope)
        end_region(pos_at(i).line);
    }
  }

  // ---- test regions ----

  void open_region(int first_line, bool block_ends, bool item_like, bool whole_scope) {
    if (regions_.size() >= kMaxDepth) return; // already in test code, only the range is lost
    Region r;
    r.depth = depth_;
    r.block_ends = block_ends;
    r.item_like = item_like;
    r.whole_scope = whole_scope;
    r.index = f_.test_lines.size();
    f_.test_lines.emplace_back(first_line, first_line);
    regions_.push_back(r);
  }

  void end_region(int line) {
    auto& range = f_.test_lines[regions_.back().index];
    range.second = std::max(range.first, line);
    regions_.pop_back();
  }

  // ---- items and their attributes ----

  // The attributes written before the next item.
  struct Group {
    bool active = false;
    int first_line = 0;
    std::size_t first_attr = 0;
    std::size_t first_path = 0;
    bool test = false;
    bool cfg_test = false;
    std::optional<std::string> path_attr;
  };

  // The first token after a group of outer attributes: what item do they apply to?
  void start_item(std::size_t i) {
    Group g = std::move(group_);
    group_ = Group{};
    std::size_t k = i;
    if (is_kw(at(k), "pub")) {
      ++k;
      if (is_punct(at(k), "(")) {
        for (std::size_t m = k + 1; m < k + 8 && m < code_.size(); ++m) {
          if (is_punct(code_[m], ")")) {
            k = m + 1;
            break;
          }
        }
      }
    }
    while (true) {
      const Token t = at(k);
      if (is_kw(t, "unsafe") || is_kw(t, "async") || (is_ident(t) && t.text == "default")) {
        ++k;
      } else if (is_kw(t, "extern") && !is_kw(at(k + 1), "crate")) {
        ++k;
        if (is_string_kind(at(k).kind)) ++k;
      } else if (is_kw(t, "const") && (is_kw(at(k + 1), "fn") || is_kw(at(k + 1), "unsafe") ||
                                       is_kw(at(k + 1), "async") || is_kw(at(k + 1), "extern"))) {
        ++k;
      } else {
        break;
      }
    }
    const Token kw = at(k);
    if (is_kw(kw, "mod")) {
      item_mod_ = k;
      item_mod_path_ = std::move(g.path_attr);
      item_mod_cfg_test_ = g.cfg_test;
    }
    if (!(g.test || g.cfg_test)) return;
    const bool ends_at_semicolon = is_kw(kw, "const") || is_kw(kw, "static") || is_kw(kw, "let") ||
                                   is_kw(kw, "type") || is_kw(kw, "use");
    const bool item_like = kw.kind == TokenKind::keyword ||
                           (is_ident(kw) && (kw.text == "union" || kw.text == "macro_rules"));
    if (!in_test()) {
      for (std::size_t a = g.first_attr; a < f_.attributes.size(); ++a)
        f_.attributes[a].in_test = true;
      for (std::size_t p = g.first_path; p < f_.paths.size(); ++p)
        f_.paths[p].in_test = true;
    }
    open_region(g.first_line, !ends_at_semicolon, item_like, false);
  }

  // `#[…]` or `#![…]` at i; returns the index after it.
  std::size_t attribute(std::size_t i) {
    Attribute a;
    a.inner = is_punct(at(i + 1), "!");
    a.pos = pos_at(i);
    a.in_test = in_test();
    a.quoted = quoted();
    std::size_t k = i + (a.inner ? 3 : 2);
    const std::size_t first_attr = f_.attributes.size();
    const std::size_t first_path = f_.paths.size();

    segs_.clear();
    seg_at_.clear();
    if (is_punct(at(k), "::") && is_segment(at(k + 1))) ++k;
    while (is_segment(at(k))) {
      segs_.push_back(seg_name(code_[k]));
      seg_at_.push_back(k);
      ++k;
      if (!(is_punct(at(k), "::") && is_segment(at(k + 1)))) break;
      ++k;
    }
    a.path = join(segs_, "::");
    const bool cfg = a.path == "cfg";
    const bool test_fn = !a.inner && !segs_.empty() && segs_.back().ends_with("test");
    if (segs_.size() >= 2) add_path();

    // Body: the attribute's own `key = "literal"` pairs, those of `#[key = "…"]` and
    // `#[attr(key = "…")]`, not those nested in its arguments (`fields(name = "…")` of
    // #[instrument] names a field, not the span); in a cfg, whether `test` is required.
    std::size_t level = 1;     // brackets open, the attribute's `[` included
    std::size_t cfg_level = 0; // brackets open inside the cfg predicate
    std::uint64_t negated = 0; // bit d: bracket d belongs to `not(…)` or `any(…)`
    bool cfg_test = false;
    for (; k < code_.size(); ++k) {
      const Token t = code_[k];
      if (is_string_kind(t.kind)) {
        f_.strings.push_back(literal_arg(k));
      } else if (is_opener(t)) {
        ++level;
        ++cfg_level;
        const Token p = before(k);
        if (cfg_level < 64 && is_ident(p) && (p.text == "not" || p.text == "any"))
          negated |= std::uint64_t{1} << cfg_level;
      } else if (is_closer(t)) {
        if (cfg_level > 0) {
          if (cfg_level < 64) negated &= ~(std::uint64_t{1} << cfg_level);
          --cfg_level;
        }
        if (--level == 0) {
          ++k;
          break;
        }
      } else if (is_punct(t, ";")) {
        break; // malformed: an attribute never holds a `;`
      } else if (level <= 2 && is_punct(t, "=") && is_segment(before(k)) &&
                 is_string_kind(at(k + 1).kind)) {
        std::string key = level == 1 ? a.path : dotted_key(k);
        a.values.emplace_back(std::move(key), literal_arg(k + 1));
      } else if (cfg && is_ident(t) && t.text == "test" && negated == 0 && cfg_level < 64) {
        cfg_test = true;
      }
    }

    std::optional<std::string> path_attr;
    if (a.path == "path" && !a.values.empty()) path_attr = a.values.front().second.value;
    const int line = a.pos.line;
    if (!a.path.empty()) f_.attributes.push_back(std::move(a));

    if (is_punct(at(i + 1), "!")) {
      if (cfg_test) {
        if (!in_test()) {
          for (std::size_t x = first_attr; x < f_.attributes.size(); ++x)
            f_.attributes[x].in_test = true;
          for (std::size_t x = first_path; x < f_.paths.size(); ++x)
            f_.paths[x].in_test = true;
        }
        open_region(line, false, true, true);
      }
      return k;
    }
    if (!group_.active) {
      group_.active = true;
      group_.first_line = line;
      group_.first_attr = first_attr;
      group_.first_path = first_path;
    }
    group_.test |= test_fn;
    group_.cfg_test |= cfg_test;
    if (path_attr) group_.path_attr = std::move(path_attr);
    return k;
  }

  // The key before the `=` at k: `name`, or a dotted tracing field such as `otel.kind`.
  std::string dotted_key(std::size_t k) const {
    std::size_t b = k - 1;
    while (b >= 2 && is_punct(code_[b - 1], ".") && is_segment(code_[b - 2]))
      b -= 2;
    std::string key;
    for (std::size_t m = b; m < k; ++m)
      key += is_punct(code_[m], ".") ? "." : seg_name(code_[m]);
    return key;
  }

  void keyword(std::size_t i) {
    const std::string_view s = code_[i].text;
    if (s == "mod") {
      mod(i);
    } else if (s == "enum") {
      enum_depth_ = static_cast<long>(depth_);
    } else if (s == "const" || s == "static") {
      string_item(i);
    }
  }

  void mod(std::size_t i) {
    // A `mod` in a macro_rules! body or a quote!{…} declares a module of the crate the tokens
    // end up in, not of this one.
    if (quoted()) return;
    const Token name = at(i + 1);
    if (!is_ident(name)) return;
    const Token after = at(i + 2);
    const bool inline_body = is_punct(after, "{");
    if (!inline_body && !is_punct(after, ";")) return;
    ModDecl m;
    m.name = std::string(ident_name(name));
    m.inline_body = inline_body;
    if (item_mod_ == i) {
      m.path_attr = std::move(item_mod_path_);
      m.cfg_test = item_mod_cfg_test_;
    }
    // Beyond the depth cap a body's brace opens no frame: the innermost tracked module is the
    // parent of everything nested deeper.
    m.parent = mod_stack_.empty() ? -1 : mod_stack_.back();
    m.pos = pos_at(i + 1);
    if (inline_body) {
      mod_brace_ = i + 2;
      mod_brace_index_ = static_cast<int>(f_.mods.size());
    }
    f_.mods.push_back(std::move(m));
  }

  // `const NAME: T = "…";` / `static [mut] NAME: T = "…";` (only peeks; the walk goes on).
  void string_item(std::size_t i) {
    std::size_t k = i + 1;
    if (is_kw(at(k), "mut")) ++k;
    const Token name = at(k);
    if (!is_ident(name) || !is_punct(at(k + 1), ":")) return;
    std::size_t m = k + 2;
    for (; m < code_.size() && m < k + 2 + kMaxItemTypeTokens; ++m) {
      const Token t = code_[m];
      if (is_punct(t, "=")) break;
      if (is_punct(t, ";") || is_punct(t, "{") || is_punct(t, "}")) return;
    }
    if (!is_punct(at(m), "=") || !is_string_kind(at(m + 1).kind) || !is_punct(at(m + 2), ";"))
      return;
    StringItem item;
    item.name = std::string(ident_name(name));
    item.value = literal_arg(m + 1);
    item.in_test = in_test();
    f_.items.push_back(std::move(item));
  }

  // ---- paths, calls, fields ----

  // Index after the `>` closing the generic arguments opened at `lt`, or SIZE_MAX.
  std::size_t skip_generics(std::size_t lt) const {
    long angle = 0;
    long paren = 0;
    for (std::size_t m = lt; m < code_.size() && m - lt < kMaxGenericTokens; ++m) {
      const Token t = code_[m];
      if (t.kind != TokenKind::punct) continue;
      const std::string_view s = t.text;
      if (s == "<" || s == "<=") {
        ++angle;
      } else if (s == "<<" || s == "<<=") {
        angle += 2;
      } else if (s == ">" || s == ">=") {
        --angle;
      } else if (s == ">>" || s == ">>=") {
        angle -= 2;
      } else if (s == "(" || s == "[") {
        ++paren;
      } else if (s == ")" || s == "]") {
        if (--paren < 0) return SIZE_MAX;
      } else if (s == ";" || s == "{" || s == "}") {
        return SIZE_MAX;
      }
      if (angle <= 0) return m + 1;
    }
    return SIZE_MAX;
  }

  // Records the path in segs_ / seg_at_ as written code.
  void add_path() {
    PathRef p;
    for (auto s : segs_)
      p.segments.emplace_back(s);
    p.in_test = in_test();
    p.quoted = quoted();
    p.pos = pos_at(seg_at_.front());
    p.last_pos = pos_at(seg_at_.back());
    f_.paths.push_back(std::move(p));
  }

  // A maximal path starting at i; records it, what it is used for, and the paths inside its
  // turbofish arguments. Returns the index after it.
  std::size_t path(std::size_t i) {
    generics_.clear();
    const std::size_t end = outer_path(i);
    // After the outer path's call is set up: these scans reuse segs_.
    for (const auto& [b, e] : generics_)
      generic_paths(b, e);
    return end;
  }

  // The paths in the turbofish arguments [b, e) (`size_of::<opentelemetry_sdk::trace::Sampler>`).
  // They are types or constants, so they are recorded as paths only: never calls or fields,
  // and their commas separate no call argument. One linear scan, which also reaches nested
  // turbofish arguments: a path here ends at its own `::<`.
  void generic_paths(std::size_t b, std::size_t e) {
    std::size_t m = b;
    while (m < e) {
      std::size_t k = m;
      if (is_punct(code_[k], "::") && k + 1 < e && is_segment(code_[k + 1])) ++k;
      if (!is_segment(code_[k])) {
        ++m;
        continue;
      }
      segs_.clear();
      seg_at_.clear();
      while (k < e && is_segment(code_[k])) {
        segs_.push_back(seg_name(code_[k]));
        seg_at_.push_back(k);
        ++k;
        if (!(k + 1 < e && is_punct(code_[k], "::") && is_segment(code_[k + 1]))) break;
        ++k;
      }
      if (segs_.size() >= 2 ||
          (segs_.size() == 1 && !is_punct(code_[m], "::") && imported_.count(segs_[0])))
        add_path();
      m = k;
    }
  }

  // True when the one-segment path [i, k) names what a `use` of this file imported
  // (`TracerProvider` after `use opentelemetry_sdk::trace::TracerProvider;`) and is a use of
  // it: not a method or field after `.`, not a name being declared (`fn x`, `let x`, an enum
  // variant), not a field, parameter or binding before its `:`, not a macro variable `$x`.
  bool imported_use(std::size_t i, std::size_t k) {
    if (segs_.size() != 1 || is_punct(code_[i], "::") || !imported_.count(segs_[0])) return false;
    const Token prev = before(i);
    if (is_punct(prev, ".") || is_punct(prev, "$") || is_punct(at(k), ":")) return false;
    for (std::string_view kw :
         {"fn", "struct", "enum", "trait", "type", "mod", "const", "static", "let", "mut", "ref"})
      if (is_kw(prev, kw)) return false;
    if (is_ident(prev) && prev.text == "union") return false;
    if (is_punct(prev, "!") && i >= 2 && is_ident(code_[i - 2]) &&
        code_[i - 2].text == "macro_rules")
      return false;
    const bool variant = top() && top()->enum_body &&
                         (is_punct(prev, "{") || is_punct(prev, ",") || is_punct(prev, "]"));
    return !variant;
  }

  // The path a qualified path `<T as Trait>::f` / `<T>::f` is qualified by, when the `>` at
  // `gt` closes one: "Trait" (as written, `a::Trait`), else "T"; empty when it is none.
  std::string qualifier_of(std::size_t gt) const {
    long angle = 0;
    std::size_t lt = SIZE_MAX;
    for (std::size_t m = gt + 1; m-- > 0 && gt - m < kMaxGenericTokens;) {
      const Token t = code_[m];
      if (t.kind != TokenKind::punct) continue;
      const std::string_view s = t.text;
      if (s == ">")
        ++angle;
      else if (s == ">>")
        angle += 2;
      else if (s == "<")
        --angle;
      else if (s == "<<")
        angle -= 2;
      else if (s == ";" || s == "{" || s == "}")
        return {};
      if (angle == 0) {
        lt = m;
        break;
      }
      if (angle < 0) return {};
    }
    if (lt == SIZE_MAX) return {};
    // The trait after a top-level `as`, else the type: a path of segments.
    std::size_t from = lt + 1;
    long depth = 0;
    for (std::size_t m = lt + 1; m < gt; ++m) {
      if (is_punct(code_[m], "<")) ++depth;
      if (is_punct(code_[m], ">")) --depth;
      if (depth == 0 && is_kw(code_[m], "as")) from = m + 1;
    }
    std::string out;
    for (std::size_t m = from; m < gt; ++m) {
      if (is_punct(code_[m], "::")) continue;
      if (!is_segment(code_[m])) break;
      if (!out.empty()) out += "::";
      out += seg_name(code_[m]);
    }
    return out;
  }

  // The path of path(): its segments, skipping (and noting in generics_) turbofish arguments.
  std::size_t outer_path(std::size_t i) {
    segs_.clear();
    seg_at_.clear();
    qualifier_.clear();
    std::size_t k = i;
    if (is_punct(at(k), "::") && i > 0 &&
        (is_punct(code_[i - 1], ">") || is_punct(code_[i - 1], ">>")))
      qualifier_ = qualifier_of(i - 1);
    if (is_punct(at(k), "::")) ++k;
    bool turbofish = false;
    while (is_segment(at(k))) {
      segs_.push_back(seg_name(code_[k]));
      seg_at_.push_back(k);
      ++k;
      if (!is_punct(at(k), "::")) break;
      if (is_segment(at(k + 1))) {
        ++k;
        continue;
      }
      if (!is_punct(at(k + 1), "<")) break;
      const std::size_t g = skip_generics(k + 1);
      if (g == SIZE_MAX) break;
      turbofish = true;
      generics_.emplace_back(k + 2, g - 1); // between the `<` and the closing `>` (or `>>`)
      k = g;
      if (!(is_punct(at(k), "::") && is_segment(at(k + 1)))) break;
      ++k;
    }

    const Token prev = before(i);
    const bool method = is_punct(prev, ".") && segs_.size() == 1 && !is_punct(code_[i], "::");
    if ((segs_.size() >= 2 && !method) || imported_use(i, k)) add_path();

    const Token next = at(k);
    if (is_punct(next, "(")) {
      const bool single = segs_.size() == 1;
      const bool declaration =
          !method && (is_kw(prev, "fn") || is_kw(prev, "struct") || is_kw(prev, "enum") ||
                      (single && top() && top()->enum_body));
      const bool fn_sugar =
          single && (segs_[0] == "Fn" || segs_[0] == "FnMut" || segs_[0] == "FnOnce");
      if (!declaration && !fn_sugar) add_call(method, false, k);
      return k;
    }
    if (is_punct(next, "!") && !method &&
        (is_punct(at(k + 1), "(") || is_punct(at(k + 1), "[") || is_punct(at(k + 1), "{"))) {
      add_call(false, true, k + 1);
      return k + 1;
    }
    if (segs_.size() == 1 && !turbofish && !method && is_punct(next, ":") &&
        (is_punct(prev, "{") || is_punct(prev, ",")) && top() && top()->kind == '{') {
      const auto literal = string_value(k + 1);
      if (literal && (is_punct(at(literal->second), ",") || is_punct(at(literal->second), "}"))) {
        FieldInit fi;
        fi.field = std::string(segs_[0]);
        fi.value = literal_arg(literal->first);
        fi.in_test = in_test();
        f_.fields.push_back(std::move(fi));
      }
    }
    return k;
  }

  void add_call(bool method, bool macro, std::size_t open) {
    Call c;
    c.callee = join(segs_, "::");
    // `<T as Trait>::f(x)` calls Trait::f: the qualifier is the callee's path.
    if (!qualifier_.empty() && !method && !macro) c.callee = qualifier_ + "::" + c.callee;
    c.method = method;
    c.macro = macro;
    c.in_test = in_test();
    c.quoted = quoted();
    c.pos = pos_at(seg_at_.back());
    if (method) c.receiver = receiver_of(seg_at_.back());
    call_index_ = static_cast<long>(f_.calls.size());
    call_open_ = open;
    f_.calls.push_back(std::move(c));
  }

  // The call whose result the method named at `name` is called on: `a(…).name(…)` or
  // `a(…)?.name(…)`, when the `)` before the dot closed that call's arguments.
  int receiver_of(std::size_t name) const {
    if (name < 2 || !is_punct(code_[name - 1], ".")) return -1;
    std::size_t k = name - 2;
    if (is_punct(code_[k], "?") && k > 0) --k;
    if (k != last_closer_ || !is_punct(code_[k], ")") || last_closed_call_ < 0) return -1;
    return static_cast<int>(last_closed_call_);
  }

  // ---- use and extern crate ----

  void emit_use(bool glob, std::string_view alias) {
    std::size_t count = segs_.size();
    if (!glob && count > 1 && segs_.back() == "self") --count; // `a::{self}` names `a`
    if (count == 0) return;
    // Names imported by test code are in scope in test code only, which no rule judges.
    const std::string_view local = alias.empty() ? segs_[count - 1] : alias;
    if (!glob && local != "_" && local != "self" && !in_test()) imported_.insert(local);
    PathRef p;
    p.segments.reserve(count);
    for (std::size_t s = 0; s < count; ++s)
      p.segments.emplace_back(segs_[s]);
    p.in_use = true;
    p.glob = glob;
    p.alias = std::string(alias);
    p.in_test = in_test();
    p.quoted = quoted();
    p.pos = pos_at(seg_at_.front());
    p.last_pos = pos_at(seg_at_.back()); // the leaf, `self` included
    f_.paths.push_back(std::move(p));
  }

  // `use` tree at i, one PathRef per leaf; returns the index of its `;` (or where it broke).
  std::size_t use_decl(std::size_t i) {
    std::size_t k = i + 1;
    if (is_punct(at(k), "::")) ++k;
    segs_.clear();
    seg_at_.clear();
    groups_.clear();
    auto prefix = [this] { return groups_.empty() ? std::size_t{0} : groups_.back(); };
    auto cut = [this](std::size_t len) {
      segs_.resize(std::min(len, segs_.size()));
      seg_at_.resize(segs_.size());
    };
    while (k < code_.size()) {
      const Token t = code_[k];
      if (is_segment(t)) {
        segs_.push_back(seg_name(t));
        seg_at_.push_back(k);
        ++k;
        if (is_punct(at(k), "::")) {
          ++k;
          continue;
        }
        std::string_view alias;
        if (is_kw(at(k), "as")) {
          ++k;
          if (is_ident(at(k))) {
            alias = ident_name(at(k));
            ++k;
          } else if (is_punct(at(k), "_")) {
            alias = "_";
            ++k;
          }
        }
        emit_use(false, alias);
        cut(prefix());
      } else if (is_punct(t, "*")) {
        emit_use(true, {});
        cut(prefix());
        ++k;
      } else if (is_punct(t, "{") && groups_.size() < kMaxDepth) {
        groups_.push_back(segs_.size());
        ++k;
      } else if (is_punct(t, ",")) {
        cut(prefix());
        ++k;
      } else if (is_punct(t, "}") && !groups_.empty()) {
        groups_.pop_back();
        cut(prefix());
        ++k;
      } else if (is_punct(t, ";")) {
        return k; // the walk sees the `;`: it may end a #[cfg(test)] item
      } else {
        break; // malformed: the walk resumes here
      }
    }
    return k;
  }

  // `extern crate name [as alias];` at i.
  std::size_t extern_crate(std::size_t i) {
    const Token name = at(i + 2);
    if (!is_segment(name)) return i + 2;
    PathRef p;
    p.segments.emplace_back(seg_name(name));
    p.extern_crate = true;
    p.in_test = in_test();
    p.quoted = quoted();
    p.pos = pos_at(i + 2);
    p.last_pos = p.pos;
    std::size_t k = i + 3;
    if (is_kw(at(k), "as")) {
      if (is_ident(at(k + 1))) {
        p.alias = std::string(ident_name(at(k + 1)));
        k += 2;
      } else if (is_punct(at(k + 1), "_")) {
        p.alias = '_'; // not "_": GCC 12 inlines that into a false -Wrestrict (bug 105329)
        k += 2;
      } else {
        ++k;
      }
    }
    f_.paths.push_back(std::move(p));
    return k;
  }

  void finish() {
    while (depth_ > 0)
      pop_one(code_.size());
    while (!regions_.empty())
      end_region(f_.line_count);
  }

  const CodeTokens& code_;
  FileFacts& f_;

  std::size_t depth_ = 0;
  std::vector<Frame> frames_;
  std::vector<int> mod_stack_; // indices in FileFacts::mods of the inline modules open
  std::vector<Region> regions_;
  Group group_;

  std::size_t mod_brace_ = SIZE_MAX; // the `{` opening the inline mod just declared
  int mod_brace_index_ = -1;         // that mod's index in FileFacts::mods
  std::size_t item_mod_ = SIZE_MAX;  // the `mod` keyword the last attributes apply to
  std::optional<std::string> item_mod_path_;
  bool item_mod_cfg_test_ = false;
  long enum_depth_ = -1;               // depth of the `enum` whose body comes next
  std::size_t call_open_ = SIZE_MAX;   // the bracket opening the arguments of the last call seen
  std::size_t last_closer_ = SIZE_MAX; // the last bracket closed, and the call whose arguments
  long last_closed_call_ = -1;         // it held (-1: none)
  long call_index_ = -1;

  // Scratch buffers reused for every path, so walking allocates only for recorded facts.
  std::vector<std::string_view> segs_;
  std::vector<std::size_t> seg_at_; // the token of each segment
  std::vector<std::size_t> groups_;
  std::vector<std::pair<std::size_t, std::size_t>> generics_; // turbofish arguments of a path
  std::string qualifier_; // the `<T as Trait>` of the path being read: "Trait"; empty when none
  // The local names the `use` declarations walked so far bring in (views into the source).
  std::unordered_set<std::string_view> imported_;
};

} // namespace

FileFacts extract_facts(std::string_view source) {
  FileFacts facts;
  facts.line_count = static_cast<int>(std::count(source.begin(), source.end(), '\n'));
  if (!source.empty() && source.back() != '\n') ++facts.line_count;
  if (const void* nul = std::memchr(source.data(), '\0', source.size())) {
    const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(nul) - source.data());
    const std::size_t newline = source.rfind('\n', at);
    const std::size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
    const auto line = std::count(source.begin(), source.begin() + static_cast<long>(at), '\n') + 1;
    // Columns count code points, as the lexer's do: every byte but UTF-8 continuation bytes.
    const auto column =
        std::count_if(source.begin() + static_cast<long>(line_start),
                      source.begin() + static_cast<long>(at),
                      [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }) +
        1;
    facts.binary = true;
    facts.not_analysed = "binary content (a NUL byte at line " + std::to_string(line) +
                         ", column " + std::to_string(column) +
                         "): not Rust source text, not analysed";
    return facts;
  }
  try {
    // Comments are not kept; suppressions are read from them on the way.
    CodeLexResult lexed = lex_code(source, [&facts](const Token& t) {
      if (t.kind != TokenKind::line_comment) return;
      if (auto s = parse_suppression(t)) facts.suppressions.push_back(std::move(*s));
    });
    facts.lex_diagnostics = std::move(lexed.diagnostics);
    facts.lex_more = lexed.more_diagnostics;
    Extractor(lexed.tokens, facts).run();
  } catch (const std::bad_alloc&) {
    // The facts gathered so far are kept, and the file says it was not fully analysed.
    facts.not_analysed = "out of memory while extracting its facts: only partly analysed";
  } catch (const std::exception& e) {
    facts.not_analysed =
        std::string("facts extraction failed (") + e.what() + "): only partly analysed";
  }
  return facts;
}

} // namespace otelaudit::rust
