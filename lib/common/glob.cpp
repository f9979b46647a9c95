#include "common/glob.h"

#include "common/paths.h"

#include <algorithm>

namespace otelaudit {

namespace {

// One component of a glob: a literal byte, `?`, `*`, or a `[…]` class.
struct GlobToken {
  enum Kind { literal, any, star, set } kind = literal;
  char c = 0;
  std::string members; // for `set`: the bytes listed, ranges expanded
  bool negated = false;
};

std::vector<GlobToken> tokenize(std::string_view pat) {
  std::vector<GlobToken> out;
  for (size_t i = 0; i < pat.size(); ++i) {
    GlobToken t;
    if (pat[i] == '?') {
      t.kind = GlobToken::any;
    } else if (pat[i] == '*') {
      if (!out.empty() && out.back().kind == GlobToken::star) continue;
      t.kind = GlobToken::star;
    } else if (pat[i] == '[') {
      size_t j = i + 1;
      bool negated = j < pat.size() && (pat[j] == '!' || pat[j] == '^');
      if (negated) ++j;
      size_t close = pat.find(']', j + 1); // a `]` first in the class is a member
      if (j >= pat.size() || close == std::string_view::npos) {
        t.c = '[';
      } else {
        t.kind = GlobToken::set;
        t.negated = negated;
        for (size_t k = j; k < close; ++k) {
          if (k + 2 < close && pat[k + 1] == '-') {
            for (int c = static_cast<unsigned char>(pat[k]);
                 c <= static_cast<unsigned char>(pat[k + 2]); ++c) {
              t.members.push_back(static_cast<char>(c));
            }
            k += 2;
          } else {
            t.members.push_back(pat[k]);
          }
        }
        i = close;
      }
    } else {
      t.c = pat[i];
    }
    out.push_back(std::move(t));
  }
  return out;
}

bool token_matches(const GlobToken& t, char c) {
  switch (t.kind) {
  case GlobToken::literal:
    return t.c == c;
  case GlobToken::any:
    return true;
  case GlobToken::set:
    return (t.members.find(c) != std::string::npos) != t.negated;
  case GlobToken::star:
    break;
  }
  return false;
}

// Dynamic programming rather than backtracking: patterns come from untrusted manifests, and
// `*a*a*a…b` must not take exponential time.
bool component_matches(const std::vector<GlobToken>& pat, std::string_view name) {
  std::vector<char> row(name.size() + 1, 0), next(name.size() + 1, 0);
  row[0] = 1;
  for (const GlobToken& t : pat) {
    std::fill(next.begin(), next.end(), 0);
    for (size_t i = 0; i <= name.size(); ++i) {
      if (t.kind == GlobToken::star) {
        next[i] = row[i] || (i > 0 && next[i - 1]);
      } else if (i > 0) {
        next[i] = row[i - 1] && token_matches(t, name[i - 1]);
      }
    }
    row.swap(next);
  }
  return row[name.size()] != 0;
}

} // namespace

bool has_glob(std::string_view s) {
  return s.find_first_of("*?[") != std::string_view::npos;
}

// Cargo expands members with the glob crate: `*`, `?` and `[…]` within one path component, `**`
// across any number of them.
bool glob_match(const std::vector<std::string>& pattern, const std::vector<std::string>& path) {
  std::vector<std::vector<GlobToken>> tokens;
  for (const auto& p : pattern)
    tokens.push_back(tokenize(p));
  // reach[j]: the pattern components seen so far match the first j path components.
  std::vector<char> reach(path.size() + 1, 0), next(path.size() + 1, 0);
  reach[0] = 1;
  for (size_t pi = 0; pi < pattern.size(); ++pi) {
    std::fill(next.begin(), next.end(), 0);
    for (size_t j = 0; j <= path.size(); ++j) {
      if (pattern[pi] == "**") {
        next[j] = reach[j] || (j > 0 && next[j - 1]);
      } else if (j > 0) {
        next[j] = reach[j - 1] && component_matches(tokens[pi], path[j - 1]);
      }
    }
    reach.swap(next);
  }
  return reach[path.size()] != 0;
}

bool glob_match_path(std::string_view pattern, std::string_view path) {
  return glob_match(split_path(pattern), split_path(path));
}

} // namespace otelaudit
