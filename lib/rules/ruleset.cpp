#include "rules/ruleset.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>
#include <system_error>
#include <toml++/toml.h>
#include <tuple>

#include "rules/rule_table.h"

namespace otelaudit {

namespace {

constexpr std::string_view kRule = "rule-data-invalid";
constexpr std::int64_t kSchema = 1;

/// What decides compatibility between two versions of an OpenTelemetry crate: the minor for
/// 0.x (each 0.x minor is a breaking release), the major from 1.0 on.
struct LineKey {
  std::uint64_t major = 0;
  std::uint64_t minor = 0;
  friend auto operator<=>(const LineKey&, const LineKey&) = default;
};

LineKey key_of(const Version& v) {
  return {v.major, v.major == 0 ? v.minor : 0};
}

/// Splits "0.27", "0.29.1" or "1" into numbers; `max_parts` bounds how many. The data files
/// use these short forms, so this does not go through the Cargo semver parser.
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

/// A line ("0.27", or "1" from 1.0 on) as written for `line`, `bridge` and `target`.
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

/// A crate version on a line ("0.14", "0.29.1", "1.2"): its line key.
std::optional<LineKey> parse_crate_version(std::string_view text) {
  auto parts = split_numbers(text, 3);
  if (!parts) return std::nullopt;
  const auto& p = *parts;
  if (p[0] == 0 && p.size() < 2) return std::nullopt;
  return LineKey{p[0], p[0] == 0 ? p[1] : 0};
}

/// A full release "0.27.1": its line key.
std::optional<LineKey> parse_release(std::string_view text) {
  auto parts = split_numbers(text, 3);
  if (!parts || parts->size() != 3) return std::nullopt;
  const auto& p = *parts;
  return LineKey{p[0], p[0] == 0 ? p[1] : 0};
}

std::string in_quotes(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items)
    out += (out.empty() ? "" : ", ") + s;
  return out;
}

/// Collects the errors of one data file, each placed at the node that caused it.
class Checker {
public:
  Checker(std::vector<Diagnostic>& errors, std::string file)
      : errors_(errors), file_(std::move(file)) {}

  void error(const toml::source_region& where, std::string message) {
    int line = static_cast<int>(where.begin.line);
    int column = static_cast<int>(where.begin.column);
    if (line == 0) line = column = 1; // the root table has no position; point at the file start
    errors_.push_back({std::string(kRule), {file_, line, column}, std::move(message)});
  }
  void error(const toml::node& node, std::string message) {
    error(node.source(), std::move(message));
  }
  const std::string& file() const { return file_; }

  /// Reports every key of `table` not in `allowed` ("unknown key "x" in [[line]]").
  void only_keys(const toml::table& table, std::initializer_list<std::string_view> allowed,
                 std::string_view where) {
    for (auto&& [key, value] : table) {
      (void)value;
      if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end())
        error(key.source(), "unknown key " + in_quotes(key.str()) + " in " + std::string(where));
    }
  }

