#include <doctest/doctest.h>

#include <string>

#include "common/toml_guard.h"

using namespace otelaudit;

namespace {
std::optional<Diagnostic> scan(std::string_view text) {
  return toml_prescan(text, "Cargo.toml", "manifest-parse-error");
}
} // namespace

TEST_CASE("toml_guard: non-ASCII bare key CC AA is rejected with its location") {
  // The exact bytes of marzer/tomlplusplus#295.
  const auto d = scan("[package]\n\xCC\xAA = 1\n");
  REQUIRE(d.has_value());
  CHECK(d->rule == "manifest-parse-error");
  CHECK(d->loc == Location{"Cargo.toml", 2, 1});
  CHECK(d->message == "non-ASCII byte 0xCC outside a string or comment (TOML bare keys are ASCII)");
}

TEST_CASE("toml_guard: columns count code points, not bytes") {
  // "é" (2 bytes) inside the string counts as one column; the bare "ü" after it is column 10.
  const auto d = scan("k = \"\xC3\xA9\" # ok\n[x]\na = \"\xC3\xA9\"  \xC3\xBC = 2\n");
  REQUIRE(d.has_value());
  CHECK(d->loc == Location{"Cargo.toml", 3, 10});
  CHECK(d->message == "non-ASCII byte 0xC3 outside a string or comment (TOML bare keys are ASCII)");
}

TEST_CASE("toml_guard: non-ASCII inside strings and comments is accepted") {
  CHECK_FALSE(scan("# caf\xC3\xA9\n"
                   "a = \"caf\xC3\xA9 \\\" still \xC3\xA9\"\n"
                   "b = 'caf\xC3\xA9'\n"
                   "\"caf\xC3\xA9\" = 1\n"
                   "c = \"\"\"\n\xC3\xA9 \"\" \xC3\xA9\n\"\"\"\n"
                   "d = '''\n\xE2\x82\xAC ' '' \xF0\x9F\x98\x80\n'''\n"
                   "e = \"\"\"x\"\"\"\"\" # five quotes close: content x\"\"\n"
                   "f = 1 # \xC3\xA9\n")
                  .has_value());
  CHECK_FALSE(scan("").has_value());
}

TEST_CASE("toml_guard: string state ends where TOML ends it") {
  // The escaped quote does not end the string; the real closing quote does.
  auto d = scan("a = \"x\\\"\" \xC3\xA9\n");
  REQUIRE(d.has_value());
  CHECK(d->loc == Location{"Cargo.toml", 1, 11});
  // Five quotes close a multi-line basic string; what follows is outside it.
  d = scan("a = \"\"\"x\"\"\"\"\" \xC3\xA9\n");
  REQUIRE(d.has_value());
  CHECK(d->loc == Location{"Cargo.toml", 1, 15});
  // An unterminated single-line string stops at the end of its line.
  d = scan("a = \"open\n\xC3\xA9 = 1\n");
  REQUIRE(d.has_value());
  CHECK(d->loc == Location{"Cargo.toml", 2, 1});
  // A comment ends at the end of its line.
  d = scan("# \xC3\xA9\n\xC3\xA9\n");
  REQUIRE(d.has_value());
  CHECK(d->loc == Location{"Cargo.toml", 2, 1});
  // A backslash has no meaning in a literal string.
  d = scan("a = 'x\\' \xC3\xA9\n");
  REQUIRE(d.has_value());
  CHECK(d->loc == Location{"Cargo.toml", 1, 10});
}

TEST_CASE("toml_guard: invalid UTF-8 and NUL are rejected anywhere") {
  auto d = scan("a = \"\xFF\"\n");
  REQUIRE(d.has_value());
  CHECK(d->loc == Location{"Cargo.toml", 1, 6});
  CHECK(d->message == "invalid UTF-8 byte 0xFF");
  d = scan("# \xC3\n");
  REQUIRE(d.has_value());
  CHECK(d->message == "invalid UTF-8 byte 0xC3");
  d = scan("a = 'x\xC3"); // truncated at the end of the text
  REQUIRE(d.has_value());
  CHECK(d->loc == Location{"Cargo.toml", 1, 7});
  CHECK(d->message == "invalid UTF-8 byte 0xC3");
  d = scan("# \xC0\xAF overlong\n");
  REQUIRE(d.has_value());
  CHECK(d->message == "invalid UTF-8 byte 0xC0");
  d = scan("# \xED\xA0\x80 surrogate\n");
  REQUIRE(d.has_value());
  CHECK(d->message == "invalid UTF-8 byte 0xED");
  d = scan(std::string_view("a = 1\nb = \"\0\"\n", 13));
  REQUIRE(d.has_value());
  CHECK(d->loc == Location{"Cargo.toml", 2, 6});
  CHECK(d->message == "NUL byte 0x00 in TOML text");
}

TEST_CASE("toml_guard: a leading byte order mark is accepted") {
  CHECK_FALSE(toml_prescan("\xEF\xBB\xBF[package]\nname = \"a\"\n", "Cargo.toml", "r").has_value());
  // Anywhere else the same bytes are non-ASCII outside a string.
  auto d = toml_prescan("a = 1\n\xEF\xBB\xBF", "Cargo.toml", "r");
  REQUIRE(d.has_value());
  CHECK(d->loc.line == 2);
  CHECK(d->message == "non-ASCII byte 0xEF outside a string or comment (TOML bare keys are ASCII)");
}
