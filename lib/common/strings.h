#pragma once
#include <string>
#include <string_view>

namespace otelaudit {

/// `s` with its ASCII letters in lower case; other bytes (UTF-8 included) are kept as they are.
inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

/// The items of `items` (strings or string views) one after another, `sep` between two.
template <class Items>
std::string join(const Items& items, std::string_view sep = ", ") {
  std::string out;
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += sep;
    out += item;
    first = false;
  }
  return out;
}

} // namespace otelaudit
