#include "rules/feature_set.h"

#include <algorithm>
#include <deque>
#include <vector>

namespace otelaudit {

namespace {

const Manifest* manifest_of(const CargoModel& cargo, const std::string& file) {
  auto it = std::lower_bound(cargo.manifests.begin(), cargo.manifests.end(), file,
                             [](const Manifest& m, const std::string& f) { return m.file < f; });
  return it != cargo.manifests.end() && it->file == file ? &*it : nullptr;
}

std::string build_key(const PackageModel& p) {
  return p.workspace_root.empty() ? p.manifest_file : p.workspace_root;
}

} // namespace

EnabledFeatures::EnabledFeatures(const CargoModel& cargo, const Ruleset& rules)
    : cargo_(cargo), rules_(rules) {}

const EnabledFeatures::Unit& EnabledFeatures::unit(const PackageModel& pkg) const {
  const std::string key = build_key(pkg);
  auto it = units_.find(key);
  if (it == units_.end()) it = units_.emplace(key, resolve(key)).first;
  return it->second;
}

EnabledFeatures::Unit EnabledFeatures::resolve(const std::string& key) const {
  std::vector<const PackageModel*> members;
  for (const PackageModel& p : cargo_.packages)
    if (build_key(p) == key) members.push_back(&p);
  std::map<std::string, const PackageModel*> by_name;
  for (const PackageModel* p : members)
    by_name.emplace(p->name, p);

  // Each member's own features, starting from `default` (every member is built with its
  // defaults), and the dependencies they turn on, to a fixed point.
  std::map<const PackageModel*, std::set<std::string>> own;
  std::map<const PackageModel*, std::set<std::string>> active_deps; // keys of optional deps
  std::deque<std::pair<const PackageModel*, std::string>> work;
  auto enable = [&](const PackageModel* p, const std::string& f) {
    if (own[p].insert(f).second) work.emplace_back(p, f);
  };
  for (const PackageModel* p : members)
    enable(p, "default");
  auto feature_table = [&](const PackageModel* p) -> const std::vector<FeatureDecl>* {
    const Manifest* m = manifest_of(cargo_, p->manifest_file);
    return m ? &m->features : nullptr;
  };
  // `dep:x` written anywhere hides the implicit feature `x` of an optional dependency.
  auto implicit_hidden = [&](const PackageModel* p, const std::string& dep_key) {
    const std::vector<FeatureDecl>* t = feature_table(p);
    if (!t) return false;
    for (const FeatureDecl& d : *t)
      for (const Located& e : d.enables)
        if (e.value == "dep:" + dep_key) return true;
    return false;
  };
  auto activate_dep = [&](const PackageModel* p, const std::string& dep_key) {
    active_deps[p].insert(dep_key);
  };
  auto dep_active = [&](const PackageModel* p, const Dependency& d) {
    return !d.optional || active_deps[p].count(d.key) > 0;
  };
  // Requests on member packages through path dependencies, applied as their own features.
  auto request_member = [&](const Dependency& d) {
    if (d.source != Dependency::Source::path) return;
    auto it = by_name.find(d.package);
    if (it == by_name.end()) return;
    for (const Located& f : d.features)
      enable(it->second, f.value);
    if (d.default_features) enable(it->second, "default");
  };
  std::set<std::pair<const PackageModel*, std::string>> requested; // member deps seen active
  auto request_active_members = [&]() {
    for (const PackageModel* p : members)
      for (const Dependency& d : p->dependencies)
        if (d.kind == DepKind::normal && dep_active(p, d) && requested.insert({p, d.key}).second)
          request_member(d);
  };
  request_active_members();
  for (;;) {
    while (!work.empty()) {
      auto [p, f] = work.front();
      work.pop_front();
      const std::vector<FeatureDecl>* t = feature_table(p);
      bool declared = false;
      if (t)
        for (const FeatureDecl& d : *t) {
          if (d.name.value != f) continue;
          declared = true;
          for (const Located& e : d.enables) {
            const std::string& v = e.value;
            if (v.starts_with("dep:")) {
              activate_dep(p, v.substr(4));
            } else if (auto slash = v.find('/'); slash != std::string::npos) {
              if (v[slash - 1] != '?') activate_dep(p, v.substr(0, slash));
            } else {
              enable(p, v);
            }
          }
        }
      // The implicit feature of an optional dependency.
      if (!declared && !implicit_hidden(p, f)) activate_dep(p, f);
    }
    const std::size_t before = requested.size();
    request_active_members();
    if (requested.size() == before && work.empty()) break;
  }

  Unit out;
  out.active = active_deps;
  for (const PackageModel* p : members) {
    for (const Dependency& d : p->dependencies) {
      if (d.kind != DepKind::normal || !dep_active(p, d)) continue;
      Request& r = out.requests[d.package];
      for (const Located& f : d.features)
        r.listed.insert(f.value);
      if (d.default_features) r.defaults = true;
      if (d.req && rules_.is_otel_crate(d.package)) {
        std::string error;
        if (auto req = parse_requirement(d.req->value, error)) {
          auto lines = rules_.selected_lines(d.package, *req);
          if (!lines.empty() && (r.line.empty() || rules_.line_index(lines.back()).value_or(-1) >
                                                       rules_.line_index(r.line).value_or(-1)))
            r.line = lines.back();
        }
      }
    }
    // `x/f` and `x?/f` of the member's enabled features.
    const std::vector<FeatureDecl>* t = feature_table(p);
    if (!t) continue;
    for (const FeatureDecl& fd : *t) {
      if (!own[p].count(fd.name.value)) continue;
      for (const Located& e : fd.enables) {
        auto slash = e.value.find('/');
        if (slash == std::string::npos || e.value.starts_with("dep:")) continue;
        const bool weak = slash > 0 && e.value[slash - 1] == '?';
        const std::string dep_key = e.value.substr(0, weak ? slash - 1 : slash);
        for (const Dependency& d : p->dependencies)
          if (d.key == dep_key && d.kind == DepKind::normal && dep_active(p, d))
            out.requests[d.package].listed.insert(e.value.substr(slash + 1));
      }
    }
  }
  return out;
}

bool EnabledFeatures::builds(const PackageModel& pkg, const Dependency& dep) const {
  if (dep.kind != DepKind::normal) return false;
  if (!dep.optional) return true;
  const Unit& u = unit(pkg);
  auto it = u.active.find(&pkg);
  return it != u.active.end() && it->second.count(dep.key) > 0;
}

std::set<std::string> EnabledFeatures::of(const PackageModel& pkg, const std::string& crate,
                                          bool target_line) const {
  const Unit& u = unit(pkg);
  // Every crate's features with defaults added, then implications followed across crates.
  std::map<std::string, std::set<std::string>> enabled;
  auto line_of = [&](const Request& r) -> const LineInfo* {
    if (target_line) return &rules_.target_line();
    return r.line.empty() ? nullptr : rules_.find_line(r.line);
  };
  std::deque<std::pair<std::string, std::string>> work;
  auto add = [&](const std::string& c, const std::string& f) {
    if (enabled[c].insert(f).second) work.emplace_back(c, f);
  };
  for (const auto& [c, r] : u.requests) {
    for (const std::string& f : r.listed)
      add(c, f);
    if (r.defaults)
      if (const LineInfo* li = line_of(r))
        if (const CrateOnLine* e = li->find(c))
          for (const std::string& f : e->default_features)
            add(c, f);
  }
  while (!work.empty()) {
    auto [c, f] = work.front();
    work.pop_front();
    auto it = u.requests.find(c);
    const LineInfo* li = it != u.requests.end() ? line_of(it->second) : nullptr;
    if (!li) {
      // A crate pulled in only through another crate's feature: the line of the one naming it.
      li = target_line ? &rules_.target_line() : nullptr;
      for (const auto& [oc, r] : u.requests)
        if (!li && !r.line.empty()) li = rules_.find_line(r.line);
    }
    if (!li) continue;
    const CrateOnLine* e = li->find(c);
    if (!e) continue;
    auto imp = e->implies.find(f);
    if (imp == e->implies.end()) continue;
    for (const std::string& v : imp->second) {
      auto slash = v.find('/');
      if (slash == std::string::npos)
        add(c, v);
      else
        add(v.substr(0, slash), v.substr(slash + 1));
    }
  }
  auto it = enabled.find(crate);
  return it == enabled.end() ? std::set<std::string>() : it->second;
}

} // namespace otelaudit
