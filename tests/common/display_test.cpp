#include <doctest/doctest.h>

#include "common/display.h"

using namespace otelaudit;

TEST_CASE("display_safe: controls and format characters are shown escaped, text kept") {
  CHECK(display_safe("plain caf\xC3\xA9 \xE2\x86\x92 ok") == "plain caf\xC3\xA9 \xE2\x86\x92 ok");
  // C0 (ESC, BEL, NUL), DEL, C1 (the 8-bit CSI), bidi override and isolate, zero width space,
  // byte order mark, a tag character.
  CHECK(display_safe(std::string("a\x1b[2J\x07\x7f", 7) + std::string(1, '\0')) ==
        "a\\u{1b}[2J\\u{7}\\u{7f}\\u{0}");
  CHECK(display_safe("\xC2\x9B"
                     "31m \xE2\x80\xAE \xE2\x81\xA6 \xE2\x80\x8B \xEF\xBB\xBF \xF3\xA0\x80\x81") ==
        "\\u{9b}31m \\u{202e} \\u{2066} \\u{200b} \\u{feff} \\u{e0001}");
  // U+00A0 (a space) and U+00AD (a format character) on either side of the C1 range.
  CHECK(display_safe("\xC2\xA0\xC2\xAD") == "\xC2\xA0\\u{ad}");
  // Bytes that are not UTF-8 become U+FFFD.
  CHECK(display_safe("bad \xFF\xE2\x82") == "bad \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("display_safe: what happens to tab, line feed and carriage return") {
  CHECK(display_safe("a\tb\nc\rd", Whitespace::space) == "a b c d");
  CHECK(display_safe("a\tb\nc\rd", Whitespace::keep) == "a\tb\nc\\u{d}d");
  CHECK(display_safe("a\tb\nc\rd", Whitespace::lines) == "a\tb\nc\rd");
  CHECK(display_safe("a\tb\nc\rd", Whitespace::escape) == "a\\u{9}b\\u{a}c\\u{d}d");
}
