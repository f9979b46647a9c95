#include "fix/fix.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "fix/toml_edit.h"
#include "rules/declarations.h"
#include "source/tree.h"

namespace otelaudit::fix {

namespace {

/// A dependency entry as the model reads it, for comparing a manifest before and after.
struct DepDesc {
  bool workspace = false;
  DepKind kind = DepKind::normal;
  std::string target, key, package, req;
  std::vector<std::string> features; // sorted
  bool default_features = true, optional = false, inherits = false;
  int source = 0;
  std::string path, git, branch, tag, rev, registry;

  auto tie() const {
    return std::tie(workspace, kind, target, key, package, req, features, default_features,
                    optional, inherits, source, path, git, branch, tag, rev, registry);
  }
  friend bool operator<(const DepDesc& a, const DepDesc& b) { return a.tie() < b.tie(); }
  friend bool operator==(const DepDesc& a, const DepDesc& b) { return a.tie() == b.tie(); }
};

DepDesc describe(const Dependency& d, bool workspace) {
  DepDesc out;
  out.workspace = workspace;
  out.kind = d.kind;
  out.target = d.target;
  out.key = d.key;
  out.package = d.package;
  out.req = d.req ? d.req->value : std::string("\x01none");
  for (const Located& f : d.features)
    out.features.push_back(f.value);
  std::sort(out.features.begin(), out.features.end());
  out.default_features = d.default_features;
  out.optional = d.optional;
  out.inherits = d.workspace;
  out.source = static_cast<int>(d.source);
  out.path = d.path;
  out.git = d.git;
  out.branch = d.branch;
  out.tag = d.tag;
  out.rev = d.rev;
  out.registry = d.registry;
  return out;
}

std::vector<DepDesc> describe(const Manifest& m) {
  std::vector<DepDesc> out;
  for (const Dependency& d : m.dependencies)
    out.push_back(describe(d, false));
  if (m.workspace)
    for (const Dependency& d : m.workspace->dependencies)
      out.push_back(describe(d, true));
  return out;
}

/// What the planned changes make of the old entries.
bool expect(std::vector<DepDesc>& deps, const PlannedChange& c, std::string& why) {
  auto it = std::find_if(deps.begin(), deps.end(), [&](const DepDesc& d) {
    return d.workspace == c.entry.workspace && d.kind == c.entry.kind &&
           d.target == c.entry.target && d.key == c.entry.key;
  });
  if (it == deps.end()) {
    why = "the model has no entry " + c.entry.key;
    return false;
  }
  if (c.remove) {
    deps.erase(it);
    return true;
  }
  if (c.rename) {
    if (c.drop_package || it->key == it->package) it->package = *c.rename;
    it->key = *c.rename;
  }
  if (c.version) it->req = *c.version;
  if (c.set_features) {
    it->features = *c.set_features;
  } else {
    std::erase_if(it->features, [&](const std::string& f) {
      return std::find(c.remove_features.begin(), c.remove_features.end(), f) !=
             c.remove_features.end();
    });
    for (const std::string& f : c.add_features)
      if (std::find(it->features.begin(), it->features.end(), f) == it->features.end())
        it->features.push_back(f);
  }
  std::sort(it->features.begin(), it->features.end());
  return true;
}

/// Everything of a manifest besides its dependencies that an edit must not change.
std::string outline(const Manifest& m) {
  std::string out;
  if (m.package)
    out += "package " + m.package->name.value + " " +
           (m.package->version ? m.package->version->value : std::string("-")) +
           (m.package->version_workspace ? " ws" : "") +
           fmt::format(" {}", m.package->targets.size());
  if (m.workspace) {
    out += " workspace";
    for (const auto* list :
         {&m.workspace->members, &m.workspace->exclude, &m.workspace->default_members}) {
      out += " [";
      for (const Located& l : *list)
        out += l.value + ",";
      out += "]";
    }
    if (m.workspace->package_version) out += " " + m.workspace->package_version->value;
  }
  return out;
}

std::multiset<std::string> rules_of(const std::vector<Diagnostic>& diags) {
  std::multiset<std::string> out;
  for (const Diagnostic& d : diags)
    out.insert(d.rule);
  return out;
}

std::string lock_dir(const std::string& file) {
  const auto slash = file.rfind('/');
  return slash == std::string::npos ? std::string() : file.substr(0, slash);
}

/// The Cargo.lock that resolves a manifest: the nearest one in a directory above it.
const Lockfile* lockfile_for(const CargoModel& cargo, const std::string& manifest_file) {
  const Lockfile* best = nullptr;
  for (const Lockfile& lf : cargo.lockfiles) {
    const std::string dir = lock_dir(lf.file);
    const bool above = dir.empty() || manifest_file.starts_with(dir + "/");
    if (above && (!best || dir.size() > lock_dir(best->file).size())) best = &lf;
  }
  return best;
}

class Fixer {
public:
  Fixer(const RepoModel& repo, const std::vector<Finding>& findings, const Ruleset& rules)
      : repo_(repo), findings_(findings), rules_(rules) {}

