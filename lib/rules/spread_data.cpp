#include "rules/spread_data.h"

#include <set>

#include "rules/data_readers.h"

namespace otelaudit::data {

namespace {

std::optional<Boundary> parse_boundary(std::string_view s) {
  if (s == "semver") return Boundary::semver;
  if (s == "major") return Boundary::major;
  if (s == "minor") return Boundary::minor;
  return std::nullopt;
}

} // namespace

void read_spread_rules(const toml::table& root, Checker& c, SpreadRules& out) {
  c.only_keys(root, {"schema", "crate"}, "spread.toml");
  c.schema(root, 1);
  out.file = c.file();
  if (!root.get("crate")) c.error(root, "missing key \"crate\": no [[crate]] listed");
  std::set<std::string> seen;
  for (const toml::table* t : c.tables(root, "crate")) {
    constexpr std::string_view where = "[[crate]]";
    c.only_keys(*t, {"name", "boundary"}, where);
    auto name = c.text(*t, "name", where);
    if (!name) continue;
    SpreadCrate sc;
    sc.crate = *name;
    if (!seen.insert(sc.crate).second)
      c.error(*t->get("name"), "crate " + in_quotes(sc.crate) + " is listed twice");
    if (auto b = c.string(*t, "boundary", where, false)) {
      auto parsed = parse_boundary(*b);
      if (!parsed) {
        c.error(*t->get("boundary"), "\"boundary\" must be one of semver, major, minor");
        continue;
      }
      sc.boundary = *parsed;
    }
    out.crates.push_back(std::move(sc));
  }
}

} // namespace otelaudit::data
