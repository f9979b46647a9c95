// Cargo's flavour of semantic versioning, following the `semver` crate that Cargo uses
// (dtolnay/semver, src/eval.rs and src/parse.rs) and the Cargo book, "Specifying Dependencies"
// (https://doc.rust-lang.org/cargo/reference/specifying-dependencies.html).
#include "model/cargo/semver.h"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace otelaudit {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_ident_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}
bool is_space(char c) {
  return c == ' ' || c == '\t';
}
bool is_wildcard(char c) {
  return c == '*' || c == 'x' || c == 'X';
}
bool is_numeric(std::string_view s) {
  return std::all_of(s.begin(), s.end(), is_digit);
}

// Orders two dot-separated pre-release strings by semver precedence (semver.org item 11): an
// empty pre-release (a release) ranks above any pre-release; numeric identifiers compare as
// numbers and rank below alphanumeric ones; a longer list wins when one is a prefix.
int compare_pre(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return a.empty() == b.empty() ? 0 : (a.empty() ? 1 : -1);
  while (true) {
    const auto da = a.find('.'), db = b.find('.');
    const std::string_view ia = a.substr(0, da), ib = b.substr(0, db);
    const bool na = is_numeric(ia), nb = is_numeric(ib);
    int c = 0;
    if (na && nb) // no leading zeros, so the longer number is the larger one
      c = ia.size() != ib.size() ? (ia.size() < ib.size() ? -1 : 1) : ia.compare(ib);
    else if (na != nb)
      c = na ? -1 : 1;
    else
      c = ia.compare(ib);
    if (c != 0) return c < 0 ? -1 : 1;
    if (da == std::string_view::npos || db == std::string_view::npos)
      return da == db ? 0 : (da == std::string_view::npos ? -1 : 1);
    a.remove_prefix(da + 1);
    b.remove_prefix(db + 1);
  }
}

// A cursor over a requirement or version text; the error texts are part of the interface.
struct Scanner {
  std::string_view s;
  std::size_t i = 0;
  std::string error; // without the " in version requirement …" suffix

  explicit Scanner(std::string_view text) : s(text) {}

  bool at_end() const { return i >= s.size(); }
  char peek() const { return at_end() ? '\0' : s[i]; }
  void skip_space() {
    while (!at_end() && is_space(s[i]))
      ++i;
  }
  bool fail(std::string message) {
    if (error.empty()) error = std::move(message);
    return false;
  }
  bool unexpected() {
    if (at_end()) return fail("unexpected end");
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x20 || b >= 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(b));
      return fail(std::string("unexpected byte ") + buf);
    }
    return fail(std::string("unexpected character '") + s[i] + "'");
  }

  bool number(std::uint64_t& out) {
    if (!is_digit(peek())) return unexpected();
    if (peek() == '0' && i + 1 < s.size() && is_digit(s[i + 1]))
      return fail("invalid leading zero in version number");
    out = 0;
    while (is_digit(peek())) {
      const std::uint64_t d = static_cast<std::uint64_t>(s[i] - '0');
      if (out > (std::numeric_limits<std::uint64_t>::max() - d) / 10)
        return fail("version number too large");
      out = out * 10 + d;
      ++i;
    }
    return true;
  }

  // Reads dot-separated identifiers ([0-9A-Za-z-]+) after '-' or '+'.
  bool identifiers(std::string& out, bool pre) {
    const char* what = pre ? "pre-release" : "build metadata";
    const std::size_t start = i;
    while (true) {
      const std::size_t from = i;
      while (is_ident_char(peek()))
        ++i;
      const std::string_view ident = s.substr(from, i - from);
      if (ident.empty())
        return at_end() || peek() == '.' || is_space(peek()) || peek() == ','
                   ? fail(std::string("empty ") + what + " identifier")
                   : unexpected();
      if (pre && ident.size() > 1 && ident[0] == '0' && is_numeric(ident))
        return fail("invalid leading zero in pre-release identifier");
      if (peek() != '.') break;
      ++i;
    }
    out = std::string(s.substr(start, i - start));
    return true;
  }
};

bool matches_exact(const Comparator& c, const Version& v) {
  return v.major == c.major && (!c.minor || v.minor == *c.minor) &&
         (!c.patch || v.patch == *c.patch) && v.pre == c.pre;
}

bool matches_greater(const Comparator& c, const Version& v) {
  if (v.major != c.major) return v.major > c.major;
  if (!c.minor) return false;
  if (v.minor != *c.minor) return v.minor > *c.minor;
  if (!c.patch) return false;
  if (v.patch != *c.patch) return v.patch > *c.patch;
  return compare_pre(v.pre, c.pre) > 0;
}

bool matches_less(const Comparator& c, const Version& v) {
  if (v.major != c.major) return v.major < c.major;
  if (!c.minor) return false;
  if (v.minor != *c.minor) return v.minor < *c.minor;
  if (!c.patch) return false;
  if (v.patch != *c.patch) return v.patch < *c.patch;
  return compare_pre(v.pre, c.pre) < 0;
}