  FixOutcome run() {
    for (const Diagnostic& d : repo_.cargo.diagnostics)
      if (d.rule == "manifest-parse-error") out_.unparsed.push_back(d);
    if (!out_.unparsed.empty()) return std::move(out_);

    FixPlan plan = plan_fixes(repo_, rules_);
    out_.not_changed = plan.skipped;
    // A change that cannot be made drops its group and the rest is tried again, so one odd
    // entry costs only its own fix.
    std::set<int> dropped;
    std::map<std::string, std::string> texts;
    while (true) {
      texts.clear();
      std::optional<std::pair<int, Skipped>> failed;
      for (const std::string& file : files_of(plan, dropped)) {
        failed = edit_file(file, plan, dropped, texts);
        if (failed) break;
      }
      if (!failed) break;
      // Every change of the failed group, and of any group sharing a file with it, is dropped.
      dropped.insert(failed->first);
      out_.not_changed.push_back(failed->second);
    }
    for (const PlannedChange& c : plan.changes)
      if (!dropped.count(c.group)) out_.applied.push_back(c);
    for (const auto& [file, after] : texts)
      out_.files.push_back({file, repo_.cargo.texts.at(file), after});

    if (!out_.files.empty() && !check_repository(texts)) {
      out_.files.clear();
      out_.applied.clear();
    }
    std::stable_sort(out_.not_changed.begin(), out_.not_changed.end(),
                     [](const Skipped& a, const Skipped& b) {
                       return std::tie(a.loc.file, a.loc.line, a.loc.column) <
                              std::tie(b.loc.file, b.loc.line, b.loc.column);
                     });
    lock_refresh(texts);
    for (const Finding& f : findings_)
      if ((f.rule == "removed-api" || f.rule == "jaeger-code") && !f.orphan && !f.suppressed)
        out_.source_changes.push_back(f);
    return std::move(out_);
  }

private:
  static std::vector<std::string> files_of(const FixPlan& plan, const std::set<int>& dropped) {
    std::vector<std::string> out;
    for (const PlannedChange& c : plan.changes)
      if (!dropped.count(c.group) && std::find(out.begin(), out.end(), c.entry.file) == out.end())
        out.push_back(c.entry.file);
    std::sort(out.begin(), out.end());
    return out;
  }

  // Edits one manifest: nullopt when every change of it was made and checked, else the group
  // to drop and why.
  std::optional<std::pair<int, Skipped>> edit_file(const std::string& file, const FixPlan& plan,
                                                   const std::set<int>& dropped,
                                                   std::map<std::string, std::string>& texts) {
    std::vector<const PlannedChange*> changes;
    for (const PlannedChange& c : plan.changes)
      if (c.entry.file == file && !dropped.count(c.group)) changes.push_back(&c);
    ManifestEdit edit = edit_manifest(repo_.cargo.texts.at(file), file, changes);
    if (edit.after) {
      texts[file] = std::move(*edit.after);
      return std::nullopt;
    }
    const PlannedChange& c = *changes[edit.failed];
    return std::make_pair(
        c.group,
        Skipped{c.entry.loc, fmt::format("{} is not changed: {}", c.entry.key,
                                         edit.defect ? edit.error + " (an edit of otel-audit "
                                                                    "went wrong; please report it)"
                                                     : edit.error)});
  }

