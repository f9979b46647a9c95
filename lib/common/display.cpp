#include "common/display.h"

#include <array>
#include <cstdint>
#include <utility>

namespace otelaudit {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD

// The format characters (category Cf) of Unicode 15, with the line and paragraph separators
// (Zl, Zp), as closed ranges in order.
constexpr std::array<std::pair<char32_t, char32_t>, 21> kFormat{{
    {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},   {0x06DD, 0x06DD},
    {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},   {0x180E, 0x180E},
    {0x200B, 0x200F},   {0x2028, 0x202E},   {0x2060, 0x2064},   {0x2066, 0x206F},
    {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD},
    {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0001, 0xE0001},
    {0xE0020, 0xE007F},
}};

void append_escaped(std::string& out, char32_t cp) {
  static constexpr char digits[] = "0123456789abcdef";
  out += "\\u{";
  int shift = 20;
  while (shift > 0 && ((cp >> shift) & 0xF) == 0)
    shift -= 4;
  for (; shift >= 0; shift -= 4)
    out += digits[(cp >> shift) & 0xF];
  out += '}';
}

} // namespace

bool is_unsafe_code_point(char32_t cp) {
  if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return true;
  if (cp < 0xAD) return false;
  for (const auto& [lo, hi] : kFormat)
    if (cp >= lo && cp <= hi) return true;
  return false;
}

std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t& cp) {
  auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
  const std::uint8_t b0 = byte(i);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t len = 0;
  std::uint8_t lo = 0x80, hi = 0xBF; // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  for (std::size_t k = 1; k < len; ++k)
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  return len;
}

std::string display_safe(std::string_view text, Whitespace ws) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t len = utf8_sequence(text, i, cp);
    if (len == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    const bool whitespace = cp == '\t' || cp == '\n' || cp == '\r';
    if (whitespace && ws == Whitespace::space)
      out += ' ';
    else if (whitespace && (ws == Whitespace::lines || (ws == Whitespace::keep && cp != '\r')))
      out += static_cast<char>(cp);
    else if (is_unsafe_code_point(cp))
      append_escaped(out, cp);
    else
      out.append(text, i, len);
    i += len;
  }
  return out;
}

} // namespace otelaudit