bool matches_tilde(const Comparator& c, const Version& v) {
  if (v.major != c.major || (c.minor && v.minor != *c.minor)) return false;
  if (c.patch && v.patch != *c.patch) return v.patch > *c.patch;
  return compare_pre(v.pre, c.pre) >= 0;
}

// The left-most non-zero component is the breaking one: ^1.2 < 2.0.0, ^0.2 < 0.3.0, ^0.0.3 = 0.0.3.
bool matches_caret(const Comparator& c, const Version& v) {
  if (v.major != c.major) return false;
  if (!c.minor) return true;
  const std::uint64_t minor = *c.minor;
  if (!c.patch) return c.major > 0 ? v.minor >= minor : v.minor == minor;
  const std::uint64_t patch = *c.patch;
  if (c.major > 0) {
    if (v.minor != minor) return v.minor > minor;
    if (v.patch != patch) return v.patch > patch;
  } else if (minor > 0) {
    if (v.minor != minor) return false;
    if (v.patch != patch) return v.patch > patch;
  } else if (v.minor != minor || v.patch != patch) {
    return false;
  }
  return compare_pre(v.pre, c.pre) >= 0;
}

// The comparator's range test alone, without the pre-release opt-in rule.
bool in_range(const Comparator& c, const Version& v) {
  switch (c.op) {
  case Comparator::Op::exact:
  case Comparator::Op::wildcard:
    return matches_exact(c, v);
  case Comparator::Op::greater:
    return matches_greater(c, v);
  case Comparator::Op::greater_eq:
    return matches_exact(c, v) || matches_greater(c, v);
  case Comparator::Op::less:
    return matches_less(c, v);
  case Comparator::Op::less_eq:
    return matches_exact(c, v) || matches_less(c, v);
  case Comparator::Op::tilde:
    return matches_tilde(c, v);
  case Comparator::Op::caret:
    return matches_caret(c, v);
  }
  return false;
}

// A pre-release version is only acceptable to a requirement that names a pre-release of the
// same major.minor.patch: `^1.2.3-alpha.1` admits 1.2.3-beta but not 1.2.4-alpha.
bool pre_compatible(const Comparator& c, const Version& v) {
  return c.major == v.major && c.minor == v.minor && c.patch == v.patch && !c.pre.empty();
}

// The lowest release version inside the comparator's range (it may still fail the comparator,
// e.g. `=1.2.3-alpha` admits no release; the caller checks).
Version release_floor(const Comparator& c) {
  Version v;
  switch (c.op) {
  case Comparator::Op::less:
  case Comparator::Op::less_eq:
    return v;
  case Comparator::Op::greater:
    v.major = c.major;
    if (!c.minor) {
      ++v.major;
    } else if (!c.patch) {
      v.minor = *c.minor + 1;
    } else {
      v.minor = *c.minor;
      v.patch = c.pre.empty() ? *c.patch + 1 : *c.patch;
    }
    return v;
  default:
    v.major = c.major;
    v.minor = c.minor.value_or(0);
    v.patch = c.patch.value_or(0);
    return v;
  }
}

bool parse_comparator(Scanner& sc, Comparator& c) {
  using Op = Comparator::Op;
  bool explicit_op = true;
  std::string op_text;
  switch (sc.peek()) {
  case '=':
    c.op = Op::exact;
    break;
  case '~':
    c.op = Op::tilde;
    break;
  case '^':
    c.op = Op::caret;
    break;
  case '>':
    c.op = Op::greater;
    break;
  case '<':
    c.op = Op::less;
    break;
  default:
    explicit_op = false;
    c.op = Op::caret;
  }
  if (explicit_op) {
    op_text = sc.s[sc.i++];
    if ((c.op == Op::greater || c.op == Op::less) && sc.peek() == '=') {
      c.op = c.op == Op::greater ? Op::greater_eq : Op::less_eq;
      op_text += sc.s[sc.i++];
    }
    sc.skip_space();
    if (sc.at_end() || sc.peek() == ',')
      return sc.fail("expected a version after '" + op_text + "'");
  }
  if (is_wildcard(sc.peek()))
    return sc.fail(explicit_op ? "wildcard '" + std::string(1, sc.peek()) + "' after operator '" +
                                     op_text + "'"
                               : "'" + std::string(1, sc.peek()) + "' must be the only comparator");
  if (!sc.number(c.major)) return false;

  // `1.*` and `1.2.*` leave the starred parts unset; without an operator they mean "any".
  bool wildcard = false;
  for (std::optional<std::uint64_t>* part : {&c.minor, &c.patch}) {
    if (sc.peek() != '.') break;
    ++sc.i;
    if (is_wildcard(sc.peek())) {
      ++sc.i;
      wildcard = true;
      if (!explicit_op) c.op = Op::wildcard;
      continue;
    }
    if (wildcard)
      return is_digit(sc.peek()) ? sc.fail("version number after a wildcard") : sc.unexpected();
    std::uint64_t n = 0;
    if (!sc.number(n)) return false;
    *part = n;
  }
  if (sc.peek() == '-') {
    if (!c.patch) return sc.fail("a pre-release needs a full MAJOR.MINOR.PATCH version");
    ++sc.i;
    if (!sc.identifiers(c.pre, true)) return false;
  }
  if (sc.peek() == '+') {
    if (!c.patch) return sc.fail("build metadata needs a full MAJOR.MINOR.PATCH version");
    ++sc.i;
    std::string ignored; // build metadata never affects matching
    if (!sc.identifiers(ignored, false)) return false;
  }
  return true;
}

} // namespace

