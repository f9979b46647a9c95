#include "cargo/workspace.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace otelaudit {

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) parts.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::string join_path(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

// `rel` taken from directory `dir`, as a clean repository-relative directory; nullopt when it
// leaves the repository (absolute, or more `..` than there are directories above it).
std::optional<std::string> resolve(const std::string& dir, std::string_view rel) {
  if (!rel.empty() &&
      (rel.front() == '/' || rel.front() == '\\' || (rel.size() >= 2 && rel[1] == ':'))) {
    return std::nullopt;
  }
  std::vector<std::string> parts = split_path(dir);
  for (auto& part : split_path(rel)) {
    if (part == ".") continue;
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
    } else {
      parts.push_back(std::move(part));
    }
  }
  return join_path(parts);
}

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

bool has_glob(std::string_view s) {
  return s.find_first_of("*?[") != std::string_view::npos;
}

// One component of a glob: a literal byte, `?`, `*`, or a `[…]` class.
struct GlobToken {
  enum Kind { literal, any, star, set } kind = literal;
  char c = 0;
  std::string members; // for `set`: the bytes listed, ranges expanded
  bool negated = false;
};

std::vector<GlobToken> tokenize(std::string_view pat) {
  std::vector<GlobToken> out;
  for (size_t i = 0; i < pat.size(); ++i) {
    GlobToken t;
    if (pat[i] == '?') {
      t.kind = GlobToken::any;
    } else if (pat[i] == '*') {
      if (!out.empty() && out.back().kind == GlobToken::star) continue;
      t.kind = GlobToken::star;
    } else if (pat[i] == '[') {
      size_t j = i + 1;
      bool negated = j < pat.size() && (pat[j] == '!' || pat[j] == '^');
      if (negated) ++j;
      size_t close = pat.find(']', j + 1); // a `]` first in the class is a member
      if (j >= pat.size() || close == std::string_view::npos) {
        t.c = '[';
      } else {
        t.kind = GlobToken::set;
        t.negated = negated;
        for (size_t k = j; k < close; ++k) {
          if (k + 2 < close && pat[k + 1] == '-') {
            for (int c = static_cast<unsigned char>(pat[k]);
                 c <= static_cast<unsigned char>(pat[k + 2]); ++c) {
              t.members.push_back(static_cast<char>(c));
            }
            k += 2;
          } else {
            t.members.push_back(pat[k]);
          }
        }
        i = close;
      }
    } else {
      t.c = pat[i];
    }
    out.push_back(std::move(t));
  }
  return out;
}

bool token_matches(const GlobToken& t, char c) {
  switch (t.kind) {
  case GlobToken::literal:
    return t.c == c;
  case GlobToken::any:
    return true;
  case GlobToken::set:
    return (t.members.find(c) != std::string::npos) != t.negated;
  case GlobToken::star:
    break;
  }
  return false;
}

// Dynamic programming rather than backtracking: patterns come from untrusted manifests, and
// `*a*a*a…b` must not take exponential time.
bool component_matches(const std::vector<GlobToken>& pat, std::string_view name) {
  std::vector<char> row(name.size() + 1, 0), next(name.size() + 1, 0);
  row[0] = 1;
  for (const GlobToken& t : pat) {
    std::fill(next.begin(), next.end(), 0);
    for (size_t i = 0; i <= name.size(); ++i) {
      if (t.kind == GlobToken::star) {
        next[i] = row[i] || (i > 0 && next[i - 1]);
      } else if (i > 0) {
        next[i] = row[i - 1] && token_matches(t, name[i - 1]);
      }
    }
    row.swap(next);
  }
  return row[name.size()] != 0;
}

