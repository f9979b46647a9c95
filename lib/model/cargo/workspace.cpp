#include "model/cargo/workspace.h"

#include "common/glob.h"
#include "common/paths.h"
#include "source/budget.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace otelaudit {

namespace {

std::string parent_dir(const std::string& file) {
  auto slash = file.rfind('/');
  return slash == std::string::npos ? std::string() : file.substr(0, slash);
}

std::string base_name(const std::string& file) {
  auto slash = file.rfind('/');
  return slash == std::string::npos ? file : file.substr(slash + 1);
}

// `prefix` is `dir` or one of its ancestors, comparing whole components.
bool dir_within(const std::string& dir, const std::string& prefix) {
  if (prefix.empty()) return true;
  return dir == prefix || (dir.size() > prefix.size() &&
                           dir.compare(0, prefix.size(), prefix) == 0 && dir[prefix.size()] == '/');
}

std::string in_quotes(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

// One [workspace] root while its membership is worked out.
struct Root {
  const Manifest* manifest;
  std::set<std::string> members;    // member package directories
  std::vector<std::string> exclude; // excluded directories ([workspace] exclude)
};

class Loader {
public:
  Loader(const Tree& tree, ManifestCache* cache) : tree_(tree), cache_(cache) {}

  CargoModel run() {
    read_files();
    for (const auto& m : model_.manifests)
      by_dir_[m.dir] = &m;
    for (const auto& m : model_.manifests) {
      if (m.workspace) roots_.push_back(expand(m));
    }
    build_packages();
    sort_output();
    return std::move(model_);
  }

private:
  // Reads and parses one file, or finds it in the cache by content id; nullptr when the file
  // cannot be read (a diagnostic says why).
  const ManifestCache::Entry* parsed(const std::string& file, bool manifest) {
    std::string key;
    if (cache_) {
      if (auto id = tree_.content_id(file)) {
        key = file + '\0' + *id;
        if (auto it = cache_->entries.find(key); it != cache_->entries.end()) {
          ++cache_->hits;
          return &it->second;
        }
      }
    }
    std::string error;
    std::optional<std::string> text = tree_.read(file, error);
    if (!text) {
      model_.diagnostics.push_back(
          {std::string(unreadable_rule(error)), {file, 0, 0}, "cannot read: " + error});
      return nullptr;
    }
    ManifestCache::Entry entry;
    if (manifest)
      entry.manifest = parse_manifest(*text, file);
    else
      entry.lockfile = parse_lockfile(*text, file);
    entry.text = std::move(*text);
    if (!key.empty()) {
      ++cache_->misses;
      return &cache_->entries.emplace(key, std::move(entry)).first->second;
    }
    scratch_ = std::move(entry);
    return &scratch_;
  }

  void read_files() {
    for (const std::string& file : tree_.files()) {
      const std::string name = base_name(file);
      if (name != "Cargo.toml" && name != "Cargo.lock") continue;
      if (name == "Cargo.toml") manifest_dirs_.insert(parent_dir(file));
      const ManifestCache::Entry* entry = parsed(file, name == "Cargo.toml");
      if (!entry) continue;
      if (entry->manifest) {
        append(entry->manifest->diagnostics);
        if (entry->manifest->manifest) model_.manifests.push_back(*entry->manifest->manifest);
      } else if (entry->lockfile) {
        append(entry->lockfile->diagnostics);
        if (entry->lockfile->lockfile) model_.lockfiles.push_back(*entry->lockfile->lockfile);
      }
      model_.texts.emplace(file, entry->text);
    }
    auto by_file = [](const auto& a, const auto& b) { return a.file < b.file; };
    std::sort(model_.manifests.begin(), model_.manifests.end(), by_file);
    std::sort(model_.lockfiles.begin(), model_.lockfiles.end(), by_file);
  }

  void append(const std::vector<Diagnostic>& diags) {
    model_.diagnostics.insert(model_.diagnostics.end(), diags.begin(), diags.end());
  }

  const Manifest* manifest_at(const std::string& dir) const {
    auto it = by_dir_.find(dir);
    return it == by_dir_.end() ? nullptr : it->second;
  }

  static const Dependency* workspace_entry(const Manifest& root, const std::string& key) {
    if (!root.workspace) return nullptr;
    for (const auto& d : root.workspace->dependencies) {
      if (d.key == key) return &d;
    }
    return nullptr;
  }

  // Membership as Cargo's find_members computes it: the expanded `members` entries, the root
  // package, and path dependencies below the root; `exclude` drops what globs and path
  // dependencies found but not what `members` names literally.
  Root expand(const Manifest& m) {
    const WorkspaceDecl& ws = *m.workspace;
    const std::string& root_dir = m.dir;
    std::vector<std::string> literal, excluded;
    for (const auto& ex : ws.exclude) {
      if (auto dir = resolve_relative(root_dir, ex.value)) excluded.push_back(*dir);
    }
    std::set<std::string> pending; // directories to visit, with no path-dep restriction
    std::set<std::string> globs;   // a glob given twice adds nothing the second time
    for (const auto& member : ws.members) {
      std::optional<std::string> dir = resolve_relative(root_dir, member.value);
      if (!dir) {
        model_.diagnostics.push_back(
            {"path-outside-repo", member.loc,
             "workspace member " + in_quotes(member.value) + " points outside the repository"});
        continue;
      }
      if (!has_glob(member.value)) {
        literal.push_back(*dir);
        if (manifest_dirs_.count(*dir)) {
          pending.insert(*dir);
        } else {
          model_.diagnostics.push_back(
              {"workspace-member-missing", member.loc,
               "workspace member " + in_quotes(member.value) + " has no Cargo.toml"});
        }
        continue;
      }
      if (!globs.insert(*dir).second || globs_exhausted_) continue;
      // Every glob is tested against every package directory: thousands of distinct globs
      // that each match everything would hold millions of paths. The tests are counted
      // against the repository's budget as they are made.
      const std::vector<std::string> pattern = split_path(*dir);
      bool matched = false;
      for (const auto& [candidate, parts] : candidates()) {
        if (++glob_tests_ > budget_.member_glob_tests) {
          model_.diagnostics.push_back(
              {kBudgetRule, member.loc,
               budget_exceeded("member globs", budget_.member_glob_tests, "directory tests",
                               "this workspace member glob and the ones after it are not "
                               "expanded")});
          globs_exhausted_ = true;
          matched = true;
          break;
        }
        if (glob_match(pattern, parts)) {
          pending.insert(candidate);
          matched = true;
        }
      }
      if (!matched) {
        model_.diagnostics.push_back(
            {"workspace-member-missing", member.loc,
             "workspace member glob " + in_quotes(member.value) + " matches no Cargo.toml"});
      }
    }
    auto is_excluded = [&](const std::string& dir) {
      bool ex = std::any_of(excluded.begin(), excluded.end(),
                            [&](const std::string& e) { return dir_within(dir, e); });
      bool explicit_member = std::any_of(literal.begin(), literal.end(),
                                         [&](const std::string& l) { return dir_within(dir, l); });
      return ex && !explicit_member;
    };

    Root root{&m, {}, excluded};
    std::vector<std::pair<std::string, bool>> queue; // directory, reached as a path dependency
    if (m.package) queue.emplace_back(root_dir, false);
    for (const std::string& dir : pending)
      queue.emplace_back(dir, false);
    while (!queue.empty()) {
      auto [dir, as_path_dep] = std::move(queue.back());
      queue.pop_back();
      if (root.members.count(dir) || is_excluded(dir)) continue;
      if (as_path_dep && !dir_within(dir, root_dir)) continue;
      const Manifest* pm = manifest_at(dir);
      if (!pm || !pm->package) continue;
      if (pm->workspace && pm != &m) continue; // a nested workspace is its own root
      root.members.insert(dir);
      for (const auto& d : pm->dependencies) {
        std::optional<std::string> target;
        if (d.workspace) {
          const Dependency* entry = workspace_entry(m, d.key);
          if (entry && !entry->path.empty()) target = resolve_relative(root_dir, entry->path);
        } else if (!d.path.empty()) {
          target = resolve_relative(dir, d.path);
        }
        if (target) queue.emplace_back(std::move(*target), true);
      }
    }
    return root;
  }

  // The workspace a package belongs to: among those listing it, the closest enclosing one.
  const Root* owner(const Manifest& m) const {
    const Root* best = nullptr;
    for (const Root& r : roots_) {
      if (!r.members.count(m.dir)) continue;
      if (!best) {
        best = &r;
      } else if (dir_within(m.dir, r.manifest->dir) &&
                 (!dir_within(m.dir, best->manifest->dir) ||
                  r.manifest->dir.size() > best->manifest->dir.size())) {
        best = &r;
      }
    }
    return best;
  }

  // Where `workspace = true` is looked up for a package no workspace lists: the nearest
  // enclosing workspace, as Cargo's root search would pick it.
  const Manifest* enclosing_workspace(const Manifest& m) const {
    if (m.workspace) return &m;
    const Manifest* best = nullptr;
    for (const Root& r : roots_) {
      const std::string& dir = r.manifest->dir;
      if (dir_within(m.dir, dir) && (!best || dir.size() > best->dir.size())) best = r.manifest;
    }
    return best;
  }

  // The workspace whose directory holds the package `m`, which is no member of any: the
  // nearest enclosing one, as Cargo's root search finds it.
  const Root* enclosing_root(const Manifest& m) const {
    if (m.workspace) return nullptr;
    const Root* best = nullptr;
    for (const Root& r : roots_) {
      const std::string& dir = r.manifest->dir;
      if (dir_within(m.dir, dir) && (!best || dir.size() > best->manifest->dir.size())) best = &r;
    }
    return best;
  }

  // Cargo's error for a package `m` below the workspace `r` that is not one of its members,
  // in Cargo's words, with paths relative to the repository.
  static Diagnostic not_in_members(const Manifest& m, const Root& r) {
    const std::string& root = r.manifest->file;
    const std::string& root_dir = r.manifest->dir;
    const std::string relative = root_dir.empty() ? m.dir : m.dir.substr(root_dir.size() + 1);
    // A root package without a `members` list has as members itself and its path
    // dependencies; Cargo then names the other way in.
    const std::string fixable =
        r.manifest->package && r.manifest->workspace->members.empty()
            ? "this may be fixable by ensuring that this crate is depended on by the workspace "
              "root: " +
                  root
            : "this may be fixable by adding `" + relative +
                  "` to the `workspace.members` array of the manifest located at: " + root;
    return {"manifest-invalid", m.package->name.loc,
            "current package believes it's in a workspace when it's not: current: " + m.file +
                ", workspace: " + root + "; " + fixable +
                ". Alternatively, to keep it out of the workspace, add the package to the "
                "`workspace.exclude` array, or add an empty `[workspace]` table to the "
                "package's manifest."};
  }

  Dependency inherit(const Dependency& member, const Dependency& entry) {
    Dependency d = entry;
    d.key = member.key;
    d.loc = member.loc;
    d.kind = member.kind;
    d.target = member.target;
    d.optional = member.optional;
    d.workspace = true;
    d.inherited = true;
    for (const auto& f : member.features) {
      bool known = std::any_of(d.features.begin(), d.features.end(),
                               [&](const Located& g) { return g.value == f.value; });
      if (!known) d.features.push_back(f);
    }
    return d;
  }

  void build_packages() {
    std::map<const Manifest*, WorkspaceModel> workspaces;
    for (const Root& r : roots_)
      workspaces[r.manifest].manifest_file = r.manifest->file;
    for (const auto& m : model_.manifests) {
      if (!m.package) continue;
      PackageModel p;
      p.name = m.package->name.value;
      p.manifest_file = m.file;
      p.dir = m.dir;
      p.loc = m.package->name.loc;
      const Manifest* ws_root = nullptr;
      if (m.workspace) {
        ws_root = &m;
      } else if (const Root* r = owner(m)) {
        ws_root = r->manifest;
      }
      if (ws_root) {
        p.workspace_root = ws_root->file;
        workspaces[ws_root].members.push_back(m.file);
      }
      const Manifest* source = ws_root ? ws_root : enclosing_workspace(m);
      const Root* enclosing = ws_root ? nullptr : enclosing_root(m);
      const bool excluded =
          enclosing && std::any_of(enclosing->exclude.begin(), enclosing->exclude.end(),
                                   [&](const std::string& e) { return dir_within(m.dir, e); });
      // Cargo refuses a package inside a workspace's directory that the workspace neither
      // lists nor excludes: its root search finds that workspace, which does not have it
      // (rust-lang/cargo src/cargo/core/workspace.rs, error_if_manifest_not_in_members).
      if (enclosing && !excluded) model_.diagnostics.push_back(not_in_members(m, *enclosing));
      for (const auto& d : m.dependencies) {
        if (!d.workspace) {
          p.dependencies.push_back(d);
          continue;
        }
        const Dependency* entry = source ? workspace_entry(*source, d.key) : nullptr;
        if (entry) {
          p.dependencies.push_back(inherit(d, *entry));
          continue;
        }
        model_.diagnostics.push_back(
            {"manifest-invalid", d.loc,
             excluded ? "dependency " + in_quotes(d.key) +
                            " inherits from the workspace, but the package is excluded from " +
                            enclosing->manifest->file +
                            " ([workspace] exclude): it belongs to "
                            "no workspace"
             : source
                 ? "dependency " + in_quotes(d.key) +
                       " inherits from the workspace, but [workspace.dependencies] has no " +
                       in_quotes(d.key)
                 : "dependency " + in_quotes(d.key) +
                       " inherits from the workspace, but the package belongs to no workspace"});
        p.dependencies.push_back(d);
      }
      model_.packages.push_back(std::move(p));
    }
    for (auto& [_, w] : workspaces)
      model_.workspaces.push_back(std::move(w));
  }

  void sort_output() {
    for (auto& w : model_.workspaces)
      std::sort(w.members.begin(), w.members.end());
    std::sort(model_.workspaces.begin(), model_.workspaces.end(),
              [](const auto& a, const auto& b) { return a.manifest_file < b.manifest_file; });
    std::sort(model_.packages.begin(), model_.packages.end(),
              [](const auto& a, const auto& b) { return a.manifest_file < b.manifest_file; });
    std::sort(model_.diagnostics.begin(), model_.diagnostics.end(),
              [](const Diagnostic& a, const Diagnostic& b) {
                return std::tie(a.loc.file, a.loc.line, a.loc.column, a.rule, a.message) <
                       std::tie(b.loc.file, b.loc.line, b.loc.column, b.rule, b.message);
              });
  }

  // The package directories split into components, once for every glob.
  const std::vector<std::pair<std::string, std::vector<std::string>>>& candidates() {
    if (candidates_.empty())
      for (const std::string& dir : manifest_dirs_)
        candidates_.emplace_back(dir, split_path(dir));
    return candidates_;
  }

  const Tree& tree_;
  ManifestCache* cache_ = nullptr;
  const ReadBudget budget_ = read_budget();
  std::size_t glob_tests_ = 0; // (glob, directory) pairs tested, for the whole repository
  bool globs_exhausted_ = false;
  std::vector<std::pair<std::string, std::vector<std::string>>> candidates_;
  ManifestCache::Entry scratch_; // the current file when nothing is cached
  CargoModel model_;
  std::set<std::string> manifest_dirs_; // directories holding a Cargo.toml, parsed or not
  std::map<std::string, const Manifest*> by_dir_;
  std::vector<Root> roots_;
};

} // namespace

CargoModel load_cargo(const Tree& tree, ManifestCache* cache) {
  return Loader(tree, cache).run();
}

} // namespace otelaudit
