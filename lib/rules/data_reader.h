#pragma once
#include <compare>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <utility>
#include <vector>

#include "common/location.h"
#include "rules/finding.h"

// The reader every rule data file goes through (line packs, API changes, conventions, scoring,
// deployment, spread): one TOML guard, one way to report a problem at its file, line and key.

namespace otelaudit::data {

/// The rule id of every rule data problem.
inline constexpr std::string_view kDataRule = "rule-data-invalid";

/// What decides compatibility between two versions of an OpenTelemetry crate: the minor for
/// 0.x (each 0.x minor is a breaking release), the major from 1.0 on.
struct LineKey {
  std::uint64_t major = 0;
  std::uint64_t minor = 0;
  friend auto operator<=>(const LineKey&, const LineKey&) = default;
};

/// Splits "0.27", "0.29.1" or "1" into numbers (at most `max_parts`); nullopt when it is not
/// such a short version (leading zeros, empty parts, anything but digits and dots).
std::optional<std::vector<std::uint64_t>> split_numbers(std::string_view text,
                                                        std::size_t max_parts);
/// A line as written for `line`, `breaks`, `from` and `--target`: "0.27", or "1" from 1.0 on.
std::optional<LineKey> parse_line_text(std::string_view text);

std::string in_quotes(std::string_view s);

/// Collects the errors of one data file, each placed at the node that caused it and naming
/// the key, so that a data error reads `rules/otel-0.27.toml:12:1: missing key "source" in
/// [[crate]]`.
class Checker {
public:
  Checker(std::vector<Diagnostic>& errors, std::string file)
      : errors_(errors), file_(std::move(file)) {}

  void error(const toml::source_region& where, std::string message);
  void error(const toml::node& node, std::string message) {
    error(node.source(), std::move(message));
  }
  const std::string& file() const { return file_; }

  /// Reports every key of `table` not in `allowed` ("unknown key "x" in [[crate]]").
  void only_keys(const toml::table& table, std::initializer_list<std::string_view> allowed,
                 std::string_view where);
  /// A required or optional string; nullopt (after reporting) when missing or not a string.
  std::optional<std::string> string(const toml::table& table, std::string_view key,
                                    std::string_view where, bool required);
  /// A required string that must not be empty.
  std::optional<std::string> text(const toml::table& table, std::string_view key,
                                  std::string_view where);
  /// A line string such as "0.28" under `key`; reports a bad or missing one.
  std::optional<std::pair<std::string, LineKey>> line_string(const toml::table& table,
                                                             std::string_view key,
                                                             std::string_view where, bool required);
  /// An array of strings; nullopt (after reporting) otherwise. Empty arrays are refused when
  /// `non_empty`, since an empty list states nothing.
  std::optional<std::vector<std::string>> strings(const toml::node& node, std::string name,
                                                  bool non_empty);
  /// The array of strings under `key` of `table`; `where` names the table for messages.
  std::optional<std::vector<std::string>> string_list(const toml::table& table,
                                                      std::string_view key, std::string_view where,
                                                      bool required, bool non_empty = true);
  /// A boolean under `key`, `fallback` when absent.
  std::optional<bool> boolean(const toml::table& table, std::string_view key,
                              std::string_view where, bool fallback);
  /// `severity = "high"`: required.
  std::optional<Severity> severity(const toml::table& table, std::string_view where);
  /// `schema = N` at the root, which must be `expected`.
  void schema(const toml::table& root, std::int64_t expected);
  /// The elements of an array of tables ([[name]]); reports anything else.
  std::vector<const toml::table*> tables(const toml::table& root, std::string_view name);
  /// A plain table ([name]); nullptr when missing, reports when not a table.
  const toml::table* table(const toml::table& root, std::string_view name);
  /// A required plain table: reports a missing one as well.
  const toml::table* required_table(const toml::table& root, std::string_view name);

private:
  std::vector<Diagnostic>& errors_;
  std::string file_;
};

/// Parses TOML text through the project's one TOML guard (cargo/toml_guard.h: toml++ 3.3.0 must
/// not see some byte sequences); on a problem reports it with its position and returns nullopt.
std::optional<toml::table> parse_toml(std::string_view text, Checker& c);

/// Orders the diagnostics of one file by position: toml++ iterates tables in key order, reports
/// go in file order.
void sort_by_position(std::vector<Diagnostic>& errors);

} // namespace otelaudit::data
