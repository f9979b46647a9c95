#include "graph/spread.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "common/strings.h"
#include "graph/compat.h"
#include "rules/rule_table.h"

namespace otelaudit {

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

namespace {

/// The package a `dependencies` entry of `lock` names: "name", "name version" or
/// "name version (source)"; nullptr when the lockfile has no such package.
const LockedPackage* resolve_entry(const Lockfile& lock, const std::string& entry) {
  const std::size_t space = entry.find(' ');
  const std::string name = entry.substr(0, space);
  std::string version, source;
  if (space != std::string::npos) {
    std::string rest = entry.substr(space + 1);
    const std::size_t paren = rest.find(" (");
    version = rest.substr(0, paren);
    if (paren != std::string::npos && rest.back() == ')')
      source = rest.substr(paren + 2, rest.size() - paren - 3);
  }
  for (const LockedPackage* p : lock.find(name))
    if ((version.empty() || p->version == version) && (source.empty() || p->source == source))
      return p;
  return nullptr;
}

std::string label(const LockedPackage& p) {
  return p.name + " " + p.version;
}

} // namespace

std::string spread_fix(const Lockfile& lock, const LockedPackage& old, const std::string& unit,
                       Boundary boundary) {
  // Who depends on whom, read from the lockfile's `dependencies` edges.
  std::map<const LockedPackage*, std::vector<const LockedPackage*>> parents;
  for (const LockedPackage& p : lock.packages)
    for (const std::string& e : p.dependencies)
      if (const LockedPackage* d = resolve_entry(lock, e)) parents[d].push_back(&p);
  auto& direct = parents[&old];
  std::sort(direct.begin(), direct.end(), [](const LockedPackage* a, const LockedPackage* b) {
    return std::tie(a->name, a->version) < std::tie(b->name, b->version);
  });
  direct.erase(std::unique(direct.begin(), direct.end()), direct.end());

  // The shortest chain from a package of the repository (no source) down to the old package.
  std::vector<const LockedPackage*> chain;
  {
    std::map<const LockedPackage*, const LockedPackage*> via; // a package -> its dependency
    std::vector<const LockedPackage*> frontier{&old};
    via[&old] = nullptr;
    const LockedPackage* local = nullptr;
    for (std::size_t i = 0; i < frontier.size() && !local; ++i)
      for (const LockedPackage* parent : parents[frontier[i]]) {
        if (via.count(parent)) continue;
        via[parent] = frontier[i];
        if (parent->source.empty()) {
          local = parent;
          break;
        }
        frontier.push_back(parent);
      }
    for (const LockedPackage* p = local; p; p = via[p])
      chain.push_back(p);
  }

  const std::string manifest_dir =
      lock.file.find('/') == std::string::npos ? "" : lock.file.substr(0, lock.file.rfind('/'));
  const std::string command =
      "cargo update" +
      (manifest_dir.empty() ? std::string() : " --manifest-path " + manifest_dir + "/Cargo.toml") +
      " -p " + old.name + "@" + old.version;
  const std::string it = label(old);
  std::string out;
  if (direct.empty())
    return it + ": " + lock.file +
           " lists no package that depends on it; raise the requirement "
           "that pulls it in to " +
           unit + ", then run:\n" + command;
  std::vector<std::string> by;
  for (const LockedPackage* d : direct)
    by.push_back(d->source.empty() ? d->name + " (of this repository)" : label(*d));
  out = it + " is pulled in by " + join(by);
  if (chain.size() > 2) {
    std::vector<std::string> names;
    for (const LockedPackage* p : chain)
      names.push_back(p->source.empty() ? p->name : label(*p));
    out += " (" + join(names, " → ") + ")";
  }
  out += ", in " + lock.file + ". ";

  // What the lockfile shows about each dependent: one of the repository's own requires the old
  // version itself (its requirement can be raised); a third-party crate is either locked also
  // at a newer release that requires a newer version (moving to it drops the old one), or not:
  // then no requirement of the repository changes it, as far as the lockfile shows.
  std::vector<std::string> raise, stuck;
  for (const LockedPackage* d : direct) {
    if (d->source.empty()) {
      raise.push_back(d->name + "'s requirement on " + old.name + " to " + unit);
      continue;
    }
    const LockedPackage* newest_d = d;
    for (const LockedPackage* o : lock.find(d->name)) {
      auto a = parse_version(o->version), b = parse_version(newest_d->version);
      if (a && b && *b < *a) newest_d = o;
    }
    const LockedPackage* uses = nullptr; // the old crate as the newest dependent locks it
    for (const std::string& e : newest_d->dependencies)
      if (const LockedPackage* p = resolve_entry(lock, e); p && p->name == old.name) uses = p;
    auto uv = uses ? parse_version(uses->version) : std::nullopt;
    auto ov = parse_version(old.version);
    const bool moves =
        newest_d != d &&
        (!uses || (uv && ov && breaking_unit(*uv, boundary) != breaking_unit(*ov, boundary)));
    if (moves)
      raise.push_back(d->name + " to " + newest_d->version + " (also locked here, " +
                      (uses ? "on " + label(*uses) : "without " + old.name) + ")");
    else
      stuck.push_back(newest_d == d
                          ? label(*d) + ", the only " + d->name + " it locks, requires it"
                          : label(*newest_d) + ", the newest " + d->name + " it locks, requires " +
                                (uses ? label(*uses) : old.name));
  }
  if (!stuck.empty())
    return out + "No requirement of the repository can change it as far as " + lock.file +
           " shows: " + join(stuck, "; ") +
           (raise.empty() ? std::string(".")
                          : ". Raising " + join(raise, " and ") + " still leaves it.");
  return out + "Raise " + join(raise, " and ") + ", then run:\n" + command;
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
      const Lockfile* lock;
      const LockedPackage* pkg;
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
            held.push_back({*v, r->name, loc, &lock, p});
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
    // Two repositories are built together when one depends on the other through the set, or
    // a third (or one of them) depends on both: its binary links both copies.
    std::map<std::string, std::set<std::string>> reach;
    for (const std::string& r : graph.repos) {
      reach[r] = graph.reachable(r);
      reach[r].insert(r);
    }
    auto linked = [&](const std::string& a, const std::string& b) {
      return std::any_of(reach.begin(), reach.end(),
                         [&](const auto& r) { return r.second.count(a) && r.second.count(b); });
    };
    for (const Held& a : held)
      for (const Held& b : held)
        if (a.repo != b.repo && breaking_unit(a.v, c.boundary) != breaking_unit(b.v, c.boundary)) {
          row.across_repos = true;
          if (linked(a.repo, b.repo)) row.linked = true;
        }

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
        row.fix = spread_fix(*h.lock, *h.pkg, breaking_unit(max, c.boundary), c.boundary);
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
    if (row.across_repos && row.linked) {
      f.message = row.crate + " is locked from " + row.min + " (" + join(row.min_repos) + ") to " +
                  row.max + " (" + join(row.max_repos) +
                  ") across the set: " + std::to_string(row.units.size()) +
                  " incompatible release lines (" + join(row.units) +
                  ") are built, and their types do not mix";
    } else if (row.across_repos) {
      // Repositories no git or path dependency of the set joins are never built together: no
      // binary holds both copies and no type passes between them. Drift the set will meet once
      // they are linked, not a link problem today.
      f.severity = Severity::low;
      f.message = row.crate + " is locked from " + row.min + " (" + join(row.min_repos) + ") to " +
                  row.max + " (" + join(row.max_repos) + "): " + std::to_string(row.units.size()) +
                  " incompatible release lines (" + join(row.units) +
                  "), but no dependency of the set links the repositories that hold them, so no "
                  "build holds two of them";
    } else {
      // One lockfile that already builds: the copies are Cargo's own answer to requirements
      // that differ, and only a type passed between them would not mix.
      f.severity = Severity::info;
      f.message = row.crate + " is locked at " + row.min + " and " + row.max + " inside " +
                  row.reported_in + "'s own lockfiles (" + std::to_string(row.units.size()) +
                  " release lines: " + join(row.units) +
                  "); that build already compiles, so this is no link problem across the set";
    }
    f.fix = row.fix;
    out.push_back(std::move(f));
  }
  return out;
}

} // namespace otelaudit
