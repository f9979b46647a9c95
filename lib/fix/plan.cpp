#include "fix/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <tuple>

#include "fix/toml_edit.h"
#include "rules/declarations.h"
#include "rules/families/manifest.h"

namespace otelaudit::fix {

namespace {

bool before(const Location& a, const Location& b) {
  return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
}

EntryRef ref_of(const Manifest& m, const Dependency& d, bool workspace) {
  return {m.file, workspace, d.target, d.kind, d.key, d.loc};
}

/// The replacement a pack's [[deprecated]] fix names: `crate = "1"` or `crate = { version =
/// "1", features = […] }`.
struct Replacement {
  std::string crate;
  std::string version;
  std::vector<std::string> features;
};

std::optional<Replacement> read_replacement(const std::string& fix) {
  std::string error;
  std::optional<Document> doc = read_document(fix, error);
  if (!doc || doc->tables.size() != 1 || doc->tables[0].entries.size() != 1) return std::nullopt;
  const KeyValue& kv = doc->tables[0].entries[0];
  if (kv.key.size() != 1) return std::nullopt;
  Replacement r;
  r.crate = kv.key[0].name;
  if (kv.value.kind == Value::Kind::string) {
    r.version = kv.value.str;
    return r;
  }
  if (kv.value.kind != Value::Kind::table) return std::nullopt;
  for (const KeyValue& f : kv.value.entries) {
    if (f.key.size() != 1) return std::nullopt;
    const std::string& name = f.key[0].name;
    if (name == "version" && f.value.kind == Value::Kind::string) {
      r.version = f.value.str;
    } else if (name == "features" && f.value.kind == Value::Kind::array) {
      for (const Value& v : f.value.items) {
        if (v.kind != Value::Kind::string) return std::nullopt;
        r.features.push_back(v.str);
      }
    } else {
      return std::nullopt; // anything else would need more than a rename to write
    }
  }
  if (r.version.empty()) return std::nullopt;
  return r;
}

/// The single comparator of a requirement as written: its operator text (with the spaces
/// after it) and its version numbers.
struct Written {
  std::string op;                 // "", "^", "~", "=", "= " …
  std::vector<std::string> parts; // "0", "26", "1" or "*"
  bool wildcard = false;
};

std::optional<Written> read_written(std::string_view text) {
  while (!text.empty() && text.front() == ' ')
    text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ')
    text.remove_suffix(1);
  Written w;
  std::size_t i = 0;
  while (i < text.size() && (text[i] == '^' || text[i] == '~' || text[i] == '='))
    ++i;
  if (i > 1) return std::nullopt; // `>=`-style operators and ranges are not rewritten in style
  while (i < text.size() && text[i] == ' ')
    ++i;
  w.op = std::string(text.substr(0, i));
  std::string part;
  for (; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : '.';
    if (c == '.') {
      if (part.empty()) return std::nullopt;
      w.parts.push_back(part);
      part.clear();
    } else if ((c >= '0' && c <= '9') || ((c == '*' || c == 'x' || c == 'X') && part.empty())) {
      part += c;
      if (c == '*' || c == 'x' || c == 'X') w.wildcard = true;
    } else {
      return std::nullopt; // pre-releases, build metadata, several comparators
    }
  }
  if (w.parts.empty() || w.parts.size() > 3) return std::nullopt;
  return w;
}

std::vector<std::string> split_dots(const std::string& v) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = v.find('.', start);
    out.push_back(v.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return out;
    start = dot + 1;
  }
}

std::string join_dots(const std::vector<std::string>& parts, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n && i < parts.size(); ++i)
    out += (i ? "." : "") + parts[i];
  return out;
}

bool selects(const Ruleset& rules, const std::string& crate, const std::string& req,
             const std::string& line) {
  std::string error;
  std::optional<VersionReq> r = parse_requirement(req, error);
  if (!r) return false;
  std::vector<std::string> lines = rules.selected_lines(crate, *r);
  return !lines.empty() && lines.back() == line;
}

template <class T>
void add_unique(std::vector<T>& to, const T& v) {
  if (std::find(to.begin(), to.end(), v) == to.end()) to.push_back(v);
}

