#include "rules/data_reader.h"

#include <algorithm>
#include <charconv>
#include <tuple>

#include "common/toml_guard.h"

namespace otelaudit::data {

std::optional<std::vector<std::uint64_t>> split_numbers(std::string_view text,
                                                        std::size_t max_parts) {
  std::vector<std::uint64_t> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = text.find('.', start);
    std::string_view part =
        text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty() || part.size() > 9) return std::nullopt;
    if (part.size() > 1 && part[0] == '0') return std::nullopt;
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
    if (ec != std::errc() || end != part.data() + part.size()) return std::nullopt;
    parts.push_back(n);
    if (parts.size() > max_parts) return std::nullopt;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

std::optional<LineKey> parse_line_text(std::string_view text) {
  auto parts = split_numbers(text, 2);
  if (!parts) return std::nullopt;
  const auto& p = *parts;
  if (p[0] == 0) {
    if (p.size() != 2) return std::nullopt; // "0" alone names no line
    return LineKey{0, p[1]};
  }
  if (p.size() != 1) return std::nullopt; // from 1.0 on the line is the major alone
  return LineKey{p[0], 0};
}

std::string in_quotes(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

void Checker::error(const toml::source_region& where, std::string message) {
  int line = static_cast<int>(where.begin.line);
  int column = static_cast<int>(where.begin.column);
  if (line == 0) line = column = 1; // the root table has no position; point at the file start
  errors_.push_back({std::string(kDataRule), {file_, line, column}, std::move(message)});
}

void Checker::only_keys(const toml::table& table, std::initializer_list<std::string_view> allowed,
                        std::string_view where) {
  for (auto&& [key, value] : table) {
    (void)value;
    if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end())
      error(key.source(), "unknown key " + in_quotes(key.str()) + " in " + std::string(where));
  }
}

std::optional<std::string> Checker::string(const toml::table& table, std::string_view key,
                                           std::string_view where, bool required) {
  const toml::node* node = table.get(key);
  if (!node) {
    if (required) error(table, "missing key " + in_quotes(key) + " in " + std::string(where));
    return std::nullopt;
  }
  if (!node->is_string()) {
    error(*node, in_quotes(key) + " must be a string");
    return std::nullopt;
  }
  return node->as_string()->get();
}

std::optional<std::string> Checker::text(const toml::table& table, std::string_view key,
                                         std::string_view where) {
  auto v = string(table, key, where, true);
  if (v && v->empty()) {
    error(*table.get(key), in_quotes(key) + " in " + std::string(where) + " must not be empty");
    return std::nullopt;
  }
  return v;
}

std::optional<std::pair<std::string, LineKey>> Checker::line_string(const toml::table& table,
                                                                    std::string_view key,
                                                                    std::string_view where,
                                                                    bool required) {
  const toml::node* node = table.get(key);
  if (!node) {
    if (required) error(table, "missing key " + in_quotes(key) + " in " + std::string(where));
    return std::nullopt;
  }
  std::optional<LineKey> parsed;
  if (node->is_string()) parsed = parse_line_text(node->as_string()->get());
  if (!parsed) {
    error(*node, in_quotes(key) + " must be a version string like \"0.28\"");
    return std::nullopt;
  }
  return std::pair{node->as_string()->get(), *parsed};
}

std::optional<std::vector<std::string>> Checker::strings(const toml::node& node, std::string name,
                                                         bool non_empty) {
  const toml::array* array = node.as_array();
  bool ok = array != nullptr && (!non_empty || !array->empty());
  std::vector<std::string> out;
  if (ok) {
    for (const toml::node& item : *array) {
      if (!item.is_string()) {
        ok = false;
        break;
      }
      out.push_back(item.as_string()->get());
    }
  }
  if (!ok) {
    error(node, name + (non_empty ? " must be a non-empty array of strings"
                                  : " must be an array of strings"));
    return std::nullopt;
  }
  return out;
}

std::optional<std::vector<std::string>> Checker::string_list(const toml::table& table,
                                                             std::string_view key,
                                                             std::string_view where, bool required,
                                                             bool non_empty) {
  const toml::node* node = table.get(key);
  if (!node) {
    if (required) error(table, "missing key " + in_quotes(key) + " in " + std::string(where));
    return std::nullopt;
  }
  return strings(*node, in_quotes(key) + " in " + std::string(where), non_empty);
}

std::optional<bool> Checker::boolean(const toml::table& table, std::string_view key,
                                     std::string_view where, bool fallback) {
  const toml::node* node = table.get(key);
  if (!node) return fallback;
  if (!node->is_boolean()) {
    error(*node, in_quotes(key) + " in " + std::string(where) + " must be true or false");
    return std::nullopt;
  }
  return node->as_boolean()->get();
}

std::optional<Severity> Checker::severity(const toml::table& table, std::string_view where) {
  auto text = string(table, "severity", where, true);
  if (!text) return std::nullopt;
  auto s = parse_severity(*text);
  if (!s)
    error(*table.get("severity"),
          "severity " + in_quotes(*text) + " is not one of info, low, medium, high, blocker");
  return s;
}

void Checker::schema(const toml::table& root, std::int64_t expected) {
  const toml::node* node = root.get("schema");
  if (!node) {
    error(root, "missing key \"schema\"");
    return;
  }
  if (!node->is_integer()) {
    error(*node, "\"schema\" must be an integer");
    return;
  }
  std::int64_t v = node->as_integer()->get();
  if (v != expected)
    error(*node, "schema " + std::to_string(v) + " is not supported (expected " +
                     std::to_string(expected) + ")");
}

std::vector<const toml::table*> Checker::tables(const toml::table& root, std::string_view name) {
  std::vector<const toml::table*> out;
  const toml::node* node = root.get(name);
  if (!node) return out;
  const toml::array* array = node->as_array();
  bool ok = array != nullptr;
  if (ok)
    for (const toml::node& item : *array)
      ok = ok && item.is_table();
  if (!ok) {
    error(*node, in_quotes(name) + " must be an array of tables ([[" + std::string(name) + "]])");
    return out;
  }
  for (const toml::node& item : *array)
    out.push_back(item.as_table());
  return out;
}

const toml::table* Checker::table(const toml::table& root, std::string_view name) {
  const toml::node* node = root.get(name);
  if (!node) return nullptr;
  if (!node->is_table()) {
    error(*node, in_quotes(name) + " must be a table ([" + std::string(name) + "])");
    return nullptr;
  }
  return node->as_table();
}

const toml::table* Checker::required_table(const toml::table& root, std::string_view name) {
  const toml::table* t = table(root, name);
  if (!t && !root.get(name)) error(root, "missing table [" + std::string(name) + "]");
  return t;
}

std::optional<toml::table> parse_toml(std::string_view text, Checker& c) {
  GuardedToml parsed = parse_toml_guarded(text, c.file(), std::string(kDataRule));
  if (parsed.error) {
    toml::source_region at;
    at.begin = {static_cast<toml::source_index>(parsed.error->loc.line),
                static_cast<toml::source_index>(parsed.error->loc.column)};
    c.error(at, parsed.error->message);
  }
  return std::move(parsed.table);
}

void sort_by_position(std::vector<Diagnostic>& errors) {
  std::stable_sort(errors.begin(), errors.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.loc.line, a.loc.column) < std::tie(b.loc.line, b.loc.column);
  });
}

} // namespace otelaudit::data
