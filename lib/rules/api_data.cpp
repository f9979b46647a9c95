#include <algorithm>

#include "rules/data_readers.h"

namespace otelaudit::data {

namespace {

/// A Rust path as data writes it: at least crate::item, no spaces, no leading `::`.
bool valid_path(std::string_view p) {
  return p.find("::") != std::string_view::npos && !p.starts_with("::") && !p.ends_with("::") &&
         p.find(' ') == std::string_view::npos && p.find("::::") == std::string_view::npos;
}

/// A method or function name: no path separators, dots, parentheses or spaces.
bool valid_name(std::string_view n) {
  return !n.empty() && n.find_first_of(":.( ") == std::string_view::npos;
}

/// `replacement = [{ from = "0.27", text = "…", source = "…" }, …]`: at least one, `from`
/// strictly increasing and not older than `breaks`.
std::optional<std::vector<Replacement>> read_replacements(const toml::table& t, Checker& c,
                                                          const std::optional<LineKey>& breaks) {
  const toml::node* node = t.get("replacement");
  if (!node) {
    c.error(t, "missing key \"replacement\" in [[change]]");
    return std::nullopt;
  }
  const toml::array* array = node->as_array();
  if (!array || array->empty()) {
    c.error(*node, "\"replacement\" must be a non-empty array of { from, text, source } tables");
    return std::nullopt;
  }
  std::vector<Replacement> out;
  std::optional<LineKey> previous;
  bool ok = true;
  for (const toml::node& item : *array) {
    const toml::table* r = item.as_table();
    if (!r) {
      c.error(item, "each \"replacement\" must be a table { from, text, source }");
      ok = false;
      continue;
    }
    constexpr std::string_view where = "a replacement";
    c.only_keys(*r, {"from", "text", "source"}, where);
    auto from = c.line_string(*r, "from", where, true);
    auto text = c.text(*r, "text", where);
    auto source = c.text(*r, "source", where);
    if (!from || !text || !source) {
      ok = false;
      continue;
    }
    if (breaks && from->second < *breaks) {
      c.error(*r->get("from"), "replacement from " + in_quotes(from->first) +
                                   " is older than the line where the change breaks");
      ok = false;
    } else if (previous && !(*previous < from->second)) {
      c.error(*r->get("from"), "replacements go oldest first, each from a newer line");
      ok = false;
    }
    previous = from->second;
    out.push_back({from->first, *text, *source});
  }
  if (ok && breaks && !out.empty() && parse_line_text(out.front().from) != breaks)
    c.error(*node, "the first replacement must be from the line where the change breaks");
  if (!ok) return std::nullopt;
  return out;
}

} // namespace

void read_api_changes(const toml::table& root, Checker& c, std::vector<ApiChange>& out) {
  c.only_keys(root, {"schema", "change"}, "api-changes.toml");
  c.schema(root, 2);
  if (!root.get("change"))
    c.error(root, "missing key \"change\": api-changes.toml lists no [[change]]");
  constexpr std::string_view where = "[[change]]";
  for (const toml::table* t : c.tables(root, "change")) {
    c.only_keys(*t,
                {"identifier", "path", "method", "on", "receiver", "args", "crate", "breaks",
                 "deprecated", "restored", "feature", "replacement", "severity", "source"},
                where);
    ApiChange ch;
    bool ok = true;
    auto need = [&](std::string_view key, std::string& into) {
      auto v = c.text(*t, key, where);
      if (v) into = *v;
      ok = ok && v.has_value();
    };
    need("identifier", ch.identifier);
    need("crate", ch.crate);
    need("source", ch.source);
    auto path = c.string(*t, "path", where, false);
    auto method = c.string(*t, "method", where, false);
    if (path.has_value() == method.has_value()) {
      c.error(*t, std::string(where) + " needs exactly one of \"path\" and \"method\"");
      ok = false;
    } else if (path) {
      if (!valid_path(*path)) {
        c.error(*t->get("path"), "\"path\" must be a Rust path like \"crate::item\"");
        ok = false;
      }
      ch.path = *path;
    } else {
      if (!valid_name(*method)) {
        c.error(*t->get("method"), "\"method\" must be a method name like \"with_config\"");
        ok = false;
      }
      ch.method = *method;
    }
    // `on` and `receiver` narrow a method entry; a path entry is exact already.
    for (std::string_view key : {"on", "receiver"}) {
      const toml::node* n = t->get(key);
      if (!n) continue;
      auto items = c.strings(*n, in_quotes(key) + " in [[change]]", true);
      if (!method) {
        c.error(*n, in_quotes(key) + " in [[change]] applies to a \"method\" entry only");
        ok = false;
        continue;
      }
      if (!items) {
        ok = false;
        continue;
      }
      const bool paths = key == "on";
      if (!std::all_of(items->begin(), items->end(),
                       [&](const std::string& s) { return valid_name(s) || valid_path(s); })) {
        c.error(*n, paths ? "\"on\" lists crates or Rust paths like \"opentelemetry::Key\""
                          : "\"receiver\" lists calls like \"u64_counter\" or "
                            "\"TracerProvider::builder\"");
        ok = false;
        continue;
      }
      (paths ? ch.on : ch.receiver) = std::move(*items);
    }
    if (const toml::node* a = t->get("args")) {
      if (!a->is_integer() || a->as_integer()->get() < 0 || a->as_integer()->get() > 64) {
        c.error(*a, "\"args\" must be an integer from 0 to 64");
        ok = false;
      } else {
        ch.args = static_cast<int>(a->as_integer()->get());
      }
    }
    auto breaks = c.line_string(*t, "breaks", where, true);
    if (breaks)
      ch.breaks = breaks->first;
    else
      ok = false;
    if (auto d = c.line_string(*t, "deprecated", where, false)) {
      if (breaks && !(d->second < breaks->second)) {
        c.error(*t->get("deprecated"), "\"deprecated\" must be a line older than \"breaks\"");
        ok = false;
      }
      ch.deprecated = d->first;
    } else if (t->get("deprecated")) {
      ok = false;
    }
    if (auto r = c.line_string(*t, "restored", where, false)) {
      if (breaks && !(breaks->second < r->second)) {
        c.error(*t->get("restored"), "\"restored\" must be a line newer than \"breaks\"");
        ok = false;
      }
      ch.restored = r->first;
    } else if (t->get("restored")) {
      ok = false;
    }
    if (auto f = c.string(*t, "feature", where, false)) {
      if (!valid_name(*f)) {
        c.error(*t->get("feature"), "\"feature\" must be a feature name like "
                                    "\"spec_unstable_metrics_views\"");
        ok = false;
      }
      ch.feature = *f;
    } else if (t->get("feature")) {
      ok = false;
    }
    auto replacements =
        read_replacements(*t, c, breaks ? std::optional(breaks->second) : std::nullopt);
    if (replacements)
      ch.replacements = std::move(*replacements);
    else
      ok = false;
    auto severity = c.severity(*t, where);
    if (severity)
      ch.severity = *severity;
    else
      ok = false;
    if (ok) out.push_back(std::move(ch));
  }
}

} // namespace otelaudit::data
