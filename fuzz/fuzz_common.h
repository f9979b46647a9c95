#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

// Shared by the libFuzzer targets: the input as text, a check that aborts (so libFuzzer
// records the input) when an invariant of a parser's result does not hold, and the small
// archive format of the targets that take a whole repository.
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

/// The files of a repository packed into one input: "=== path\n" starts a file named path,
/// whose content runs to the next "=== " line. Text before the first header is Cargo.toml, so
/// a plain manifest is a one-file repository. A path given twice keeps its last content.
inline std::map<std::string, std::string> unpack(std::string_view text) {
  std::map<std::string, std::string> files;
  std::string name = "Cargo.toml", content;
  bool open = false; // a file is being collected (a header was seen, or text before one)
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t eol = text.find('\n', pos);
    const std::size_t end = eol == std::string_view::npos ? text.size() : eol + 1;
    const std::string_view line = text.substr(pos, end - pos);
    if (line.starts_with("=== ")) {
      if (open) files[name] = std::move(content);
      content.clear();
      name = std::string(line.substr(4, line.size() - 4 - (line.ends_with('\n') ? 1 : 0)));
    } else {
      content += line;
    }
    open = true;
    pos = end;
  }
  if (open) files[name] = std::move(content);
  return files;
}

} // namespace otelaudit::fuzz
