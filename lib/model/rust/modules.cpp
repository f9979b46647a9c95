#include "model/rust/modules.h"

#include "common/paths.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace otelaudit {

std::string_view to_string(CodeScope s) {
  switch (s) {
  case CodeScope::production:
    return "production";
  case CodeScope::test:
    return "test";
  case CodeScope::bench:
    return "bench";
  case CodeScope::example:
    return "example";
  case CodeScope::build_script:
    return "build-script";
  }
  return "production";
}

const SourceFile* ModuleTree::find(const std::string& file) const {
  auto it =
      std::lower_bound(files.begin(), files.end(), file,
                       [](const SourceFile& f, const std::string& name) { return f.file < name; });
  if (it == files.end() || it->file != file) return nullptr;
  return &*it;
}

namespace {

// How deep `mod` declarations are followed from a crate root. Real crates stay far below it;
// the cap keeps a hostile repository from making the walk arbitrarily long.
constexpr int kMaxDepth = 256;

// A file reached from several roots gets the most "production" of their scopes, because the
// strictest rules must apply to code that ships: lower rank wins.
int rank(CodeScope s) {
  switch (s) {
  case CodeScope::production:
    return 0;
  case CodeScope::build_script:
    return 1;
  case CodeScope::example:
    return 2;
  case CodeScope::bench:
    return 3;
  case CodeScope::test:
    return 4;
  }
  return 0;
}

constexpr CodeScope kByRank[] = {CodeScope::production, CodeScope::build_script, CodeScope::example,
                                 CodeScope::bench, CodeScope::test};

std::string parent_dir(const std::string& file) {
  auto slash = file.rfind('/');
  return slash == std::string::npos ? std::string() : file.substr(0, slash);
}

std::string join(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

// Where a module file was found decides where its own `mod x;` children live, as in rustc's
// `DirOwnership` (rustc_expand/src/module.rs): a file found as `x.rs` looks for children in
// `x/`; crate roots, `mod.rs` files and files named by `#[path]` look beside themselves.
struct Frame {
  std::string file;
  std::string dir;                     // the file's directory
  std::optional<std::string> relative; // set for a non-mod-rs file: the module's name
  int rank = 0;
  int depth = 0;
};

// The directory that inline modules contribute to a `mod` declared inside them.
struct InlineDir {
  std::string dir;
  std::optional<std::string> relative;
  bool cfg_test = false;
};

// Enters one inline module, as rustc's `mod_dir_path` does for `Inline::Yes`. The module
// pushes its name as a directory, after the non-mod-rs file's own name: `mod z {}` in
// `x/y.rs` holds its children in `x/y/z/`. With `#[path = "p"]` the directory becomes
// `<current directory>/p` instead. This is the Reference's rule for paths inside inline
// module blocks (https://doc.rust-lang.org/reference/items/modules.html#the-path-attribute):
// relative to the file's directory, plus the inline modules as directories, plus the file's
// own name first for a non-mod-rs file. False when the `#[path]` leaves the repository.
bool enter_inline(InlineDir& d, const std::string& name, const rust::ModDecl* decl) {
  if (decl && decl->cfg_test) d.cfg_test = true;
  if (decl && decl->path_attr) {
    auto dir = resolve_relative(d.dir, *decl->path_attr);
    if (!dir) return false;
    d.dir = std::move(*dir);
    d.relative.reset();
    return true;
  }
  if (d.relative) {
    d.dir = join(d.dir, *d.relative);
    d.relative.reset();
  }
  d.dir = join(d.dir, name);
  return true;
}

// Where the `mod x;` children of each inline module of one file live. Each inline module's
// directory is computed once from its parent's: the facts list a module before the modules
// inside it, so one pass in order costs time and memory linear in the number of mods (an
// untrusted file may hold very many).
class InlineIndex {
public:
  InlineIndex(const Frame& frame, const std::vector<rust::ModDecl>& mods)
      : base_{frame.dir, frame.relative, false}, mods_(mods), slot_(mods.size(), kNone) {
    // (slot of the enclosing module, name) → slot: cfg'd twins share the first one's directory.
    std::map<std::pair<int, std::string>, int> placed;
    for (std::size_t i = 0; i < mods.size(); ++i) {
      const rust::ModDecl& m = mods[i];
      if (!m.inline_body) continue;
      const int parent = enclosing(i);
      if (parent == kNone) continue; // its parent is no inline module listed before it
      auto [it, inserted] = placed.emplace(std::make_pair(parent, m.name), -1);
      if (inserted) {
        std::optional<InlineDir> dir =
            parent == kFile ? std::optional<InlineDir>(base_) : dirs_[parent];
        if (dir && !enter_inline(*dir, m.name, &m)) dir.reset();
        it->second = static_cast<int>(dirs_.size());
        dirs_.push_back(std::move(dir));
      }
      slot_[i] = it->second;
    }
  }

  // Where `mod x;` declared as mods[i] is looked for (for an inline mods[i], where it is
  // declared); nullopt when an enclosing #[path] leaves the repository or the facts do not
  // say where it lies.
  std::optional<InlineDir> dir_of(std::size_t i) const {
    const int parent = enclosing(i);
    if (parent == kNone) return std::nullopt;
    return parent == kFile ? std::optional<InlineDir>(base_) : dirs_[parent];
  }

private:
  static constexpr int kFile = -1; // declared at the file's top level
  static constexpr int kNone = -2; // enclosed by nothing the facts list

  // The slot of the inline module enclosing mods[i].
  int enclosing(std::size_t i) const {
    const int p = mods_[i].parent;
    if (p < 0) return kFile;
    if (static_cast<std::size_t>(p) >= i) return kNone;
    return slot_[static_cast<std::size_t>(p)] >= 0 ? slot_[static_cast<std::size_t>(p)] : kNone;
  }

  InlineDir base_;
  const std::vector<rust::ModDecl>& mods_;
  std::vector<int> slot_;                      // mods index → dirs_ index (inline mods only)
  std::vector<std::optional<InlineDir>> dirs_; // one per placed inline module
};

struct Builder {
  const std::map<std::string, rust::FileFacts>& facts;
  std::unordered_set<std::string> exists;
  std::vector<Diagnostic> diagnostics;
  std::set<std::tuple<std::string, int, int, std::string, std::string>> seen_diagnostics;

  void report(const std::string& rule, const std::string& file, const rust::Pos& pos,
              std::string message) {
    auto key = std::make_tuple(file, pos.line, pos.column, rule, message);
    if (!seen_diagnostics.insert(key).second) return;
    diagnostics.push_back({rule, Location{file, pos.line, pos.column}, std::move(message)});
  }

  void outside(const Frame& f, const rust::ModDecl& m) {
    report("path-outside-repo", f.file, m.pos,
           "#[path] \"" + *m.path_attr + "\" points outside the repository");
  }

  // Follows `mod` declarations from one crate root; returns the best rank each file was
  // reached with. Each file is expanded once, again only if reached with a better rank, so
  // `#[path]` cycles end. Breadth first, so a file is first expanded at its shortest depth and
  // the depth cap only cuts chains that really are that long.
  std::unordered_map<std::string, int> walk(const std::string& root, int root_rank) {
    std::unordered_map<std::string, int> reached;
    std::deque<Frame> queue;
    queue.push_back(Frame{root, parent_dir(root), std::nullopt, root_rank, 0});
    while (!queue.empty()) {
      Frame frame = std::move(queue.front());
      queue.pop_front();
      auto [it, inserted] = reached.emplace(frame.file, frame.rank);
      if (!inserted) {
        if (it->second <= frame.rank) continue;
        it->second = frame.rank;
      }
      auto ff = facts.find(frame.file);
      if (ff == facts.end()) continue;
      const auto& mods = ff->second.mods;
      InlineIndex inlines(frame, mods);
      for (std::size_t i = 0; i < mods.size(); ++i) {
        const rust::ModDecl& m = mods[i];
        if (m.name.empty()) continue;
        auto in = inlines.dir_of(i);
        if (!in) continue;
        if (m.inline_body) {
          if (m.path_attr && !resolve_relative(in->dir, *m.path_attr)) outside(frame, m);
          continue;
        }
        std::optional<Frame> child = resolve_child(frame, m, *in);
        if (!child || frame.depth + 1 > kMaxDepth) continue;
        child->rank = (m.cfg_test || in->cfg_test) ? rank(CodeScope::test) : frame.rank;
        child->depth = frame.depth + 1;
        queue.push_back(std::move(*child));
      }
      for (const rust::Call& c : ff->second.calls) {
        std::optional<Frame> included = include_target(frame, c);
        if (!included || frame.depth + 1 > kMaxDepth) continue;
        included->rank = c.in_test ? rank(CodeScope::test) : frame.rank;
        included->depth = frame.depth + 1;
        queue.push_back(std::move(*included));
      }
    }
    return reached;
  }

  // `include!("x.rs")` pastes a file into this one, so it is compiled with it: rustc resolves
  // the path against the including file's directory. A `mod y;` inside the pasted file is
  // looked for beside that file, as for a #[path] file (rust-lang/rust#50132 and #92666; kept
  // for compatibility by rust-lang/rust#70184). A path built with concat!/env! (generated code
  // in OUT_DIR) is no literal and names no file of the repository.
  std::optional<Frame> include_target(const Frame& frame, const rust::Call& c) {
    if (!c.macro ||
        (c.callee != "include" && c.callee != "std::include" && c.callee != "core::include"))
      return std::nullopt;
    // Only Rust files are audited; `include!("table.in")` pastes text the walk cannot judge.
    if (c.args.size() != 1 || !c.args[0].literal || !c.args[0].value.ends_with(".rs"))
      return std::nullopt;
    auto target = resolve_relative(parent_dir(frame.file), c.args[0].value);
    if (!target) {
      report("path-outside-repo", frame.file, c.args[0].pos,
             "include! \"" + c.args[0].value + "\" points outside the repository");
      return std::nullopt;
    }
    if (!exists.count(*target)) {
      report("module-not-found", frame.file, c.args[0].pos,
             "included file \"" + c.args[0].value + "\" not found: expected " + *target);
      return std::nullopt;
    }
    return Frame{*target, parent_dir(*target), std::nullopt};
  }

  // The file a `mod x;` names, following rustc's `mod_file_path` / `default_submod_path`.
  std::optional<Frame> resolve_child(const Frame& frame, const rust::ModDecl& m,
                                     const InlineDir& in) {
    if (m.path_attr) {
      // `#[path]` is relative to the directory holding the declaring file (plus enclosing
      // inline modules), whatever kind of file that is; rustc treats the file it names as a
      // mod-rs file: "All `#[path]` files are treated as though they are a `mod.rs` file".
      auto target = resolve_relative(in.dir, *m.path_attr);
      if (!target) {
        outside(frame, m);
        return std::nullopt;
      }
      if (!exists.count(*target)) {
        report("module-not-found", frame.file, m.pos,
               "module \"" + m.name + "\" not found: expected " + *target);
        return std::nullopt;
      }
      return Frame{*target, parent_dir(*target), std::nullopt};
    }
    std::string dir = in.relative ? join(in.dir, *in.relative) : in.dir;
    std::string file_form = join(dir, m.name + ".rs");
    std::string dir_form = join(dir, m.name + "/mod.rs");
    if (exists.count(file_form)) return Frame{file_form, parent_dir(file_form), m.name};
    if (exists.count(dir_form)) return Frame{dir_form, parent_dir(dir_form), std::nullopt};
    report("module-not-found", frame.file, m.pos,
           "module \"" + m.name + "\" not found: expected " + file_form + " or " + dir_form);
    return std::nullopt;
  }
};

// The scope a crate root path relative to its package gets from Cargo's target
// auto-discovery
// (https://doc.rust-lang.org/cargo/reference/cargo-targets.html#target-auto-discovery): src/lib.rs,
// src/main.rs, src/bin/*.rs, src/bin/*/main.rs, build.rs, and examples/, tests/, benches/ with
// their *.rs and */main.rs forms. nullopt when it is no auto-discovered root.
std::optional<CodeScope> auto_root(const std::vector<std::string>& rel, bool lib_allowed) {
  auto family = [](const std::string& top) -> std::optional<CodeScope> {
    if (top == "examples") return CodeScope::example;
    if (top == "tests") return CodeScope::test;
    if (top == "benches") return CodeScope::bench;
    return std::nullopt;
  };
  auto is_rs = [](const std::string& name) {
    return name.size() > 3 && name.compare(name.size() - 3, 3, ".rs") == 0;
  };
  switch (rel.size()) {
  case 1:
    if (rel[0] == "build.rs") return CodeScope::build_script;
    return std::nullopt;
  case 2:
    if (rel[0] == "src" && rel[1] == "main.rs") return CodeScope::production;
    if (rel[0] == "src" && rel[1] == "lib.rs" && lib_allowed) return CodeScope::production;
    if (is_rs(rel[1])) return family(rel[0]);
    return std::nullopt;
  case 3:
    if (rel[0] == "src" && rel[1] == "bin" && is_rs(rel[2])) return CodeScope::production;
    if (rel[2] == "main.rs") return family(rel[0]);
    return std::nullopt;
  case 4:
    if (rel[0] == "src" && rel[1] == "bin" && rel[3] == "main.rs") return CodeScope::production;
    return std::nullopt;
  default:
    return std::nullopt;
  }
}

std::optional<CodeScope> target_scope(const std::string& kind) {
  if (kind == "lib" || kind == "bin") return CodeScope::production;
  if (kind == "example") return CodeScope::example;
  if (kind == "test") return CodeScope::test;
  if (kind == "bench") return CodeScope::bench;
  return std::nullopt;
}

// An orphan is compiled into nothing, so only where it lies says what it was meant to be.
CodeScope scope_by_location(const std::vector<std::string>& rel) {
  for (size_t i = 0; i + 1 < rel.size(); ++i) {
    if (rel[i] == "tests") return CodeScope::test;
    if (rel[i] == "benches") return CodeScope::bench;
    if (rel[i] == "examples") return CodeScope::example;
  }
  return CodeScope::production;
}

} // namespace

ModuleTree build_module_tree(const std::vector<std::string>& rs_files,
                             const std::map<std::string, rust::FileFacts>& facts,
                             const CargoModel& cargo) {
  std::vector<std::string> files = rs_files;
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());

