#include "graph/spread.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <toml++/toml.h>
#include <tuple>

#include "cargo/toml_guard.h"
#include "graph/compat.h"
#include "rules/rule_table.h"

namespace otelaudit {

namespace {

constexpr std::string_view kDataRule = "rule-data-invalid";

Diagnostic data_error(const std::string& file, const toml::source_region& at, std::string message) {
  int line = static_cast<int>(at.begin.line), column = static_cast<int>(at.begin.column);
  if (line == 0) line = column = 1; // the root table has no position
  return {std::string(kDataRule), {file, line, column}, std::move(message)};
}

std::optional<Boundary> parse_boundary(std::string_view s) {
  if (s == "semver") return Boundary::semver;
  if (s == "major") return Boundary::major;
  if (s == "minor") return Boundary::minor;
  return std::nullopt;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : ", ") + items[i];
  return out;
}

} // namespace

SpreadRulesResult parse_spread_rules(std::string_view text, const std::string& file) {
  SpreadRulesResult result;
  if (auto bad = toml_prescan(text, file, std::string(kDataRule))) {
    result.errors.push_back(*bad);
    return result;
  }
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    result.errors.push_back(data_error(file, e.source(), std::string(e.description())));
    return result;
  }
  auto& errors = result.errors;
  for (auto&& [key, value] : root) {
    (void)value;
    if (key.str() != "schema" && key.str() != "crate")
      errors.push_back(data_error(file, key.source(),
                                  "unknown key \"" + std::string(key.str()) + "\" in spread.toml"));
  }
  const toml::node* schema = root.get("schema");
  if (!schema)
    errors.push_back(data_error(file, root.source(), "missing key \"schema\""));
  else if (!schema->is_integer() || schema->as_integer()->get() != 1)
    errors.push_back(data_error(file, schema->source(), "\"schema\" must be 1"));

  SpreadRules rules;
  rules.file = file;
  const toml::node* crates = root.get("crate");
  const toml::array* array = crates ? crates->as_array() : nullptr;
  if (!crates) {
    errors.push_back(data_error(file, root.source(), "missing key \"crate\": no [[crate]] listed"));
  } else if (!array || !array->is_array_of_tables()) {
    errors.push_back(
        data_error(file, crates->source(), "\"crate\" must be an array of tables ([[crate]])"));
  } else {
    std::set<std::string> seen;
    for (const toml::node& item : *array) {
      const toml::table& t = *item.as_table();
      for (auto&& [key, value] : t) {
        (void)value;
        if (key.str() != "name" && key.str() != "boundary")
          errors.push_back(data_error(
              file, key.source(), "unknown key \"" + std::string(key.str()) + "\" in [[crate]]"));
      }
      SpreadCrate c;
      const toml::node* name = t.get("name");
      if (!name || !name->is_string() || name->as_string()->get().empty()) {
        errors.push_back(data_error(file, name ? name->source() : t.source(),
                                    "[[crate]] needs a non-empty string \"name\""));
        continue;
      }
      c.crate = name->as_string()->get();
      if (!seen.insert(c.crate).second)
        errors.push_back(
            data_error(file, name->source(), "crate \"" + c.crate + "\" is listed twice"));
      if (const toml::node* b = t.get("boundary")) {
        std::optional<Boundary> parsed;
        if (b->is_string()) parsed = parse_boundary(b->as_string()->get());
        if (!parsed)
          errors.push_back(
              data_error(file, b->source(), "\"boundary\" must be one of semver, major, minor"));
        else
          c.boundary = *parsed;
      }
      rules.crates.push_back(std::move(c));
    }
  }
  std::stable_sort(errors.begin(), errors.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.loc.line, a.loc.column) < std::tie(b.loc.line, b.loc.column);
  });
  if (errors.empty()) result.rules = std::move(rules);
  return result;
}

SpreadRulesResult load_spread_rules(const std::filesystem::path& rules_dir) {
  const std::filesystem::path path = rules_dir / "spread.toml";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    SpreadRulesResult r;
    r.errors.push_back({std::string(kDataRule), {path.string(), 0, 0}, "cannot read spread.toml"});
    return r;
  }
  std::ostringstream s;
  s << in.rdbuf();
  return parse_spread_rules(s.str(), path.string());
}

