#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "rules/declarations.h"
#include "rules/dep_text.h"
#include "rules/families/manifest.h"
#include "rules/families/source.h"
#include "rules/feature_set.h"

namespace otelaudit {

namespace {

/// The entry a user edits to add features to `dep` of `pkg`: the [workspace.dependencies]
/// entry when the member inherits it without adding features of its own, else the member's.
const Dependency* feature_site(const CargoModel& cargo, const PackageModel& pkg,
                               const Dependency& dep) {
  if (!dep.inherited) return &dep;
  const Dependency* written = nullptr;
  for (const Manifest& m : cargo.manifests)
    if (m.file == pkg.manifest_file)
      for (const Dependency& d : m.dependencies)
        if (d.workspace && d.key == dep.key && d.kind == dep.kind && d.target == dep.target)
          written = &d;
  if (written && !written->features.empty()) return written;
  for (const Manifest& m : cargo.manifests)
    if (m.file == pkg.workspace_root && m.workspace)
      for (const Dependency& d : m.workspace->dependencies)
        if (d.key == dep.key) return &d;
  return written ? written : &dep;
}

struct Site {
  const Dependency* dep;
  bool in_workspace_table = false; // `dep` is a [workspace.dependencies] entry
  std::set<std::string> missing;
  std::vector<std::string> packages;
};

/// Reports packages whose `crate` dependency lacks some of `required`, once per entry to edit.
/// Which packages a requirement applies to, and at which line's defaults it is judged.
struct Scope {
  const std::set<const PackageModel*>* packages = nullptr; // nullptr: every package
  bool target_defaults = false; // the target line's defaults, not those of the line in use
};

void require_features(const RepoModel& repo, const Ruleset& rules, Sink& sink,
                      const std::string& crate, const std::vector<std::string>& required,
                      std::string_view rule, Severity severity, std::string_view why,
                      Scope scope = {}) {
  std::map<std::tuple<std::string, int, int>, Site> sites;
  const EnabledFeatures features(repo.cargo, rules);
  for (const PackageModel& pkg : repo.cargo.packages) {
    if (scope.packages && !scope.packages->count(&pkg)) continue;
    for (const Dependency& dep : pkg.dependencies) {
      if (dep.package != crate || !features.builds(pkg, dep)) continue;
      const std::set<std::string> enabled = features.of(pkg, crate, scope.target_defaults);
      std::set<std::string> missing;
      for (const std::string& f : required)
        if (!enabled.count(f)) missing.insert(f);
      if (missing.empty()) continue;
      const Dependency* site = feature_site(repo.cargo, pkg, dep);
      Site& s = sites[{site->loc.file, site->loc.line, site->loc.column}];
      s.dep = site;
      s.in_workspace_table = site != &dep && !site->workspace;
      s.missing.insert(missing.begin(), missing.end());
      s.packages.push_back(pkg.name);
    }
  }
  for (auto& [_, s] : sites) {
    std::vector<std::string> missing;
    for (const std::string& f : required)
      if (s.missing.count(f)) missing.push_back(f);
    // Only features the crate has on the target: another would make Cargo refuse the entry.
    std::vector<std::string> features;
    const CrateOnLine* on_target = rules.target_line().find(crate);
    for (const std::string& f : feature_names(*s.dep))
      if (!on_target || !on_target->features_known ||
          std::find(on_target->features.begin(), on_target->features.end(), f) !=
              on_target->features.end())
        features.push_back(f);
    for (const std::string& f : missing)
      if (std::find(features.begin(), features.end(), f) == features.end()) features.push_back(f);
    // The suggested entry is the canonical one: the target line's version with the features.
    std::string version =
        rules.target_version(crate).value_or(s.dep->req ? s.dep->req->value : rules.target);
    std::string fix;
    if (s.dep->workspace || s.in_workspace_table) {
      fix = s.dep->workspace ? fmt::format("{} = {{ workspace = true, features = [{}] }}",
                                           s.dep->key, quoted_list(features))
                             : dependency_line(*s.dep, version, features);
    } else {
      // A member's own entry of a crate its workspace declares inherits it there.
      EntryEdits edits;
      add_entry(edits, repo.cargo, s.dep->loc.file, *s.dep, version, features,
                [&](const std::string& f) {
                  return !on_target || !on_target->features_known ||
                         std::find(on_target->features.begin(), on_target->features.end(), f) !=
                             on_target->features.end();
                });
      fix = edits.text();
    }
    std::sort(s.packages.begin(), s.packages.end());
    s.packages.erase(std::unique(s.packages.begin(), s.packages.end()), s.packages.end());
    std::string used_by;
    for (const std::string& p : s.packages)
      used_by += (used_by.empty() ? "" : ", ") + p;
    sink.emit(rule, severity, s.dep->loc,
              fmt::format("{} lacks feature{} {} {} (in {})", crate, missing.size() == 1 ? "" : "s",
                          quoted_list(missing), why, used_by),
              fix, s.packages.size() == 1 ? s.packages.front() : std::string());
  }
}

} // namespace

std::set<const PackageModel*> packages_calling(const RepoModel& repo,
                                               const std::vector<std::string>& names) {
  std::set<const PackageModel*> out;
  for (const source::FileView& v : source::production_files(repo)) {
    if (!v.package || v.orphan() || out.count(v.package)) continue;
    for (const rust::Call& c : v.facts->calls) {
      if (c.in_test || c.macro || source::line_in_test(*v.facts, c.pos.line)) continue;
      if (std::find(names.begin(), names.end(), source::split_path(c.callee).back()) !=
          names.end()) {
        out.insert(v.package);
        break;
      }
    }
  }
  return out;
}

void check_features(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  for (const FeatureRequirement& fr : rules.required_features) {
    if (fr.when_calls.empty()) {
      require_features(repo, rules, sink, fr.crate, fr.features, "missing-feature", fr.severity,
                       "that the canonical set requires");
      continue;
    }
    const std::set<const PackageModel*> callers = packages_calling(repo, fr.when_calls);
    if (callers.empty()) continue;
    std::string calls;
    for (const std::string& c : fr.when_calls)
      calls += (calls.empty() ? "." : " or .") + c + "()";
    require_features(repo, rules, sink, fr.crate, fr.features, "missing-feature", fr.severity,
                     fmt::format("that its code's {} needs on the {} line", calls, rules.target),
                     Scope{&callers, true});
  }

  for (const Companion& c : rules.companions) {
    std::string error;
    auto canonical = parse_requirement(c.version, error);
    auto canonical_line = canonical ? requirement_line(*canonical) : std::nullopt;
    for (const Declaration& d : collect_declarations(repo.cargo, rules)) {
      if (d.dep->package != c.crate || !d.req || !canonical_line) continue;
      auto line = requirement_line(*d.req);
      if (!line || *line == *canonical_line) continue;
      EntryEdits edits;
      if (d.workspace_table)
        edits.add(d.manifest->file, "workspace.dependencies",
                  dependency_line(*d.dep, c.version, feature_names(*d.dep)));
      else
        add_entry(edits, repo.cargo, d.manifest->file, *d.dep, c.version, feature_names(*d.dep));
      sink.emit("companion-drift", c.severity, d.dep->req->loc,
                fmt::format("{} {} differs from the canonical {} of the {} set", c.crate,
                            d.dep->req->value, c.version, rules.target),
                edits.text());
    }
    if (!c.features.empty())
      require_features(repo, rules, sink, c.crate, c.features, "companion-drift", c.severity,
                       "that the canonical set enables");
  }
}

} // namespace otelaudit