// Cargo expands members with the glob crate: `*`, `?` and `[…]` within one path component, `**`
// across any number of them.
bool glob_match(const std::vector<std::string>& pattern, const std::vector<std::string>& path) {
  std::vector<std::vector<GlobToken>> tokens;
  for (const auto& p : pattern)
    tokens.push_back(tokenize(p));
  // reach[j]: the pattern components seen so far match the first j path components.
  std::vector<char> reach(path.size() + 1, 0), next(path.size() + 1, 0);
  reach[0] = 1;
  for (size_t pi = 0; pi < pattern.size(); ++pi) {
    std::fill(next.begin(), next.end(), 0);
    for (size_t j = 0; j <= path.size(); ++j) {
      if (pattern[pi] == "**") {
        next[j] = reach[j] || (j > 0 && next[j - 1]);
      } else if (j > 0) {
        next[j] = reach[j - 1] && component_matches(tokens[pi], path[j - 1]);
      }
    }
    reach.swap(next);
  }
  return reach[path.size()] != 0;
}

std::string in_quotes(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

// One [workspace] root while its membership is worked out.
struct Root {
  const Manifest* manifest;
  std::set<std::string> members; // member package directories
};

class Loader {
public:
  explicit Loader(const Tree& tree) : tree_(tree) {}

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
  void read_files() {
    for (const std::string& file : tree_.files()) {
      const std::string name = base_name(file);
      if (name != "Cargo.toml" && name != "Cargo.lock") continue;
      if (name == "Cargo.toml") manifest_dirs_.insert(parent_dir(file));
      std::string error;
      std::optional<std::string> text = tree_.read(file, error);
      if (!text) {
        model_.diagnostics.push_back(
            {std::string(unreadable_rule(error)), {file, 0, 0}, "cannot read: " + error});
        continue;
      }
      if (name == "Cargo.toml") {
        ManifestResult r = parse_manifest(*text, file);
        append(r.diagnostics);
        if (r.manifest) model_.manifests.push_back(std::move(*r.manifest));
      } else {
        LockfileResult r = parse_lockfile(*text, file);
        append(r.diagnostics);
        if (r.lockfile) model_.lockfiles.push_back(std::move(*r.lockfile));
      }
      model_.texts.emplace(file, std::move(*text));
    }
    auto by_file = [](const auto& a, const auto& b) { return a.file < b.file; };
    std::sort(model_.manifests.begin(), model_.manifests.end(), by_file);
    std::sort(model_.lockfiles.begin(), model_.lockfiles.end(), by_file);
  }

  void append(std::vector<Diagnostic>& diags) {
    for (auto& d : diags)
      model_.diagnostics.push_back(std::move(d));
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
      if (auto dir = resolve(root_dir, ex.value)) excluded.push_back(*dir);
    }
    std::vector<std::string> pending; // directories to visit, with no path-dep restriction
    for (const auto& member : ws.members) {
      std::optional<std::string> dir = resolve(root_dir, member.value);
      if (!dir) {
        model_.diagnostics.push_back(
            {"path-outside-repo", member.loc,
             "workspace member " + in_quotes(member.value) + " points outside the repository"});
        continue;
      }
      if (!has_glob(member.value)) {
        literal.push_back(*dir);
        if (manifest_dirs_.count(*dir)) {
          pending.push_back(*dir);
        } else {
          model_.diagnostics.push_back(
              {"workspace-member-missing", member.loc,
               "workspace member " + in_quotes(member.value) + " has no Cargo.toml"});
        }
        continue;
      }
      const std::vector<std::string> pattern = split_path(*dir);
      bool matched = false;
      for (const std::string& candidate : manifest_dirs_) {
        if (glob_match(pattern, split_path(candidate))) {
          pending.push_back(candidate);
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

    Root root{&m, {}};
    std::vector<std::pair<std::string, bool>> queue; // directory, reached as a path dependency
    if (m.package) queue.emplace_back(root_dir, false);
    for (auto& dir : pending)
      queue.emplace_back(std::move(dir), false);
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
          if (entry && !entry->path.empty()) target = resolve(root_dir, entry->path);
        } else if (!d.path.empty()) {
          target = resolve(dir, d.path);
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
             source ? "dependency " + in_quotes(d.key) +
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

  const Tree& tree_;
  CargoModel model_;
  std::set<std::string> manifest_dirs_; // directories holding a Cargo.toml, parsed or not
  std::map<std::string, const Manifest*> by_dir_;
  std::vector<Root> roots_;
};

} // namespace

CargoModel load_cargo(const Tree& tree) {
  return Loader(tree).run();
}

} // namespace otelaudit