std::string breaking_unit(const Version& v, Boundary b) {
  switch (b) {
  case Boundary::semver:
    return v.line();
  case Boundary::major:
    return std::to_string(v.major);
  case Boundary::minor:
    return std::to_string(v.major) + "." + std::to_string(v.minor);
  }
  return v.line();
}

std::vector<SpreadRow> compute_spread(const std::vector<GraphRepo>& repos, const SpreadRules& rules,
                                      const RepoGraph& graph) {
  std::vector<const GraphRepo*> sorted;
  for (const GraphRepo& r : repos)
    sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(),
            [](const GraphRepo* a, const GraphRepo* b) { return a->name < b->name; });

  std::vector<SpreadRow> rows;
  for (const SpreadCrate& c : rules.crates) {
    // One locked version of the crate in one repository, at its first `[[package]]` entry.
    struct Held {
      Version v;
      std::string repo;
      Location loc;
    };
    std::vector<Held> held;
    for (const GraphRepo* r : sorted) {
      if (!r->cargo) continue;
      for (const Lockfile& lock : r->cargo->lockfiles)
        for (const LockedPackage* p : lock.find(c.crate)) {
          // No source: a package of the repository itself that happens to share the name.
          if (p->source.empty()) continue;
          if (auto v = parse_version(p->version)) {
            Location loc = p->loc;
            if (loc.file.empty()) loc.file = lock.file;
            held.push_back({*v, r->name, loc});
          }
        }
    }
    if (held.empty()) continue;
    auto by_version = [](const Held& a, const Held& b) { return a.v < b.v; };
    const Version min = std::min_element(held.begin(), held.end(), by_version)->v;
    const Version max = std::max_element(held.begin(), held.end(), by_version)->v;

    SpreadRow row;
    row.crate = c.crate;
    row.min = min.str();
    row.max = max.str();
    std::set<std::string> min_repos, max_repos;
    std::vector<std::string> units;
    for (const Held& h : held) {
      if (h.v == min) min_repos.insert(h.repo);
      if (h.v == max) max_repos.insert(h.repo);
      std::string u = breaking_unit(h.v, c.boundary);
      if (std::find(units.begin(), units.end(), u) == units.end()) units.push_back(u);
    }
    std::sort(units.begin(), units.end(),
              [](const std::string& a, const std::string& b) { return line_less(a, b); });
    row.min_repos.assign(min_repos.begin(), min_repos.end());
    row.max_repos.assign(max_repos.begin(), max_repos.end());
    row.units = units;
    row.crosses = breaking_unit(min, c.boundary) != breaking_unit(max, c.boundary);

    // The holder the old version comes from: one that reaches no other holder.
    row.reported_in = row.min_repos.front();
    for (const std::string& r : row.min_repos) {
      auto reach = graph.reachable(r);
      bool source = std::none_of(row.min_repos.begin(), row.min_repos.end(),
                                 [&](const std::string& o) { return o != r && reach.count(o); });
      if (source) {
        row.reported_in = r;
        break;
      }
    }
    for (const Held& h : held)
      if (h.repo == row.reported_in && h.v == min) {
        row.loc = h.loc;
        break;
      }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<Finding> spread_findings(const std::vector<SpreadRow>& rows) {
  std::vector<Finding> out;
  for (const SpreadRow& row : rows) {
    if (!row.crosses) continue;
    Finding f;
    f.rule = "transitive-spread";
    const RuleInfo* info = find_rule(f.rule);
    f.severity = info ? info->default_severity : Severity::medium;
    f.repo = row.reported_in;
    f.loc = row.loc;
    f.message = row.crate + " is locked from " + row.min + " (" + join(row.min_repos) + ") to " +
                row.max + " (" + join(row.max_repos) +
                ") across the set: " + std::to_string(row.units.size()) +
                " incompatible release lines (" + join(row.units) +
                ") are built, and their types do not mix";
    f.fix = "update " + row.crate + " to " + row.units.back() + " in " + row.reported_in +
            " (cargo update -p " + row.crate + " after raising the requirement)";
    out.push_back(std::move(f));
  }
  return out;
}

} // namespace otelaudit
