#include "rules/families/manifest.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "rules/declarations.h"
#include "rules/dep_text.h"

namespace otelaudit {

namespace {

bool has_feature(const CrateOnLine& c, const std::string& f) {
  return std::find(c.features.begin(), c.features.end(), f) != c.features.end();
}

// The line a requirement of `crate` selects, when the packs know it.
const LineInfo* selected_line(const Ruleset& rules, const Dependency& dep) {
  if (!dep.req || !rules.is_otel_crate(dep.package)) return nullptr;
  std::string error;
  auto req = parse_requirement(dep.req->value, error);
  if (!req) return nullptr;
  auto lines = rules.selected_lines(dep.package, *req);
  return lines.empty() ? nullptr : rules.find_line(lines.back());
}

} // namespace

void check_unknown_features(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  // Every entry that names features: declarations Cargo resolves, and members' inheriting
  // entries that add features to them (judged at the line of the entry they inherit).
  std::vector<std::pair<const Dependency*, const Dependency*>> entries; // written, resolved
  for (const Declaration& d : collect_declarations(repo.cargo, rules))
    entries.emplace_back(d.dep, d.dep);
  for (const PackageModel& p : repo.cargo.packages)
    for (const Dependency& d : p.dependencies)
      if (d.inherited)
        for (const Manifest& m : repo.cargo.manifests)
          if (m.file == p.manifest_file)
            for (const Dependency& w : m.dependencies)
              if (w.workspace && w.key == d.key && w.kind == d.kind && w.target == d.target &&
                  !w.features.empty())
                entries.emplace_back(&w, &d);
  std::set<std::tuple<std::string, int, int>> seen;
  for (const auto& [written, resolved] : entries) {
    const LineInfo* li = selected_line(rules, *resolved);
    if (!li) continue;
    const CrateOnLine* c = li->find(resolved->package);
    if (!c || !c->features_known) continue;
    for (const Located& f : written->features) {
      if (has_feature(*c, f.value)) continue;
      if (!seen.insert({f.loc.file, f.loc.line, f.loc.column}).second) continue;
      std::vector<std::string> owners;
      for (const auto& [name, other] : li->crates)
        if (other.features_known && has_feature(other, f.value)) owners.push_back(name);
      const bool confirmed = rules.confirmed(li->line) && c->confirmed;
      std::string message =
          fmt::format("{} {} has no feature \"{}\" (the {} line): Cargo refuses the manifest",
                      resolved->package, c->latest, f.value, li->line);
      std::string fix;
      if (!owners.empty()) {
        message +=
            fmt::format("; {} {} it", quoted_list(owners), owners.size() == 1 ? "has" : "have");
        Dependency moved;
        moved.key = owners.front();
        moved.package = owners.front();
        // Written at the target, as every fix is, when the crate has the feature there too.
        const CrateOnLine* t = rules.target_line().find(owners.front());
        if (t && t->features_known && has_feature(*t, f.value))
          fix = dependency_line(moved, t->requirement(), {f.value});
      }
      sink.emit("unknown-feature", confirmed ? Severity::blocker : Severity::high, f.loc,
                std::move(message), std::move(fix));
    }
  }
}

} // namespace otelaudit