class Planner {
public:
  Planner(const RepoModel& repo, const Ruleset& rules)
      : repo_(repo), cargo_(repo.cargo), rules_(rules),
        decls_(collect_declarations(repo.cargo, rules)) {
    // Entries no member inherits are no declarations of the audit, but the plan names them
    // among what it leaves.
    for (Declaration& d : unused_workspace_declarations(repo.cargo, rules))
      decls_.push_back(std::move(d));
    std::stable_sort(decls_.begin(), decls_.end(), [](const Declaration& a, const Declaration& b) {
      return std::tie(a.dep->loc.file, a.dep->loc.line, a.dep->loc.column) <
             std::tie(b.dep->loc.file, b.dep->loc.line, b.dep->loc.column);
    });
    for (const Manifest& m : cargo_.manifests) {
      std::string error;
      auto it = cargo_.texts.find(m.file);
      if (it != cargo_.texts.end())
        if (auto doc = read_document(it->second, error)) docs_.emplace(m.file, std::move(*doc));
    }
  }

  FixPlan run() {
    replace_deprecated();
    move_versions();
    fix_unknown_features();
    add_required_features();
    FixPlan plan;
    for (PlannedChange& c : changes_)
      plan.changes.push_back(std::move(c));
    std::stable_sort(plan.changes.begin(), plan.changes.end(),
                     [](const PlannedChange& a, const PlannedChange& b) {
                       return before(a.entry.loc, b.entry.loc);
                     });
    plan.skipped = std::move(skipped_);
    std::stable_sort(plan.skipped.begin(), plan.skipped.end(),
                     [](const Skipped& a, const Skipped& b) { return before(a.loc, b.loc); });
    return plan;
  }

private:
  PlannedChange& change(const EntryRef& ref, const std::string& crate, int group = 0) {
    for (PlannedChange& c : changes_)
      if (c.entry == ref) return c;
    PlannedChange c;
    c.entry = ref;
    c.crate = crate;
    c.group = group ? group : next_group_++;
    changes_.push_back(std::move(c));
    return changes_.back();
  }

  const PlannedChange* planned(const EntryRef& ref) const {
    for (const PlannedChange& c : changes_)
      if (c.entry == ref) return &c;
    return nullptr;
  }

  void skip(const Location& loc, std::string message) {
    skipped_.push_back({loc, std::move(message)});
  }

  // A [workspace.dependencies] entry is used when a package of that workspace inherits it.
  bool inherited(const Declaration& d) const {
    for (const PackageModel& p : cargo_.packages) {
      const bool in_workspace =
          p.workspace_root == d.manifest->file ||
          (p.workspace_root.empty() && (d.manifest->dir.empty() || p.dir == d.manifest->dir ||
                                        p.dir.starts_with(d.manifest->dir + "/")));
      if (!in_workspace) continue;
      for (const Dependency& dep : p.dependencies)
        if (dep.inherited && dep.key == d.dep->key) return true;
    }
    return false;
  }

  const Document* doc(const std::string& file) const {
    auto it = docs_.find(file);
    return it == docs_.end() ? nullptr : &it->second;
  }

  // The entries of one table of one manifest, to find a replacement already declared there.
  static const Dependency* sibling(const Manifest& m, const EntryRef& ref,
                                   const std::string& crate) {
    if (ref.workspace && !m.workspace) return nullptr;
    const std::vector<Dependency>& deps =
        ref.workspace ? m.workspace->dependencies : m.dependencies;
    for (const Dependency& d : deps)
      if (d.kind == ref.kind && d.target == ref.target && d.key != ref.key &&
          (d.package == crate || d.key == crate))
        return &d;
    return nullptr;
  }

  const Manifest* manifest(const std::string& file) const {
    for (const Manifest& m : cargo_.manifests)
      if (m.file == file) return &m;
    return nullptr;
  }

  // ---- deprecated crates ------------------------------------------------------------------

