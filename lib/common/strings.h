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

/// Whether two crate names are the same crate: crates.io and Cargo treat `-` and `_` alike.
inline bool same_crate_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];
    if (x != y) return false;
  }
  return true;
}

} // namespace otelaudit
