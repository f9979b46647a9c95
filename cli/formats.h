#pragma once
#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "audit/history.h"
#include "report/text.h"
#include "score/readiness.h"

namespace otelaudit::cli {

/// One output format of a command: the name --format takes and the renderer it selects. The
/// options carry what only the cli knows (whether the terminal takes colour).
template <class Result>
struct Format {
  std::string_view name;
  std::string (*render)(const Result& result, const TextOptions& options);
};

/// The formats of an audit's report, shared by check and report (text first: the default).
const std::vector<Format<AuditResult>>& audit_formats();

/// The formats of history's trend.
const std::vector<Format<HistoryResult>>& history_formats();

/// The format of `formats` called `name`; --format admits no other (add_format_option).
template <class Result>
const Format<Result>& find_format(const std::vector<Format<Result>>& formats,
                                  std::string_view name) {
  for (const Format<Result>& f : formats)
    if (f.name == name) return f;
  return formats.front();
}

/// The names of `formats`, in table order, for --format's check and help.
template <class Result>
std::vector<std::string> format_names(const std::vector<Format<Result>>& formats) {
  std::vector<std::string> names;
  for (const Format<Result>& f : formats)
    names.emplace_back(f.name);
  return names;
}

/// Adds --format,-f to `cmd`, taking the names of `formats`.
template <class Result>
void add_format_option(CLI::App& cmd, std::string& value,
                       const std::vector<Format<Result>>& formats, const std::string& what) {
  cmd.add_option("--format,-f", value, what)
      ->type_name("FORMAT")
      ->check(CLI::IsMember(format_names(formats)))
      ->capture_default_str();
}

} // namespace otelaudit::cli