  /// A required or optional string; nullopt (after reporting) when missing or not a string.
  std::optional<std::string> string(const toml::table& table, std::string_view key,
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

  /// A line string such as "0.28" under `key`; reports a bad or missing one.
  std::optional<std::pair<std::string, LineKey>> line_string(const toml::table& table,
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

  /// An array of strings; nullopt (after reporting) otherwise. Empty arrays are refused when
  /// `non_empty`, since an empty feature list states nothing.
  std::optional<std::vector<std::string>> strings(const toml::node& node, std::string name,
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

  std::optional<Severity> severity(const toml::table& table, std::string_view where) {
    auto text = string(table, "severity", where, true);
    if (!text) return std::nullopt;
    auto s = parse_severity(*text);
    if (!s)
      error(*table.get("severity"),
            "severity " + in_quotes(*text) + " is not one of info, low, medium, high, blocker");
    return s;
  }

  void schema(const toml::table& root) {
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
    if (v != kSchema)
      error(*node, "schema " + std::to_string(v) + " is not supported (expected " +
                       std::to_string(kSchema) + ")");
  }

  /// The elements of an array of tables ([[name]]); reports anything else.
  std::vector<const toml::table*> tables(const toml::table& root, std::string_view name) {
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

  /// A plain table ([name]); nullptr when missing, reports when not a table.
  const toml::table* table(const toml::table& root, std::string_view name) {
    const toml::node* node = root.get(name);
    if (!node) return nullptr;
    if (!node->is_table()) {
      error(*node, in_quotes(name) + " must be a table ([" + std::string(name) + "])");
      return nullptr;
    }
    return node->as_table();
  }

private:
  std::vector<Diagnostic>& errors_;
  std::string file_;
};

/// Parses TOML text; on a syntax error reports it with its position and returns nullopt.
/// Rule data must be ASCII: toml++ 3.3.0 reads out of bounds on some non-ASCII bytes where a
/// key is expected (DESIGN.md, marzer/tomlplusplus#295), and ASCII costs the data nothing.
std::optional<toml::table> parse_toml(std::string_view text, Checker& c) {
  int line = 1, column = 1;
  for (unsigned char ch : text) {
    if (ch >= 0x80) {
      toml::source_region at;
      at.begin = {static_cast<toml::source_index>(line), static_cast<toml::source_index>(column)};
      c.error(at, "rule data must be ASCII (byte " + std::to_string(ch) + ")");
      return std::nullopt;
    }
    if (ch == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  try {
    return toml::parse(text, c.file());
  } catch (const toml::parse_error& e) {
    c.error(e.source(), std::string(e.description()));
    return std::nullopt;
  }
}

/// One [[line]] as read, with the key used for ordering and lookups.
struct ParsedLine {
  LineInfo info;
  LineKey key;
  std::map<std::string, LineKey> crate_keys;
};

std::vector<ParsedLine> read_lines(const toml::table& root, Checker& c) {
  c.only_keys(root, {"schema", "line"}, "otel-lines.toml");
  c.schema(root);
  if (!root.get("line")) c.error(root, "missing key \"line\": otel-lines.toml lists no [[line]]");

  std::vector<ParsedLine> lines;
  std::optional<std::pair<std::string, LineKey>> previous;
  for (const toml::table* t : c.tables(root, "line")) {
    c.only_keys(*t, {"line", "bridge", "crates", "default-features"}, "[[line]]");
    auto line = c.line_string(*t, "line", "[[line]]", true);
    auto bridge = c.line_string(*t, "bridge", "[[line]]", false);
    ParsedLine parsed;
    if (line) {
      parsed.info.line = line->first;
      parsed.key = line->second;
      const toml::node& at = *t->get("line");
      if (previous && line->second == previous->second)
        c.error(at, "duplicate line " + in_quotes(line->first));
      else if (previous && line->second < previous->second)
        c.error(at, "line " + in_quotes(line->first) + " is out of order (lines go oldest first; " +
                        "it follows " + in_quotes(previous->first) + ")");
      if (!previous || previous->second < line->second) previous = line;
    }
    if (bridge) parsed.info.bridge = bridge->first;

    const toml::node* crates_node = t->get("crates");
    if (!crates_node) {
      c.error(*t, "missing key \"crates\" in [[line]]");
    } else if (!crates_node->is_table()) {
      c.error(*crates_node, "\"crates\" must be a table ([line.crates])");
    } else {
      for (auto&& [name, value] : *crates_node->as_table()) {
        std::optional<LineKey> k;
        if (value.is_string()) k = parse_crate_version(value.as_string()->get());
        if (!k) {
          c.error(value, in_quotes(name.str()) +
                             " in [line.crates] must be a version string like \"0.28\"");
          continue;
        }
        parsed.info.crates[std::string(name.str())] = value.as_string()->get();
        parsed.crate_keys[std::string(name.str())] = *k;
      }
      if (line) {
        const toml::node* api = crates_node->as_table()->get("opentelemetry");
        auto it = parsed.crate_keys.find("opentelemetry");
        if (!api)
          c.error(*crates_node, "[line.crates] of line " + in_quotes(line->first) +
                                    " must list \"opentelemetry\"");
        else if (it != parsed.crate_keys.end() && it->second != line->second)
          c.error(*api, "\"opentelemetry\" = " + in_quotes(parsed.info.crates["opentelemetry"]) +
                            " in [line.crates] does not match line " + in_quotes(line->first));
      }
    }

    if (const toml::node* defaults = t->get("default-features")) {
      if (!defaults->is_table()) {
        c.error(*defaults, "\"default-features\" must be a table ([line.default-features])");
      } else {
        for (auto&& [name, value] : *defaults->as_table()) {
          if (auto features =
                  c.strings(value, in_quotes(name.str()) + " in [line.default-features]", false))
            parsed.info.default_features[std::string(name.str())] = std::move(*features);
          if (crates_node && crates_node->is_table() &&
              !parsed.crate_keys.count(std::string(name.str())))
            c.error(name.source(), in_quotes(name.str()) +
                                       " in [line.default-features] is not a crate of line " +
                                       in_quotes(parsed.info.line));
        }
      }
    }
    if (line) lines.push_back(std::move(parsed));
  }
  return lines;
}

/// Reads the target file into `rs`; `lines` is empty when otel-lines.toml could not be read,
/// in which case the checks against it are skipped (they would only repeat that error).
void read_target(const toml::table& root, Checker& c, const std::vector<ParsedLine>& lines,
                 bool lines_ok, Ruleset& rs) {
  c.only_keys(root,
              {"schema", "target", "blocker-lines-behind", "bridge-crate", "tracing-crates",
               "latest", "required-features", "deprecated", "companions", "misspellings"},
              "the target file");
  c.schema(root);

  const ParsedLine* target = nullptr;
  if (auto t = c.line_string(root, "target", "the target file", true)) {
    rs.target = t->first;
    for (const auto& l : lines)
      if (l.key == t->second) target = &l;
    if (!target && lines_ok)
      c.error(*root.get("target"),
              "target " + in_quotes(t->first) + " has no [[line]] in otel-lines.toml");
  }
  // Crate checks against the target line only make sense once that line is known.
  auto on_target = [&](const std::string& crate) {
    return !target || target->info.crates.count(crate) > 0;
  };
  std::string target_name = in_quotes(rs.target);

  if (const toml::node* n = root.get("blocker-lines-behind")) {
    if (!n->is_integer() || n->as_integer()->get() < 1 || n->as_integer()->get() > 1000)
      c.error(*n, "\"blocker-lines-behind\" must be a positive integer");
    else
      rs.blocker_lines_behind = static_cast<int>(n->as_integer()->get());
  }
  if (auto b = c.string(root, "bridge-crate", "the target file", false)) {
    if (b->empty())
      c.error(*root.get("bridge-crate"), "\"bridge-crate\" must not be empty");
    else
      rs.bridge_crate = *b;
  }
  if (const toml::node* n = root.get("tracing-crates")) {
    if (auto v = c.strings(*n, "\"tracing-crates\"", true)) rs.tracing_crates = *v;
  } else {
    c.error(root, "missing key \"tracing-crates\" in the target file");
  }

  if (const toml::table* latest = c.table(root, "latest")) {
    for (auto&& [name, value] : *latest) {
      std::string crate(name.str());
      std::optional<LineKey> k;
      if (value.is_string()) k = parse_release(value.as_string()->get());
      if (!k) {
        c.error(value, "[latest] " + in_quotes(crate) + " must be a full version like \"0.27.1\"");
        continue;
      }
      const std::string& version = value.as_string()->get();
      if (!on_target(crate)) {
        c.error(name.source(),
                "[latest] " + in_quotes(crate) + " is not a crate of line " + target_name);
        continue;
      }
      if (target && target->crate_keys.at(crate) != *k) {
        c.error(value, "[latest] " + in_quotes(crate) + " = " + in_quotes(version) +
                           " is not a release of line " + target_name + " (otel-lines.toml lists " +
                           in_quotes(target->info.crates.at(crate)) + ")");
        continue;
      }
      rs.latest[crate] = version;
    }
  }

  for (const toml::table* t : c.tables(root, "required-features")) {
    constexpr std::string_view where = "[[required-features]]";
    c.only_keys(*t, {"crate", "features", "when-calls", "severity"}, where);
    auto crate = c.string(*t, "crate", where, true);
    if (crate && !on_target(*crate))
      c.error(*t->get("crate"), std::string(where) + " crate " + in_quotes(*crate) +
                                    " is not a crate of line " + target_name);
    std::optional<std::vector<std::string>> features;
    if (const toml::node* f = t->get("features"))
      features = c.strings(*f, "\"features\"", true);
    else
      c.error(*t, "missing key \"features\" in " + std::string(where));
    std::optional<std::vector<std::string>> calls = std::vector<std::string>{};
    if (const toml::node* w = t->get("when-calls")) {
      calls = c.strings(*w, "\"when-calls\"", true);
      if (calls)
        for (const std::string& name : *calls)
          if (name.empty() || name.find_first_of(":.( ") != std::string::npos) {
            c.error(*w, "\"when-calls\" lists method or function names like \"with_tonic\"");
            calls.reset();
            break;
          }
    }
    auto severity = c.severity(*t, where);
    if (crate && features && calls && severity)
      rs.required_features.push_back({*crate, *features, *severity, *calls});
  }

  for (const toml::table* t : c.tables(root, "deprecated")) {
    constexpr std::string_view where = "[[deprecated]]";
    c.only_keys(*t, {"crate", "replacement", "reason", "fix", "severity"}, where);
    auto crate = c.string(*t, "crate", where, true);
    auto replacement = c.string(*t, "replacement", where, true);
    auto reason = c.string(*t, "reason", where, true);
    auto fix = c.string(*t, "fix", where, true);
    auto severity = c.severity(*t, where);
    if (replacement && !on_target(*replacement))
      c.error(*t->get("replacement"), std::string(where) + " replacement " +
                                          in_quotes(*replacement) + " is not a crate of line " +
                                          target_name);
    if (crate && target && target->info.crates.count(*crate))
      c.error(*t->get("crate"), std::string(where) + " crate " + in_quotes(*crate) +
                                    " is a crate of line " + target_name);
    if (crate && replacement && reason && fix && severity)
      rs.deprecated.push_back({*crate, *replacement, *reason, *fix, *severity});
  }

  for (const toml::table* t : c.tables(root, "companions")) {
    constexpr std::string_view where = "[[companions]]";
    c.only_keys(*t, {"crate", "version", "features", "severity"}, where);
    Companion comp;
    auto crate = c.string(*t, "crate", where, true);
    auto version = c.string(*t, "version", where, true);
    if (version && !parse_crate_version(*version)) {
      c.error(*t->get("version"), "\"version\" must be a version string like \"0.24\"");
      version.reset();
    }
    bool features_ok = true;
    if (const toml::node* f = t->get("features")) {
      auto v = c.strings(*f, "\"features\"", false);
      features_ok = v.has_value();
      if (v) comp.features = *v;
    }
    auto severity = c.severity(*t, where);
    if (crate && version && features_ok && severity) {
      comp.crate = *crate;
      comp.version = *version;
      comp.severity = *severity;
      rs.companions.push_back(std::move(comp));
    }
  }

  if (const toml::table* m = c.table(root, "misspellings")) {
    for (auto&& [name, value] : *m) {
      std::string wrong(name.str());
      if (!value.is_string()) {
        c.error(value, "[misspellings] " + in_quotes(wrong) + " must name a crate (a string)");
        continue;
      }
      const std::string& meant = value.as_string()->get();
      bool known = meant == rs.bridge_crate || on_target(meant);
      if (!known) {
        c.error(value, "[misspellings] " + in_quotes(wrong) + " points to " + in_quotes(meant) +
                           ", which is not a crate of line " + target_name);
        continue;
      }
      if (target && (target->info.crates.count(wrong) || wrong == rs.bridge_crate)) {
        c.error(name.source(),
                "[misspellings] " + in_quotes(wrong) + " is a real crate of line " + target_name);
        continue;
      }
      rs.misspellings[wrong] = meant;
    }
  }
}

/// A required, non-empty array of strings under `key` of `table` ([section] names it).
std::optional<std::vector<std::string>> string_list(const toml::table& table, std::string_view key,
                                                    std::string_view section, Checker& c,
                                                    bool required = true) {
  const toml::node* node = table.get(key);
  if (!node) {
    if (required)
      c.error(table, "missing key " + in_quotes(key) + " in [" + std::string(section) + "]");
    return std::nullopt;
  }
  return c.strings(*node, in_quotes(key) + " in [" + std::string(section) + "]", true);
}

/// A required non-empty string under `key` of [section].
std::optional<std::string> text_value(const toml::table& table, std::string_view key,
                                      std::string_view section, Checker& c) {
  const std::string where = "[" + std::string(section) + "]";
  auto v = c.string(table, key, where, true);
  if (v && v->empty()) {
    c.error(*table.get(key), in_quotes(key) + " in " + where + " must not be empty");
    return std::nullopt;
  }
  return v;
}

void read_api_changes(const toml::table& root, Checker& c, Ruleset& rs) {
  c.only_keys(root, {"schema", "change"}, "api-changes.toml");
  c.schema(root);
  if (!root.get("change"))
    c.error(root, "missing key \"change\": api-changes.toml lists no [[change]]");
  constexpr std::string_view where = "[[change]]";
  for (const toml::table* t : c.tables(root, "change")) {
    c.only_keys(*t,
                {"identifier", "path", "method", "on", "args", "crate", "breaks", "replacement",
                 "severity", "source"},
                where);
    ApiChange ch;
    bool ok = true;
    auto need = [&](std::string_view key, std::string& out) {
      auto v = c.string(*t, key, where, true);
      if (v && v->empty()) {
        c.error(*t->get(key), in_quotes(key) + " in " + std::string(where) + " must not be empty");
        v.reset();
      }
      if (v) out = *v;
      ok = ok && v.has_value();
    };
    need("identifier", ch.identifier);
    need("crate", ch.crate);
    need("replacement", ch.replacement);
    need("source", ch.source);
    auto path = c.string(*t, "path", where, false);
    auto method = c.string(*t, "method", where, false);
    if (path.has_value() == method.has_value()) {
      c.error(*t, std::string(where) + " needs exactly one of \"path\" and \"method\"");
      ok = false;
    } else if (path) {
      // A path is at least crate::item, written without spaces or a leading `::`.
      bool valid = path->find("::") != std::string::npos && !path->starts_with("::") &&
                   !path->ends_with("::") && path->find(' ') == std::string::npos &&
                   path->find("::::") == std::string::npos;
      if (!valid) {
        c.error(*t->get("path"), "\"path\" must be a Rust path like \"crate::item\"");
        ok = false;
      }
      ch.path = *path;
    } else {
      if (method->empty() || method->find_first_of(":.( ") != std::string::npos) {
        c.error(*t->get("method"), "\"method\" must be a method name like \"with_config\"");
        ok = false;
      }
      ch.method = *method;
    }
    if (const toml::node* on = t->get("on")) {
      auto paths = c.strings(*on, "\"on\" in [[change]]", true);
      if (!method) {
        c.error(*on, "\"on\" in [[change]] applies to a \"method\" entry only");
        ok = false;
      } else if (paths) {
        for (const std::string& p : *paths)
          if (p.find("::") == std::string::npos || p.find(' ') != std::string::npos) {
            c.error(*on, "\"on\" lists Rust paths like \"opentelemetry::Key\"");
            ok = false;
            break;
          }
        ch.on = *paths;
      } else {
        ok = false;
      }
    }
    if (const toml::node* a = t->get("args")) {
      if (!a->is_integer() || a->as_integer()->get() < 0 || a->as_integer()->get() > 64) {
        c.error(*a, "\"args\" must be an integer from 0 to 64");
        ok = false;
      } else {
        ch.args = static_cast<int>(a->as_integer()->get());
      }
    }
    if (auto b = c.line_string(*t, "breaks", where, true))
      ch.breaks = b->first;
    else
      ok = false;
    auto severity = c.severity(*t, where);
    if (severity)
      ch.severity = *severity;
    else
      ok = false;
    if (ok) rs.api_changes.push_back(std::move(ch));
  }
}

void read_conventions(const toml::table& root, Checker& c, Conventions& cv) {
  c.only_keys(
      root, {"schema", "service-name", "resource", "environment", "propagation", "http", "jaeger"},
      "conventions.toml");
  c.schema(root);
  auto section = [&](std::string_view name) -> const toml::table* {
    const toml::table* t = c.table(root, name);
    if (!t && !root.get(name)) c.error(root, "missing table [" + std::string(name) + "]");
    return t;
  };

  if (const toml::table* t = section("service-name")) {
    c.only_keys(*t, {"pattern", "description", "namespace", "separator", "max-levels"},
                "[service-name]");
    c.string(*t, "description", "[service-name]", false);
    if (auto v = text_value(*t, "pattern", "service-name", c)) cv.service_name_pattern = *v;
    if (auto v = text_value(*t, "namespace", "service-name", c)) cv.service_name_namespace = *v;
    if (auto v = text_value(*t, "separator", "service-name", c)) {
      if (v->size() != 1)
        c.error(*t->get("separator"), "\"separator\" in [service-name] must be one character");
      else
        cv.service_name_separator = *v;
    }
    if (const toml::node* n = t->get("max-levels")) {
      if (!n->is_integer() || n->as_integer()->get() < 2 || n->as_integer()->get() > 16)
        c.error(*n, "\"max-levels\" in [service-name] must be an integer from 2 to 16");
      else
        cv.service_name_max_levels = static_cast<int>(n->as_integer()->get());
    }
  }

  if (const toml::table* t = section("resource")) {
    c.only_keys(*t, {"required", "accepted-aliases", "recommended", "constructors"}, "[resource]");
    if (auto v = string_list(*t, "required", "resource", c)) cv.required_resource = *v;
    if (auto v = string_list(*t, "recommended", "resource", c, false)) cv.recommended_resource = *v;
    if (auto v = string_list(*t, "constructors", "resource", c)) cv.resource_constructors = *v;
    if (const toml::node* n = t->get("accepted-aliases")) {
      if (!n->is_table()) {
        c.error(*n, "\"accepted-aliases\" in [resource] must be a table of arrays of strings");
      } else {
        for (auto&& [key, value] : *n->as_table()) {
          std::string k(key.str());
          auto names = c.strings(value, in_quotes(k) + " in accepted-aliases", true);
          if (!names) continue;
          if (std::find(cv.required_resource.begin(), cv.required_resource.end(), k) ==
              cv.required_resource.end())
            c.error(key.source(),
                    "accepted-aliases " + in_quotes(k) + " is not a required attribute");
          cv.resource_aliases[k] = *names;
        }
      }
    }
  }

  if (const toml::table* t = section("environment")) {
    c.only_keys(*t,
                {"required", "optional", "standard", "standard-prefixes", "build-time",
                 "build-time-prefixes"},
                "[environment]");
    if (auto v = string_list(*t, "required", "environment", c)) cv.required_env = *v;
    if (auto v = string_list(*t, "optional", "environment", c, false)) cv.optional_env = *v;
    if (auto v = string_list(*t, "standard", "environment", c, false)) cv.standard_env = *v;
    if (auto v = string_list(*t, "standard-prefixes", "environment", c, false))
      cv.standard_env_prefixes = *v;
    if (auto v = string_list(*t, "build-time-prefixes", "environment", c, false))
      cv.build_env_prefixes = *v;
    if (auto v = string_list(*t, "build-time", "environment", c, false)) cv.build_env = *v;
  }

  if (const toml::table* t = section("propagation")) {
    c.only_keys(*t, {"identifiers", "exporter-crates", "exporter-calls"}, "[propagation]");
    if (auto v = string_list(*t, "identifiers", "propagation", c)) cv.propagation_identifiers = *v;
    if (auto v = string_list(*t, "exporter-crates", "propagation", c)) cv.exporter_crates = *v;
    if (auto v = string_list(*t, "exporter-calls", "propagation", c, false)) cv.exporter_calls = *v;
  }

  if (const toml::table* t = section("http")) {
    c.only_keys(*t,
                {"crates", "request-id-header", "request-id-calls", "span-name-pattern", "methods"},
                "[http]");
    if (auto v = string_list(*t, "crates", "http", c)) cv.http_crates = *v;
    if (auto v = text_value(*t, "request-id-header", "http", c)) cv.request_id_header = *v;
    if (auto v = string_list(*t, "request-id-calls", "http", c, false)) cv.request_id_calls = *v;
    if (auto v = text_value(*t, "span-name-pattern", "http", c)) cv.span_name_pattern = *v;
    if (auto v = string_list(*t, "methods", "http", c)) cv.http_methods = *v;
  }

  if (const toml::table* t = section("jaeger")) {
    c.only_keys(*t, {"agent-ports", "code-paths", "env-prefixes", "replacement"}, "[jaeger]");
    if (const toml::node* n = t->get("agent-ports")) {
      const toml::array* a = n->as_array();
      bool ok = a && !a->empty();
      std::vector<int> ports;
      if (ok)
        for (const toml::node& item : *a) {
          if (!item.is_integer() || item.as_integer()->get() < 1 ||
              item.as_integer()->get() > 65535) {
            ok = false;
            break;
          }
          ports.push_back(static_cast<int>(item.as_integer()->get()));
        }
      if (ok)
        cv.jaeger_agent_ports = ports;
      else
        c.error(*n, "\"agent-ports\" in [jaeger] must be a non-empty array of port numbers");
    } else {
      c.error(*t, "missing key \"agent-ports\" in [jaeger]");
    }
    if (auto v = string_list(*t, "code-paths", "jaeger", c)) cv.jaeger_code_paths = *v;
    if (auto v = string_list(*t, "env-prefixes", "jaeger", c)) cv.jaeger_env_prefixes = *v;
    if (auto v = text_value(*t, "replacement", "jaeger", c)) cv.jaeger_replacement = *v;
  }
}

/// A number of hours written as an integer or a float: 0 to 1000, in quarters of an hour.
std::optional<double> hours_value(const toml::node& node) {
  double v = 0;
  if (node.is_integer())
    v = static_cast<double>(node.as_integer()->get());
  else if (node.is_floating_point())
    v = node.as_floating_point()->get();
  else
    return std::nullopt;
  if (!(v >= 0 && v <= 1000) || v * 4 != static_cast<double>(static_cast<long>(v * 4)))
    return std::nullopt;
  return v;
}

/// `{ blocker = …, high = …, … }` under `key` of `table`: one number per severity of `wanted`,
/// each read by `read` (which says what it accepts in `what`).
template <typename T, typename Read>
void per_severity(const toml::table& table, std::string_view key, std::string_view where,
                  std::initializer_list<Severity> wanted, std::string_view what, Read read,
                  std::array<T, 5>& out, Checker& c) {
  const toml::node* node = table.get(key);
  if (!node) {
    c.error(table, "missing key " + in_quotes(key) + " in " + std::string(where));
    return;
  }
  const toml::table* t = node->as_table();
  if (!t) {
    c.error(*node, in_quotes(key) + " in " + std::string(where) +
                       " must be a table of severities, e.g. { blocker = 40, high = 10 }");
    return;
  }
  for (auto&& [name, value] : *t) {
    auto s = parse_severity(name.str());
    if (!s || std::find(wanted.begin(), wanted.end(), *s) == wanted.end()) {
      c.error(name.source(), "unknown key " + in_quotes(name.str()) + " in " + std::string(key));
      continue;
    }
    if (auto v = read(value))
      out[static_cast<std::size_t>(*s)] = *v;
    else
      c.error(value,
              in_quotes(name.str()) + " in " + std::string(key) + " must be " + std::string(what));
  }
  for (Severity s : wanted)
    if (!t->get(to_string(s)))
      c.error(*t, "missing key " + in_quotes(to_string(s)) + " in " + std::string(key));
}

void read_scoring(const toml::table& root, Checker& c, ScoringModel& sm) {
  c.only_keys(root, {"schema", "score", "effort"}, "scoring.toml");
  c.schema(root);
  auto section = [&](std::string_view name) -> const toml::table* {
    const toml::table* t = c.table(root, name);
    if (!t && !root.get(name)) c.error(root, "missing table [" + std::string(name) + "]");
    return t;
  };
  if (const toml::table* t = section("score")) {
    c.only_keys(*t, {"penalty"}, "[score]");
    auto points = [](const toml::node& n) -> std::optional<int> {
      if (!n.is_integer() || n.as_integer()->get() < 0 || n.as_integer()->get() > 100)
        return std::nullopt;
      return static_cast<int>(n.as_integer()->get());
    };
    per_severity(
        *t, "penalty", "[score]",
        {Severity::blocker, Severity::high, Severity::medium, Severity::low, Severity::info},
        "an integer from 0 to 100", points, sm.penalty, c);
  }
  if (const toml::table* t = section("effort")) {
    c.only_keys(*t, {"default", "rules"}, "[effort]");
    constexpr std::string_view kHours = "a number of hours from 0 to 1000 in quarters (0.25)";
    per_severity(*t, "default", "[effort]",
                 {Severity::blocker, Severity::high, Severity::medium, Severity::low}, kHours,
                 hours_value, sm.default_hours, c);
    if (const toml::node* n = t->get("rules")) {
      if (const toml::table* rules = n->as_table()) {
        for (auto&& [id, value] : *rules) {
          const std::string rule(id.str());
          if (!find_rule(rule)) {
            c.error(id.source(), "unknown rule " + in_quotes(rule) + " in [effort.rules]");
            continue;
          }
          if (auto v = hours_value(value))
            sm.rule_hours[rule] = *v;
          else
            c.error(value, in_quotes(rule) + " in [effort.rules] must be " + std::string(kHours));
        }
      } else {
        c.error(*n, "\"rules\" in [effort] must be a table ([effort.rules])");
      }
    }
  }
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return s.str();
}

} // namespace

double ScoringModel::hours(std::string_view rule, Severity severity) const {
  if (severity == Severity::info) return 0;
  if (auto it = rule_hours.find(std::string(rule)); it != rule_hours.end()) return it->second;
  return default_hours[static_cast<std::size_t>(severity)];
}

const LineInfo& Ruleset::target_line() const {
  static const LineInfo empty;
  const LineInfo* l = find_line(target);
  return l ? *l : empty;
}

const LineInfo* Ruleset::find_line(std::string_view line) const {
  auto it =
      std::find_if(lines.begin(), lines.end(), [&](const LineInfo& l) { return l.line == line; });
  return it == lines.end() ? nullptr : &*it;
}

std::optional<int> Ruleset::line_index(std::string_view line) const {
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i].line == line) return static_cast<int>(i);
  return std::nullopt;
}

bool Ruleset::is_otel_crate(std::string_view crate) const {
  return std::any_of(lines.begin(), lines.end(), [&](const LineInfo& l) {
    return l.crates.find(std::string(crate)) != l.crates.end();
  });
}

// A version listed on several lines (opentelemetry-prometheus 0.17 on 0.24, 0.25 and 0.26)
// maps to the NEWEST of them: the crate had no newer release while those lines were current, so
// a repository on it is as up to date as that crate could be. Mapping to the oldest would report
// such repositories as lines behind for something they cannot change; the crates that do move
// with every line (opentelemetry, opentelemetry_sdk) still show the repository's real line.
std::optional<std::string> Ruleset::line_of(std::string_view crate, const Version& v) const {
  const LineKey want = key_of(v);
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    auto c = it->crates.find(std::string(crate));
    if (c == it->crates.end()) continue;
    auto k = parse_crate_version(c->second);
    if (k && *k == want) return it->line;
  }
  return std::nullopt;
}

// Same choice as line_of: the newest line whose bridge is v's line.
std::optional<std::string> Ruleset::bridge_line_of(const Version& v) const {
  const LineKey want = key_of(v);
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (it->bridge.empty()) continue;
    auto k = parse_line_text(it->bridge);
    if (k && *k == want) return it->line;
  }
  return std::nullopt;
}

// Covers the crates of the target line and the bridge crate (its line's `bridge`); companions
// carry their own requirement in `companions`.
std::optional<std::string> Ruleset::target_version(std::string_view crate) const {
  const LineInfo& t = target_line();
  auto it = t.crates.find(std::string(crate));
  if (it != t.crates.end()) return it->second;
  if (crate == bridge_crate && !t.bridge.empty()) return t.bridge;
  return std::nullopt;
}

RulesetResult parse_ruleset(std::string_view lines_text, const std::string& lines_file,
                            std::string_view target_text, const std::string& target_file) {
  return parse_ruleset(lines_text, lines_file, target_text, target_file, DataText{}, DataText{});
}

std::optional<bool> line_less(std::string_view a, std::string_view b) {
  auto ka = parse_line_text(a), kb = parse_line_text(b);
  if (!ka || !kb) return std::nullopt;
  return *ka < *kb;
}

RulesetResult parse_ruleset(std::string_view lines_text, const std::string& lines_file,
                            std::string_view target_text, const std::string& target_file,
                            const DataText& api_changes, const DataText& conventions,
                            const DataText& scoring) {
  RulesetResult result;
  std::vector<Diagnostic> lines_errors, target_errors, api_errors, conv_errors, scoring_errors;
  Checker lc(lines_errors, lines_file);
  Checker tc(target_errors, target_file);

  Ruleset rs;
  rs.files = {lines_file, target_file};
  std::vector<ParsedLine> lines;
  bool lines_ok = false;
  if (auto root = parse_toml(lines_text, lc)) {
    lines = read_lines(*root, lc);
    lines_ok = lines_errors.empty();
  }
  // Checks against otel-lines.toml run only on a valid one; otherwise they would repeat its errors.
  const std::vector<ParsedLine> none;
  if (auto root = parse_toml(target_text, tc))
    read_target(*root, tc, lines_ok ? lines : none, lines_ok, rs);

  // toml++ iterates tables in key order; report in file order instead.
  auto by_position = [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.loc.line, a.loc.column) < std::tie(b.loc.line, b.loc.column);
  };
  std::stable_sort(lines_errors.begin(), lines_errors.end(), by_position);
  std::stable_sort(target_errors.begin(), target_errors.end(), by_position);