std::string Version::str() const {
  std::string s = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  if (!pre.empty()) s += "-" + pre;
  if (!build.empty()) s += "+" + build;
  return s;
}

std::string Version::line() const {
  if (major > 0) return std::to_string(major);
  if (minor > 0) return "0." + std::to_string(minor);
  return "0.0." + std::to_string(patch);
}

bool operator==(const Version& a, const Version& b) {
  return a.major == b.major && a.minor == b.minor && a.patch == b.patch && a.pre == b.pre;
}

bool operator<(const Version& a, const Version& b) {
  if (a.major != b.major) return a.major < b.major;
  if (a.minor != b.minor) return a.minor < b.minor;
  if (a.patch != b.patch) return a.patch < b.patch;
  return compare_pre(a.pre, b.pre) < 0;
}

std::optional<Version> parse_version(std::string_view text) {
  Scanner sc{text};
  Version v;
  if (!sc.number(v.major) || sc.peek() != '.') return std::nullopt;
  ++sc.i;
  if (!sc.number(v.minor) || sc.peek() != '.') return std::nullopt;
  ++sc.i;
  if (!sc.number(v.patch)) return std::nullopt;
  if (sc.peek() == '-') {
    ++sc.i;
    if (!sc.identifiers(v.pre, true)) return std::nullopt;
  }
  if (sc.peek() == '+') {
    ++sc.i;
    if (!sc.identifiers(v.build, false)) return std::nullopt;
  }
  if (!sc.at_end()) return std::nullopt;
  return v;
}

bool Comparator::matches(const Version& v) const {
  return in_range(*this, v) && (v.pre.empty() || pre_compatible(*this, v));
}

bool VersionReq::matches(const Version& v) const {
  for (const Comparator& c : comparators)
    if (!in_range(c, v)) return false;
  if (v.pre.empty()) return true;
  return std::any_of(comparators.begin(), comparators.end(),
                     [&](const Comparator& c) { return pre_compatible(c, v); });
}

std::optional<Version> VersionReq::minimum() const {
  // Every comparator is an interval of versions, so the highest of their lowest releases is
  // the lowest release of the intersection, if the intersection holds a release at all.
  Version candidate;
  for (const Comparator& c : comparators)
    candidate = std::max(candidate, release_floor(c));
  if (!matches(candidate)) return std::nullopt;
  return candidate;
}

std::optional<VersionReq> parse_requirement(std::string_view text, std::string& error) {
  error.clear();
  Scanner sc{text};
  VersionReq req;
  req.text = std::string(text);
  const auto failed = [&]() -> std::optional<VersionReq> {
    error = sc.error + " in version requirement \"" + std::string(text) + "\"";
    return std::nullopt;
  };

  sc.skip_space();
  if (sc.at_end()) {
    error = "empty version requirement";
    return std::nullopt;
  }
  if (is_wildcard(sc.peek())) {
    const std::size_t star = sc.i++;
    sc.skip_space();
    if (sc.at_end()) return req; // `*`: any release
    if (sc.peek() == ',')
      sc.fail("'" + std::string(1, text[star]) + "' must be the only comparator");
    sc.i = star;
    sc.unexpected();
    return failed();
  }
  while (true) {
    Comparator c;
    if (!parse_comparator(sc, c)) return failed();
    req.comparators.push_back(std::move(c));
    const std::size_t before_space = sc.i;
    sc.skip_space();
    if (sc.at_end()) return req;
    if (sc.peek() == ',') {
      ++sc.i;
      sc.skip_space();
      if (sc.at_end() || sc.peek() == ',') {
        sc.fail("empty comparator after ','");
        return failed();
      }
      continue;
    }
    const char c2 = sc.peek();
    if (sc.i > before_space && (is_digit(c2) || c2 == '<' || c2 == '>' || c2 == '=' || c2 == '~' ||
                                c2 == '^' || is_wildcard(c2)))
      sc.fail("expected ',' between comparators");
    else
      sc.unexpected();
    return failed();
  }
}

} // namespace otelaudit
