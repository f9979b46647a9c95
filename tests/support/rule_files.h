#pragma once
// Rule data for tests: the bundled files read once, and in-memory variants of them, so that
// parse_rule_data (the one loader) is tested from strings without touching the disk.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "rules/ruleset.h"

namespace test {

/// Every rule data file of the bundled rules/ directory, named "rules/<file>", sorted.
inline const std::vector<otelaudit::DataFile>& bundled_rule_files() {
  static const std::vector<otelaudit::DataFile> files = [] {
    std::vector<otelaudit::DataFile> out;
    for (const auto& entry : std::filesystem::directory_iterator(OTEL_AUDIT_RULES_DIR)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".toml") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      out.push_back({"rules/" + entry.path().filename().string(), text.str()});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
  }();
  return files;
}

/// True for a line pack (rules/otel-LINE.toml).
inline bool is_pack(const otelaudit::DataFile& f) {
  return f.name.starts_with("rules/otel-");
}

/// The bundled files other than the packs, with `packs` instead.
inline std::vector<otelaudit::DataFile> with_packs(std::vector<otelaudit::DataFile> packs) {
  std::vector<otelaudit::DataFile> out;
  for (const otelaudit::DataFile& f : bundled_rule_files())
    if (!is_pack(f)) out.push_back(f);
  out.insert(out.end(), packs.begin(), packs.end());
  return out;
}

/// `files` with the file named like `changed` replaced by it (added when there is none).
inline std::vector<otelaudit::DataFile> replaced(std::vector<otelaudit::DataFile> files,
                                                 const otelaudit::DataFile& changed) {
  auto it = std::find_if(files.begin(), files.end(),
                         [&](const auto& f) { return f.name == changed.name; });
  if (it == files.end())
    files.push_back(changed);
  else
    *it = changed;
  return files;
}

/// `files` without the one named `name`.
inline std::vector<otelaudit::DataFile> without(std::vector<otelaudit::DataFile> files,
                                                const std::string& name) {
  files.erase(
      std::remove_if(files.begin(), files.end(), [&](const auto& f) { return f.name == name; }),
      files.end());
  return files;
}

} // namespace test