  Builder builder{facts, {}, {}, {}};
  builder.exists.insert(files.begin(), files.end());

  std::unordered_map<std::string, const PackageModel*> by_dir;
  for (const auto& p : cargo.packages)
    by_dir.emplace(p.dir, &p);
  auto manifest_of = [&](const PackageModel& p) -> const Manifest* {
    for (const auto& m : cargo.manifests) {
      if (m.file == p.manifest_file) return &m;
    }
    return nullptr;
  };

  // Crate roots, with the best scope when one file is the root of several targets. A [lib]
  // with a path replaces src/lib.rs; other declared targets are added to the discovered ones.
  // The manifest model has no `package.build`, so build.rs is the only build script.
  std::map<std::string, int> roots;
  auto add_root = [&](const std::string& file, CodeScope scope) {
    if (!builder.exists.count(file)) return;
    auto [it, inserted] = roots.emplace(file, rank(scope));
    if (!inserted) it->second = std::min(it->second, rank(scope));
  };
  std::unordered_set<std::string> custom_lib_dirs;
  for (const auto& p : cargo.packages) {
    const Manifest* m = manifest_of(p);
    if (!m || !m->package) continue;
    for (const auto& t : m->package->targets) {
      auto scope = target_scope(t.kind);
      if (!t.path || !scope) continue;
      if (t.kind == "lib") custom_lib_dirs.insert(p.dir);
      if (auto file = resolve_relative(p.dir, t.path->value)) add_root(*file, *scope);
    }
  }
  for (const auto& file : files) {
    std::vector<std::string> parts = split_path(file);
    for (size_t k = 1; k <= std::min<size_t>(4, parts.size()); ++k) {
      std::string dir = join_path(parts, 0, parts.size() - k);
      if (!by_dir.count(dir)) continue;
      std::vector<std::string> rel(parts.end() - static_cast<std::ptrdiff_t>(k), parts.end());
      if (auto scope = auto_root(rel, !custom_lib_dirs.count(dir))) add_root(file, *scope);
    }
  }