  if (!api_changes.file.empty()) {
    Checker ac(api_errors, api_changes.file);
    rs.files.push_back(api_changes.file);
    if (auto root = parse_toml(api_changes.text, ac)) read_api_changes(*root, ac, rs);
    std::stable_sort(api_errors.begin(), api_errors.end(), by_position);
  }
  if (!conventions.file.empty()) {
    Checker cc(conv_errors, conventions.file);
    rs.files.push_back(conventions.file);
    if (auto root = parse_toml(conventions.text, cc)) read_conventions(*root, cc, rs.conventions);
    std::stable_sort(conv_errors.begin(), conv_errors.end(), by_position);
    rs.conventions.loaded = conv_errors.empty();
  }
  if (!scoring.file.empty()) {
    Checker sc(scoring_errors, scoring.file);
    rs.files.push_back(scoring.file);
    if (auto root = parse_toml(scoring.text, sc)) read_scoring(*root, sc, rs.scoring);
    std::stable_sort(scoring_errors.begin(), scoring_errors.end(), by_position);
    rs.scoring.loaded = scoring_errors.empty();
  }

  result.errors = std::move(lines_errors);
  for (auto* more : {&target_errors, &api_errors, &conv_errors, &scoring_errors})
    result.errors.insert(result.errors.end(), more->begin(), more->end());
  if (!result.errors.empty()) return result;