  // Across manifests: the repository read with the new texts has the same problems as before
  // (no member inherits an entry that is gone).
  bool check_repository(const std::map<std::string, std::string>& texts) {
    std::map<std::string, std::string> files = repo_.cargo.texts;
    for (const auto& [file, text] : texts)
      files[file] = text;
    MemoryTree tree(std::move(files));
    CargoModel after = load_cargo(tree);
    if (rules_of(after.diagnostics) != rules_of(repo_.cargo.diagnostics)) {
      out_.failure = "the edited manifests do not read back as a repository with the same "
                     "workspaces (an edit of otel-audit went wrong; please report it)";
      return false;
    }
    after_ = std::move(after);
    return true;
  }

  // For every lockfile, the releases of OpenTelemetry crates (and the bridge) to unlock: those
  // a requirement the fix changed accepted and its new one does not, and, when a requirement
  // now written is met by no locked release at all (a lockfile left stale), every locked
  // release that no requirement accepts.
  void lock_refresh(const std::map<std::string, std::string>& texts) {
    const CargoModel& cargo = texts.empty() || !after_ ? repo_.cargo : *after_;
    std::vector<Declaration> decls = collect_declarations(cargo, rules_);
    auto in_scope = [&](const Lockfile& lf, const std::string& manifest_file) {
      const Lockfile* nearest = lockfile_for(repo_.cargo, manifest_file);
      return nearest && nearest->file == lf.file;
    };
    for (const Lockfile& lf : repo_.cargo.lockfiles) {
      std::map<std::string, std::vector<VersionReq>> now, old;
      for (const Declaration& d : decls)
        if ((d.otel || d.bridge) && d.req && in_scope(lf, d.manifest->file))
          now[d.dep->package].push_back(*d.req);
      for (const PlannedChange& c : out_.applied) {
        std::string error;
        if (!c.version || c.rename || !in_scope(lf, c.entry.file)) continue;
        if (auto r = parse_requirement(c.old_version, error)) old[c.crate].push_back(*r);
      }
      LockRefresh refresh;
      refresh.lockfile = lf.file;
      const std::string dir = lock_dir(lf.file);
      refresh.manifest = dir.empty() ? "Cargo.toml" : dir + "/Cargo.toml";
      for (const LockedPackage& p : lf.packages) {
        auto n = now.find(p.name);
        if (n == now.end()) continue; // no longer required, or never: Cargo prunes or keeps it
        std::optional<Version> v = parse_version(p.version);
        if (!v) continue;
        auto matches = [&](const std::vector<VersionReq>& list, const Version& version) {
          return std::any_of(list.begin(), list.end(),
                             [&](const VersionReq& r) { return r.matches(version); });
        };
        if (matches(n->second, *v)) continue;
        // A crate whose requirement the fix changed: what the old requirement locked. Else,
        // when the lockfile is stale for it, every release no requirement accepts.
        bool unlock = old.count(p.name) && matches(old[p.name], *v);
        if (!old.count(p.name)) {
          // Stale: some requirement is met by no locked release of the crate.
          std::vector<const LockedPackage*> locked = lf.find(p.name);
          unlock = std::any_of(n->second.begin(), n->second.end(), [&](const VersionReq& r) {
            return std::none_of(locked.begin(), locked.end(), [&](const LockedPackage* q) {
              std::optional<Version> qv = parse_version(q->version);
              return qv && r.matches(*qv);
            });
          });
        }
        if (unlock) add(refresh.specs, p.name + "@" + p.version);
      }
      if (!refresh.specs.empty()) out_.lock_refresh.push_back(std::move(refresh));
    }
  }

  static void add(std::vector<std::string>& to, const std::string& s) {
    if (std::find(to.begin(), to.end(), s) == to.end()) to.push_back(s);
  }

