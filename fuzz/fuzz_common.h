#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "rules/ruleset.h"

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

/// The bundled rule data without the pack of line 0.27, whose place the ruleset target's input
/// takes: parse_rule_data then checks the fuzzed pack against every other file.
inline const std::vector<DataFile>& rule_files_but_0_27() {
  static const std::vector<DataFile> files = [] {
    std::vector<DataFile> out;
    for (const auto& entry : std::filesystem::directory_iterator(OTEL_AUDIT_RULES_DIR)) {
      const std::string name = entry.path().filename().string();
      if (entry.path().extension() != ".toml" || name == "otel-0.27.toml") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      out.push_back({"rules/" + name, text.str()});
    }
    return out;
  }();
  return files;
}

/// The ruleset target's work on one input: the input as rules/otel-0.27.toml, parsed with the
/// rest of the bundled data, and every lookup of the result exercised.
inline void run_ruleset(std::string_view text) {
  std::vector<DataFile> files = rule_files_but_0_27();
  files.push_back({"rules/otel-0.27.toml", std::string(text)});
  RulesetResult r = parse_rule_data(files, "0.27");
  check(r.ruleset.has_value() == r.errors.empty(), "ruleset set exactly when no errors");
  if (!r.ruleset) return;
  const Ruleset& rs = *r.ruleset;
  (void)rs.target_line();
  for (const LineInfo& line : rs.lines) {
    (void)rs.line_index(line.line);
    for (const auto& [crate, entry] : line.crates) {
      (void)rs.is_otel_crate(crate);
      (void)rs.target_version(crate);
      (void)rs.misspelling_of(crate);
      if (std::optional<Version> v = parse_version(entry.latest)) {
        check(rs.line_of(crate, *v).has_value(), "a pack's latest release maps to a line");
        (void)rs.older_than_known(crate, *v);
      }
      std::string error;
      if (auto req = parse_requirement(entry.requirement(), error))
        (void)rs.selected_lines(crate, *req);
    }
  }
}

} // namespace otelaudit::fuzz
