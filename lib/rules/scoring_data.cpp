#include <algorithm>
#include <array>

#include "rules/data_readers.h"
#include "rules/rule_table.h"

namespace otelaudit::data {

namespace {

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

} // namespace

void read_scoring(const toml::table& root, Checker& c, ScoringModel& sm) {
  c.only_keys(root, {"schema", "score", "effort", "verdict"}, "scoring.toml");
  c.schema(root, 1);
  auto section = [&](std::string_view name) { return c.required_table(root, name); };
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
  if (const toml::table* t = section("verdict")) {
    c.only_keys(*t, {"min_score"}, "[verdict]");
    const toml::node* n = t->get("min_score");
    if (!n)
      c.error(*t, "missing key \"min_score\" in [verdict]");
    else if (!n->is_integer() || n->as_integer()->get() < 0 || n->as_integer()->get() > 100)
      c.error(*n, "\"min_score\" in [verdict] must be an integer from 0 to 100");
    else
      sm.verdict_min_score = static_cast<int>(n->as_integer()->get());
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

} // namespace otelaudit::data
