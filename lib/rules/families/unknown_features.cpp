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

/// Whether `dep` is an entry of some [workspace.dependencies] table.
bool in_workspace_table(const CargoModel& cargo, const Dependency* dep) {
  for (const Manifest& m : cargo.manifests)
    if (m.workspace)
      for (const Dependency& d : m.workspace->dependencies)
        if (&d == dep) return true;
  return false;
}

/// The entry of `crate` in the table `written` is in (the same [workspace.dependencies], or
/// the same manifest's table of its kind and target), or nullptr.
const Dependency* owner_entry(const CargoModel& cargo, const Dependency& written, bool in_table,
                              const std::string& crate) {
  for (const Manifest& m : cargo.manifests) {
    if (m.file != written.loc.file) continue;
    if (in_table) {
      for (const Dependency& d : m.workspace->dependencies)
        if (d.package == crate) return &d;
    } else {
      for (const Dependency& d : m.dependencies)
        if ((d.package == crate || (d.workspace && d.key == crate)) && d.kind == written.kind &&
            d.target == written.target)
          return &d;
    }
  }
  return nullptr;
}

/// `dep` without the feature `feature`: as written when it inherits, else at the target, as
/// every fix is written (with the features its crate still has there).
std::string without_feature(const Dependency& dep, const std::string& feature,
                            const Ruleset& rules) {
  const CrateOnLine* on_target = rules.target_line().find(dep.package);
  std::vector<std::string> rest;
  for (const Located& f : dep.features)
    if (f.value != feature && (dep.workspace || !on_target || !on_target->features_known ||
                               has_feature(*on_target, f.value)))
      rest.push_back(f.value);
  if (!dep.workspace)
    return dependency_line(
        dep,
        rules.target_version(dep.package).value_or(dep.req ? dep.req->value : std::string("*")),
        rest);
  if (rest.empty() && !dep.optional) return dep.key + ".workspace = true";
  return fmt::format("{} = {{ workspace = true{}{} }}", dep.key,
                     rest.empty() ? "" : ", features = [" + quoted_list(rest) + "]",
                     dep.optional ? ", optional = true" : "");
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
        moved.kind = written->kind;
        moved.target = written->target;
        // Written at the target, as every fix is, when the crate has the feature there too.
        const CrateOnLine* t = rules.target_line().find(owners.front());
        const bool in_table = in_workspace_table(repo.cargo, written);
        const std::string table =
            in_table ? "workspace.dependencies" : dependency_table(written->kind, written->target);
        // The entry that named the feature, without it, comes first: both are what to write.
        EntryEdits edits;
        edits.add(f.loc.file, table, without_feature(*written, f.value, rules));
        if (const Dependency* there = owner_entry(repo.cargo, *written, in_table, moved.package)) {
          // The table already has an entry of that crate: the feature goes into it (a second
          // key of one crate is no valid TOML).
          std::vector<std::string> list = feature_names(*there);
          if (std::find(list.begin(), list.end(), f.value) == list.end()) list.push_back(f.value);
          edits.add(f.loc.file, table,
                    there->workspace
                        ? fmt::format("{} = {{ workspace = true, features = [{}]{} }}", there->key,
                                      quoted_list(list), there->optional ? ", optional = true" : "")
                        : dependency_line(*there,
                                          there->req ? there->req->value
                                                     : (t ? t->requirement() : rules.target),
                                          list));
          fix = edits.text();
        } else if (t && t->features_known && has_feature(*t, f.value)) {
          if (in_table)
            edits.add(f.loc.file, table, dependency_line(moved, t->requirement(), {f.value}));
          else // a member whose workspace declares the crate inherits it there
            add_entry(edits, repo.cargo, f.loc.file, moved, t->requirement(), {f.value});
          fix = edits.text();
        }
      }
      sink.emit("unknown-feature", confirmed ? Severity::blocker : Severity::high, f.loc,
                std::move(message), std::move(fix));
    }
  }
}

} // namespace otelaudit