  const RepoModel& repo_;
  const std::vector<Finding>& findings_;
  const Ruleset& rules_;
  FixOutcome out_;
  std::optional<CargoModel> after_;
};

} // namespace

ManifestEdit edit_manifest(std::string_view text, const std::string& file,
                           const std::vector<const PlannedChange*>& changes) {
  ManifestEdit out;
  auto fail = [&](std::size_t i, std::string why, bool defect = false) {
    out.failed = i;
    out.error = std::move(why);
    out.defect = defect;
    out.after.reset();
    return out;
  };
  if (changes.empty()) {
    out.after = std::string(text);
    return out;
  }
  ManifestResult original = parse_manifest(text, file);
  if (!original.manifest) return fail(0, "the manifest does not parse");
  std::string error;
  std::optional<Document> doc = read_document(text, error);
  if (!doc) return fail(0, "the manifest cannot be edited: " + error);

  for (std::size_t i = 0; i < changes.size(); ++i) {
    const PlannedChange& c = *changes[i];
    EntryChange ec;
    for (const std::vector<std::string>& p : entry_paths(c.entry))
      if (has_entry(*doc, p)) ec.path = p;
    if (ec.path.empty()) return fail(i, "its entry was not found in the text");
    ec.version = c.version;
    ec.add_features = c.add_features;
    ec.remove_features = c.remove_features;
    ec.set_features = c.set_features;
    ec.rename = c.rename;
    ec.drop_package = c.drop_package;
    ec.remove = c.remove;
    if (!entry_edits(text, *doc, ec, out.edits, error)) return fail(i, error);
  }
  std::optional<std::string> after = apply_edits(text, out.edits);
  if (!after) return fail(0, "two edits of the file overlap", true);

  // The result must parse, and read back as the old manifest with the planned changes and
  // nothing else: the same dependencies otherwise, the same package and workspace, and no
  // problem the old text did not have.
  ManifestResult parsed = parse_manifest(*after, file);
  if (!parsed.manifest) {
    const std::string what =
        parsed.diagnostics.empty() ? std::string("?") : parsed.diagnostics.front().message;
    return fail(0, "the edited manifest would not parse (" + what + ")", true);
  }
  std::vector<DepDesc> expected = describe(*original.manifest);
  for (std::size_t i = 0; i < changes.size(); ++i)
    if (!expect(expected, *changes[i], error)) return fail(i, error);
  std::vector<DepDesc> got = describe(*parsed.manifest);
  std::sort(expected.begin(), expected.end());
  std::sort(got.begin(), got.end());
  const std::multiset<std::string> had = rules_of(original.diagnostics),
                                   has = rules_of(parsed.diagnostics);
  // A removed entry may have been all that declared its [workspace] (a lone
  // [workspace.dependencies.x] table): a refusal, not a fault of the edit.
  const bool removes =
      std::any_of(changes.begin(), changes.end(), [](const PlannedChange* c) { return c->remove; });
  if (expected == got && outline(*original.manifest) != outline(*parsed.manifest) && removes)
    return fail(0, "removing the entry would remove the table it alone declares");
  if (expected != got || outline(*original.manifest) != outline(*parsed.manifest) ||
      !std::includes(had.begin(), had.end(), has.begin(), has.end()))
    return fail(0, "the edited manifest does not read back as intended", true);
  out.after = std::move(*after);
  return out;
}

std::vector<std::vector<std::string>> entry_paths(const EntryRef& entry) {
  if (entry.workspace) return {{"workspace", "dependencies", entry.key}};
  std::vector<std::string> tables;
  switch (entry.kind) {
  case DepKind::normal:
    tables = {"dependencies"};
    break;
  case DepKind::dev:
    tables = {"dev-dependencies", "dev_dependencies"};
    break;
  case DepKind::build:
    tables = {"build-dependencies", "build_dependencies"};
    break;
  }
  std::vector<std::vector<std::string>> out;
  for (const std::string& t : tables)
    out.push_back(entry.target.empty()
                      ? std::vector<std::string>{t, entry.key}
                      : std::vector<std::string>{"target", entry.target, t, entry.key});
  return out;
}

FixOutcome fix_repository(const RepoModel& repo, const std::vector<Finding>& findings,
                          const Ruleset& rules) {
  return Fixer(repo, findings, rules).run();
}

} // namespace otelaudit::fix