  for (auto& l : lines)
    rs.lines.push_back(std::move(l.info));
  result.ruleset = std::move(rs);
  return result;
}

RulesetResult load_ruleset(const std::filesystem::path& rules_dir, std::string_view target) {
  RulesetResult result;
  const std::filesystem::path lines_path = rules_dir / "otel-lines.toml";
  // A target that is not a line could name any file ("../x"), so it never reaches the path.
  const bool valid_target = parse_line_text(target).has_value();
  const std::filesystem::path target_path =
      rules_dir / ("otel-" + std::string(valid_target ? target : "invalid") + ".toml");

  auto available = available_targets(rules_dir);
  std::optional<std::string> target_text;
  if (valid_target) target_text = read_file(target_path);
  if (!target_text) {
    result.errors.push_back({std::string(kRule),
                             {target_path.string(), 0, 0},
                             "no rule data for target " + in_quotes(target) + " (available: " +
                                 (available.empty() ? "none" : join(available)) + ")"});
    return result;
  }
  auto lines_text = read_file(lines_path);
  if (!lines_text) {
    result.errors.push_back(
        {std::string(kRule), {lines_path.string(), 0, 0}, "cannot read otel-lines.toml"});
    return result;
  }
  // The source rules' data is optional: a rules directory without it audits manifests only.
  const std::filesystem::path api_path = rules_dir / "api-changes.toml";
  const std::filesystem::path conv_path = rules_dir / "conventions.toml";
  std::error_code ec;
  std::optional<std::string> api_text, conv_text;
  DataText api, conv;
  for (auto [path, text, data] :
       {std::tuple{&api_path, &api_text, &api}, std::tuple{&conv_path, &conv_text, &conv}}) {
    if (!std::filesystem::exists(*path, ec)) continue;
    *text = read_file(*path);
    if (!*text) {
      result.errors.push_back(
          {std::string(kRule), {path->string(), 0, 0}, "cannot read " + path->filename().string()});
      return result;
    }
    *data = DataText{**text, path->string()};
  }
  // The readiness model is required: without it no score or effort could be given.
  const std::filesystem::path scoring_path = rules_dir / "scoring.toml";
  auto scoring_text = read_file(scoring_path);
  if (!scoring_text) {
    result.errors.push_back(
        {std::string(kRule), {scoring_path.string(), 0, 0}, "cannot read scoring.toml"});
    return result;
  }
  result = parse_ruleset(*lines_text, lines_path.string(), *target_text, target_path.string(), api,
                         conv, DataText{*scoring_text, scoring_path.string()});
  if (result.ruleset && result.ruleset->target != target) {
    result.errors.push_back({std::string(kRule),
                             {target_path.string(), 0, 0},
                             "target " + in_quotes(result.ruleset->target) + " in " +
                                 target_path.filename().string() +
                                 " does not match its file name"});
    result.ruleset.reset();
  }
  return result;
}

std::vector<std::string> available_targets(const std::filesystem::path& rules_dir) {
  std::vector<std::pair<LineKey, std::string>> found;
  std::error_code ec;
  std::filesystem::directory_iterator it(rules_dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    constexpr std::string_view prefix = "otel-", suffix = ".toml";
    if (name.size() <= prefix.size() + suffix.size() || !name.starts_with(prefix) ||
        !name.ends_with(suffix))
      continue;
    std::string line = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    if (auto k = parse_line_text(line)) found.emplace_back(*k, line);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& [k, line] : found)
    out.push_back(line);
  return out;
}

} // namespace otelaudit