  void replace_deprecated() {
    for (const Declaration& d : decls_) {
      const DeprecatedCrate* dc = rules_.deprecation(d.dep->package);
      if (!dc) continue;
      const Dependency& dep = *d.dep;
      if (d.workspace_table && !inherited(d)) {
        skip(dep.loc, fmt::format("{} in [workspace.dependencies] is not replaced: no member "
                                  "inherits it",
                                  dep.key));
        continue;
      }
      std::optional<Replacement> r = read_replacement(dc->fix);
      if (!r) {
        skip(dep.loc, fmt::format("{} is not replaced: the rule pack's fix for it is not a "
                                  "dependency entry that can be written ({})",
                                  dep.package, dc->fix));
        continue;
      }
      if (dep.source != Dependency::Source::registry || !dep.req) {
        skip(dep.loc, fmt::format("{} is not replaced: it is a path or git dependency; write {} "
                                  "by hand",
                                  dep.package, dc->fix));
        continue;
      }
      // Members that inherit the entry are renamed with it; any of them named by [features]
      // keeps the whole group as it is.
      const EntryRef ref = ref_of(*d.manifest, dep, d.workspace_table);
      std::vector<std::pair<const Manifest*, const Dependency*>> members;
      if (d.workspace_table)
        for (const PackageModel& p : cargo_.packages)
          for (const Dependency& pd : p.dependencies)
            if (pd.inherited && pd.key == dep.key && p.workspace_root == d.manifest->file)
              if (const Manifest* m = manifest(p.manifest_file))
                for (const Dependency& md : m->dependencies)
                  if (md.workspace && md.key == pd.key && md.kind == pd.kind &&
                      md.target == pd.target)
                    members.emplace_back(m, &md);
      std::string blocked;
      if (const Document* dd = doc(d.manifest->file); dd && named_by_features(*dd, dep.key))
        blocked = d.manifest->file;
      for (const auto& [m, md] : members)
        if (const Document* md_doc = doc(m->file); md_doc && named_by_features(*md_doc, md->key))
          blocked = m->file;
      if (!blocked.empty()) {
        skip(dep.loc, fmt::format("{} is not replaced: the [features] table of {} names it; "
                                  "write {} and rename those features by hand",
                                  dep.key, blocked, dc->fix));
        continue;
      }
      const std::string why = fmt::format(
          "{} {} replaced by {} {}{}", dep.package, dep.req->value, r->crate, r->version,
          dc->replacement.empty() || dc->replacement == r->crate ? ""
                                                                 : " (" + dc->replacement + ")");
      PlannedChange& c = change(ref, dep.package);
      const int group = c.group;
      c.rules.push_back("deprecated-exporter");
      c.reasons.push_back(why);
      if (const Dependency* existing = sibling(*d.manifest, ref, r->crate)) {
        // The replacement is declared beside it already: the deprecated entry goes, and the
        // replacement gets the features the pack's fix names.
        c.remove = true;
        const EntryRef rref = ref_of(*d.manifest, *existing, d.workspace_table);
        // What its defaults on the target line give it already is not written again.
        std::set<std::string> enabled;
        for (const Located& g : existing->features)
          enabled.insert(g.value);
        if (const CrateOnLine* e = rules_.target_line().find(existing->package);
            e && existing->default_features)
          enabled.insert(e->default_features.begin(), e->default_features.end());
        std::vector<std::string> missing;
        for (const std::string& f : r->features)
          if (!enabled.count(f)) missing.push_back(f);
        if (!missing.empty()) {
          PlannedChange& rc = change(rref, existing->package, group);
          for (const std::string& f : missing)
            add_unique(rc.add_features, f);
          add_unique(rc.rules, std::string("deprecated-exporter"));
        }
      } else {
        c.rename = r->crate;
        c.version = r->version;
        c.old_version = dep.req->value;
        c.set_features = r->features;
        c.drop_package = dep.key != dep.package;
      }
      for (const auto& [m, md] : members) {
        const EntryRef mref = ref_of(*m, *md, false);
        PlannedChange& mc = change(mref, dep.package, group);
        mc.rules.push_back("deprecated-exporter");
        mc.reasons.push_back(fmt::format("inherits {} from the workspace", r->crate));
        if (sibling(*m, mref, r->crate)) {
          mc.remove = true;
        } else {
          mc.rename = r->crate;
          // The deprecated crate's features mean nothing to its replacement.
          if (!md->features.empty()) mc.set_features = std::vector<std::string>{};
        }
      }
    }
  }

