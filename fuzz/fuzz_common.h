#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

// Shared by the libFuzzer targets: the input as text, and a check that aborts (so libFuzzer
// records the input) when an invariant of a parser's result does not hold.
namespace otelaudit::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant failed: %s\n", what);
    std::abort();
  }
}

} // namespace otelaudit::fuzz