  struct Reach {
    int rank = 5;
    std::vector<std::string> roots;
  };
  std::unordered_map<std::string, Reach> reach;
  for (const auto& [root, root_rank] : roots) {
    for (const auto& [file, file_rank] : builder.walk(root, root_rank)) {
      Reach& r = reach[file];
      r.rank = std::min(r.rank, file_rank);
      r.roots.push_back(root);
    }
  }

  ModuleTree tree;
  tree.files.reserve(files.size());
  for (const auto& file : files) {
    SourceFile sf;
    sf.file = file;
    const PackageModel* owner = nullptr;
    std::string dir = parent_dir(file);
    while (true) {
      auto it = by_dir.find(dir);
      if (it != by_dir.end()) {
        owner = it->second;
        break;
      }
      if (dir.empty()) break;
      dir = parent_dir(dir);
    }
    if (owner) {
      sf.package = owner->name;
      sf.manifest_file = owner->manifest_file;
    }
    auto it = reach.find(file);
    if (it != reach.end()) {
      sf.scope = kByRank[it->second.rank];
      sf.crate_roots = std::move(it->second.roots);
      std::sort(sf.crate_roots.begin(), sf.crate_roots.end());
    } else {
      sf.orphan = true;
      std::vector<std::string> parts = split_path(file);
      size_t skip = owner ? split_path(owner->dir).size() : 0;
      sf.scope = scope_by_location(
          std::vector<std::string>(parts.begin() + static_cast<std::ptrdiff_t>(skip), parts.end()));
    }
    tree.files.push_back(std::move(sf));
  }

  tree.diagnostics = std::move(builder.diagnostics);
  std::sort(tree.diagnostics.begin(), tree.diagnostics.end(),
            [](const Diagnostic& a, const Diagnostic& b) {
              return std::tie(a.loc.file, a.loc.line, a.loc.column, a.rule, a.message) <
                     std::tie(b.loc.file, b.loc.line, b.loc.column, b.rule, b.message);
            });
  return tree;
}

} // namespace otelaudit