  // ---- versions ---------------------------------------------------------------------------

  void move_versions() {
    const std::string& target = rules_.target;
    for (const Declaration& d : decls_) {
      const Dependency& dep = *d.dep;
      if (!(d.otel || d.bridge) || rules_.deprecation(dep.package) || !dep.req) continue;
      const EntryRef ref = ref_of(*d.manifest, dep, d.workspace_table);
      if (const PlannedChange* p = planned(ref); p && (p->remove || p->rename)) continue;
      if (!d.req_error.empty()) {
        skip(d.dep->req->loc, fmt::format("{} \"{}\" is not moved: the requirement is not valid "
                                          "({})",
                                          dep.package, dep.req->value, d.req_error));
        continue;
      }
      if (d.on_line(target) || (d.lines.empty() && !d.older)) continue;
      if (d.workspace_table && !inherited(d)) {
        skip(dep.req->loc, fmt::format("{} \"{}\" in [workspace.dependencies] is not moved: no "
                                       "member inherits it (remove the entry, or inherit it)",
                                       dep.package, dep.req->value));
        continue;
      }
      std::optional<std::string> req =
          requirement_on_line(dep.req->value, dep.package, rules_.target_line(), rules_);
      if (!req) {
        skip(dep.req->loc, fmt::format("{} \"{}\" is not moved: no release of {} is built for "
                                       "the {} line",
                                       dep.package, dep.req->value, dep.package, target));
        continue;
      }
      PlannedChange& c = change(ref, dep.package);
      c.version = *req;
      c.old_version = dep.req->value;
      const std::string from =
          d.older ? "a line older than the rule data knows" : fmt::format("the {} line", d.line());
      c.reasons.push_back(
          d.bridge ? fmt::format("{} \"{}\" → \"{}\" (built for opentelemetry {} → {})",
                                 dep.package, dep.req->value, *req,
                                 d.older ? "older than the rule data knows" : d.line(), target)
                   : fmt::format("{} \"{}\" → \"{}\" ({} → {})", dep.package, dep.req->value, *req,
                                 from, target));
      const int t = rules_.line_index(target).value_or(0);
      const int l = d.older ? -1 : rules_.line_index(d.line()).value_or(t);
      c.rules.push_back(l < t ? "otel-version-behind" : "otel-version-ahead");
      c.rules.push_back(d.bridge ? "tracing-bridge-mismatch" : "otel-line-mixed");
    }
  }

  // ---- features the crate does not have on the target -------------------------------------

  // The crate an entry names and whether it is an OpenTelemetry crate (or the bridge) on the
  // target line once the plan is made: moved there, or there already. A member's
  // `workspace = true` entry answers for the [workspace.dependencies] entry it inherits.
  std::optional<std::string> crate_on_target(const Manifest& m, const Dependency& wd,
                                             bool ws) const {
    const Declaration* decl = nullptr;
    if (wd.workspace) {
      std::string root;
      for (const PackageModel& p : cargo_.packages)
        if (p.manifest_file == m.file) root = p.workspace_root;
      for (const Declaration& d : decls_)
        if (d.workspace_table && d.manifest->file == root && d.dep->key == wd.key) decl = &d;
    } else {
      for (const Declaration& d : decls_)
        if (d.dep == &wd && d.workspace_table == ws) decl = &d;
    }
    if (!decl || !(decl->otel || decl->bridge) || rules_.deprecation(decl->dep->package))
      return std::nullopt;
    const PlannedChange* p = planned(ref_of(*decl->manifest, *decl->dep, decl->workspace_table));
    if (p && (p->remove || p->rename)) return std::nullopt;
    if (!(p && p->version) && !decl->on_line(rules_.target)) return std::nullopt;
    return decl->dep->package;
  }

