#pragma once
// Golden-file comparison shared by every test that checks a whole rendered output.
//
// check_golden("report/audit.txt", actual) compares `actual` with
// tests/golden/report/audit.txt byte for byte. Run the tests with OTEL_AUDIT_UPDATE_GOLDEN=1
// to write the golden files from the current output instead; review the diff before
// committing it.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include <doctest/doctest.h>

namespace otelaudit {

/// Where golden files live: tests/golden/<name> in the source tree.
inline std::filesystem::path golden_path(const std::string& name) {
  return std::filesystem::path(OTEL_AUDIT_SOURCE_DIR "/tests/golden/") / name;
}

/// A one-screen description of where `expected` and `actual` first differ, empty when equal.
inline std::string golden_difference(std::string_view expected, std::string_view actual) {
  if (expected == actual) return "";
  std::size_t line = 1, start = 0;
  const std::size_t limit = std::min(expected.size(), actual.size());
  std::size_t i = 0;
  for (; i < limit && expected[i] == actual[i]; ++i) {
    if (expected[i] == '\n') {
      ++line;
      start = i + 1;
    }
  }
  auto line_at = [start](std::string_view s) {
    if (start >= s.size()) return std::string("<end of output>");
    const std::size_t end = s.find('\n', start);
    return std::string(s.substr(start, end == std::string_view::npos ? end : end - start));
  };
  std::ostringstream out;
  out << "first difference at line " << line << "\n  expected: " << line_at(expected)
      << "\n  actual:   " << line_at(actual);
  return out.str();
}

/// Compares `actual` with the golden file `name`, or rewrites that file when the environment
/// variable OTEL_AUDIT_UPDATE_GOLDEN is 1.
inline void check_golden(const std::string& name, const std::string& actual) {
  const std::filesystem::path path = golden_path(name);
  const char* update = std::getenv("OTEL_AUDIT_UPDATE_GOLDEN");
  if (update != nullptr && std::string_view(update) == "1") {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << actual;
    out.close();
    CHECK_MESSAGE(out.good(), "cannot write golden file " << path.string());
    MESSAGE("updated golden file " << path.string());
    return;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    FAIL_CHECK("golden file " << path.string()
                              << " is missing; run the tests with OTEL_AUDIT_UPDATE_GOLDEN=1");
    return;
  }
  std::ostringstream expected;
  expected << in.rdbuf();
  const std::string difference = golden_difference(expected.str(), actual);
  CHECK_MESSAGE(difference.empty(), "golden file " << path.string() << ": " << difference);
}

} // namespace otelaudit
