#include "graph/spread.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "graph/compat.h"
#include "rules/rule_table.h"

namespace otelaudit {

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : ", ") + items[i];
  return out;
}

} // namespace

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
    f.severity = default_severity(f.rule);
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