  // A feature written for a crate that does not have it on the target line stops the build
  // there (Cargo: "package does not have that feature"), as `rt-tokio` of `opentelemetry` does
  // from 0.21, when the runtimes moved to `opentelemetry_sdk`. It moves to the crate of the
  // same table that has it on the target, or is removed, naming the crates that have it.
  void fix_unknown_features() {
    const LineInfo& line = rules_.target_line();
    auto has = [&](const std::string& crate, const std::string& f) {
      const CrateOnLine* e = line.find(crate);
      return e && e->features_known &&
             std::find(e->features.begin(), e->features.end(), f) != e->features.end();
    };
    for (const Manifest& m : cargo_.manifests) {
      auto table = [&](const std::vector<Dependency>& deps, bool ws) {
        for (const Dependency& wd : deps) {
          if (wd.features.empty()) continue;
          const EntryRef ref = ref_of(m, wd, ws);
          if (const PlannedChange* p = planned(ref); p && (p->remove || p->rename)) continue;
          const std::optional<std::string> crate = crate_on_target(m, wd, ws);
          if (!crate) continue;
          const CrateOnLine* entry = line.find(*crate);
          if (!entry || !entry->features_known) continue;
          for (const Located& lf : wd.features) {
            const std::string& f = lf.value;
            if (f == "default" || f.find('/') != std::string::npos || has(*crate, f)) continue;
            // A crate of the same table that has it takes it.
            const Dependency* to = nullptr;
            std::string to_crate;
            for (const Dependency& s : deps) {
              if (&s == &wd || s.kind != wd.kind || s.target != wd.target) continue;
              const EntryRef sref = ref_of(m, s, ws);
              if (const PlannedChange* p = planned(sref); p && (p->remove || p->rename)) continue;
              std::optional<std::string> sc = crate_on_target(m, s, ws);
              if (sc && has(*sc, f)) {
                to = &s;
                to_crate = *sc;
                break;
              }
            }
            PlannedChange& c = change(ref, *crate);
            add_unique(c.remove_features, f);
            if (to) {
              const CrateOnLine* te = line.find(to_crate);
              bool enabled = to->default_features && te &&
                             std::find(te->default_features.begin(), te->default_features.end(),
                                       f) != te->default_features.end();
              for (const Located& g : to->features)
                enabled = enabled || g.value == f;
              if (!enabled)
                add_unique(change(ref_of(m, *to, ws), to_crate, c.group).add_features, f);
              c.reasons.push_back(fmt::format("feature \"{}\" moves from {} to {} ({} has no such "
                                              "feature on the {} line)",
                                              f, wd.key, to->key, *crate, line.line));
              continue;
            }
            std::string owners;
            for (const auto& [name, o] : line.crates)
              if (name != *crate && has(name, f)) owners += (owners.empty() ? "" : ", ") + name;
            c.reasons.push_back(fmt::format(
                "{} loses feature \"{}\": {} has no such feature on the {} line{}", wd.key, f,
                *crate, line.line,
                owners.empty()
                    ? std::string()
                    : fmt::format(" ({} has it: declare it if the code needs it)", owners)));
          }
        }
      };
      table(m.dependencies, false);
      if (m.workspace) table(m.workspace->dependencies, true);
    }
  }

  // ---- features ---------------------------------------------------------------------------

  // The entry a package's dependency takes its features from that the fix edits: the member's
  // own entry when it lists features, else the [workspace.dependencies] entry it inherits
  // (where missing-feature reports it).
  std::optional<EntryRef> feature_site(const PackageModel& pkg, const Dependency& dep) const {
    const Manifest* m = manifest(pkg.manifest_file);
    if (!m) return std::nullopt;
    if (!dep.inherited) return ref_of(*m, dep, false);
    const Dependency* written = nullptr;
    for (const Dependency& d : m->dependencies)
      if (d.workspace && d.key == dep.key && d.kind == dep.kind && d.target == dep.target)
        written = &d;
    if (written && !written->features.empty()) return ref_of(*m, *written, false);
    if (const Manifest* root = manifest(pkg.workspace_root); root && root->workspace)
      for (const Dependency& d : root->workspace->dependencies)
        if (d.key == dep.key) return ref_of(*root, d, true);
    if (written) return ref_of(*m, *written, false);
    return std::nullopt;
  }

  // The declaration (a written entry with the requirement) a package's dependency gets its
  // version from.
  const Declaration* declaration_of(const PackageModel& pkg, const Dependency& dep) const {
    for (const Declaration& d : decls_) {
      if (d.dep->key != dep.key) continue;
      if (dep.inherited ? (d.workspace_table && d.manifest->file == pkg.workspace_root)
                        : (!d.workspace_table && d.manifest->file == pkg.manifest_file &&
                           d.dep->kind == dep.kind && d.dep->target == dep.target))
        return &d;
    }
    return nullptr;
  }

  // The line a dependency is on once the plan is applied: the target when its declaration
  // moves there (or is there), else the line it selects today.
  const LineInfo* line_after(const PackageModel& pkg, const Dependency& dep) const {
    const Declaration* d = declaration_of(pkg, dep);
    if (!d) return nullptr;
    const EntryRef ref = ref_of(*d->manifest, *d->dep, d->workspace_table);
    if (const PlannedChange* p = planned(ref); p && p->version) return &rules_.target_line();
    if (d->lines.empty()) return nullptr;
    return rules_.find_line(d->line());
  }

  /// Features one entry must gain, gathered over every package that takes its features.
  struct Need {
    EntryRef site;
    std::string crate;
    std::vector<std::string> features;
    std::optional<EntryRef> inherits; // the workspace entry a member's own entry adds to
    std::string why;
  };

  // The [workspace.dependencies] entry an inherited dependency of `pkg` comes from.
  std::optional<EntryRef> workspace_entry(const PackageModel& pkg, const Dependency& dep) const {
    if (!dep.inherited) return std::nullopt;
    if (const Manifest* root = manifest(pkg.workspace_root); root && root->workspace)
      for (const Dependency& d : root->workspace->dependencies)
        if (d.key == dep.key) return ref_of(*root, d, true);
    return std::nullopt;
  }

  void add_required_features() {
    std::vector<Need> needs;
    for (const FeatureRequirement& fr : rules_.required_features) {
      std::set<const PackageModel*> callers;
      std::string why = fmt::format("required on the {} line", rules_.target);
      if (!fr.when_calls.empty()) {
        callers = packages_calling(repo_, fr.when_calls);
        if (callers.empty()) continue;
        std::string calls;
        for (const std::string& c : fr.when_calls)
          calls += (calls.empty() ? "." : " or .") + c + "()";
        why = fmt::format("the code calls {}", calls);
      }
      for (const PackageModel& pkg : cargo_.packages) {
        if (!fr.when_calls.empty() && !callers.count(&pkg)) continue;
        for (const Dependency& dep : pkg.dependencies) {
          if (dep.package != fr.crate || dep.kind != DepKind::normal) continue;
          std::set<std::string> enabled;
          for (const Located& f : dep.features)
            enabled.insert(f.value);
          // Judged as the check judges it once the plan is made: at the line the dependency
          // is on then (conditional requirements: at the target's defaults).
          const LineInfo* line =
              fr.when_calls.empty() ? line_after(pkg, dep) : &rules_.target_line();
          const CrateOnLine* entry = line ? line->find(fr.crate) : nullptr;
          if (dep.default_features && entry)
            enabled.insert(entry->default_features.begin(), entry->default_features.end());
          std::vector<std::string> missing;
          for (const std::string& f : fr.features)
            if (!enabled.count(f)) missing.push_back(f);
          if (missing.empty()) continue;
          std::optional<EntryRef> site = feature_site(pkg, dep);
          if (!site) continue;
          if (const PlannedChange* p = planned(*site); p && (p->remove || p->rename)) continue;
          auto it = std::find_if(needs.begin(), needs.end(),
                                 [&](const Need& n) { return n.site == *site; });
          if (it == needs.end()) {
            Need n{*site, fr.crate, {}, std::nullopt, why};
            if (!site->workspace) n.inherits = workspace_entry(pkg, dep);
            needs.push_back(std::move(n));
            it = needs.end() - 1;
          }
          for (const std::string& f : missing) {
            if (entry && entry->features_known &&
                std::find(entry->features.begin(), entry->features.end(), f) ==
                    entry->features.end()) {
              skip(site->loc, fmt::format("feature \"{}\" is not added to {}: {} has no such "
                                          "feature on the {} line",
                                          f, site->key, fr.crate, line->line));
              continue;
            }
            add_unique(it->features, f);
          }
        }
      }
    }
    // A member entry that adds features to an inherited one needs none the workspace entry
    // gains: Cargo enables the union.
    for (Need& n : needs) {
      if (!n.inherits) continue;
      for (const Need& w : needs)
        if (w.site == *n.inherits)
          std::erase_if(n.features, [&](const std::string& f) {
            return std::find(w.features.begin(), w.features.end(), f) != w.features.end();
          });
    }
    for (const Need& n : needs) {
      if (n.features.empty()) continue;
      PlannedChange& c = change(n.site, n.crate);
      for (const std::string& f : n.features)
        add_unique(c.add_features, f);
      add_unique(c.rules, std::string("missing-feature"));
      std::string list;
      for (const std::string& f : n.features)
        list += (list.empty() ? "\"" : ", \"") + f + "\"";
      c.reasons.push_back(fmt::format("{} gains feature{} {} ({})", n.crate,
                                      n.features.size() == 1 ? "" : "s", list, n.why));
    }
  }

  const RepoModel& repo_;
  const CargoModel& cargo_;
  const Ruleset& rules_;
  std::vector<Declaration> decls_;
  std::map<std::string, Document> docs_;
  std::deque<PlannedChange> changes_; // a deque: references stay valid as changes are added
  std::vector<Skipped> skipped_;
  int next_group_ = 1;
};

} // namespace

std::optional<std::string> requirement_on_line(const std::string& written, const std::string& crate,
                                               const LineInfo& line, const Ruleset& rules) {
  const CrateOnLine* e = line.find(crate);
  if (!e) return std::nullopt;
  const std::string plain = e->requirement();
  const std::vector<std::string> req = split_dots(plain);
  std::string styled;
  if (std::optional<Written> w = read_written(written)) {
    const std::string bare_op = w->op.empty() ? "" : std::string(1, w->op.front());
    if (w->wildcard) {
      // `0.26.*` keeps its wildcard after as many numbers as the line needs.
      std::size_t numbers = 0;
      while (numbers < w->parts.size() && w->parts[numbers] != "*" && w->parts[numbers] != "x" &&
             w->parts[numbers] != "X")
        ++numbers;
      if (numbers >= 1 && numbers <= req.size() && w->op.empty())
        styled = join_dots(req, numbers) + "." + w->parts[numbers];
    } else if (bare_op == "=") {
      styled = w->op + e->latest;
    } else if (w->parts.size() == 3) {
      styled = w->op + (req.size() == 3 ? plain : e->latest);
    } else if (w->parts.size() == 2 || req.size() == 3) {
      styled = w->op + plain;
    } else if (w->parts.size() == 1) {
      // A bare major ("0") selects every 0.x: only the line's requirement can select one line.
      styled = w->op + plain;
    }
  }
  if (!styled.empty() && selects(rules, crate, styled, line.line)) return styled;
  if (selects(rules, crate, plain, line.line)) return plain;
  return std::nullopt;
}

bool fix_handles(std::string_view rule) {
  static constexpr std::string_view kRules[] = {"otel-version-behind", "otel-version-ahead",
                                                "otel-line-mixed",     "tracing-bridge-mismatch",
                                                "deprecated-exporter", "missing-feature"};
  return std::find(std::begin(kRules), std::end(kRules), rule) != std::end(kRules);
}

FixPlan plan_fixes(const RepoModel& repo, const Ruleset& rules) {
  return Planner(repo, rules).run();
}

} // namespace otelaudit::fix
