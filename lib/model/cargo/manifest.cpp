#include "model/cargo/manifest.h"

#include <algorithm>
#include <exception>
#include <tuple>

#include <toml++/toml.h>

#include "common/toml_guard.h"

namespace otelaudit {

std::string_view to_string(DepKind k) {
  switch (k) {
  case DepKind::normal:
    return "dependencies";
  case DepKind::dev:
    return "dev-dependencies";
  case DepKind::build:
    return "build-dependencies";
  }
  return "dependencies";
}

namespace {

constexpr const char* kInvalid = "manifest-invalid";
constexpr const char* kParseError = "manifest-parse-error";

std::string in_quotes(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

std::string parent_dir(const std::string& file) {
  auto slash = file.rfind('/');
  return slash == std::string::npos ? std::string() : file.substr(0, slash);
}

// Whether `rel`, taken from directory `dir` of the repository, stays inside the repository once
// `..` is applied. Absolute paths never do: the audit only sees the repository's own files.
bool stays_in_repo(const std::string& dir, std::string_view rel) {
  if (rel.empty()) return true;
  if (rel.front() == '/' || rel.front() == '\\' || (rel.size() >= 2 && rel[1] == ':')) return false;
  int depth = dir.empty() ? 0 : static_cast<int>(std::count(dir.begin(), dir.end(), '/')) + 1;
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    std::string_view part = rel.substr(start, end - start);
    if (part == "..") {
      if (--depth < 0) return false;
    } else if (!part.empty() && part != ".") {
      ++depth;
    }
    start = end + 1;
  }
  return true;
}

bool before(const Location& a, const Location& b) {
  return std::tie(a.line, a.column) < std::tie(b.line, b.column);
}

// Walks the parsed document once; every shape error becomes a diagnostic and parsing goes on,
// so one bad entry does not hide the rest of the manifest.
class ManifestReader {
public:
  ManifestReader(std::string file, std::vector<Diagnostic>& diags)
      : file_(std::move(file)), dir_(parent_dir(file_)), diags_(diags) {}

  Location at(const toml::source_region& src) const {
    return {file_, static_cast<int>(src.begin.line), static_cast<int>(src.begin.column)};
  }
  Location at(const toml::node& n) const { return at(n.source()); }

  void invalid(const Location& loc, std::string message) {
    diags_.push_back({kInvalid, loc, std::move(message)});
  }

  std::optional<Located> string_of(const toml::node& n, const std::string& what) {
    if (auto s = n.as_string()) return Located{s->get(), at(n)};
    invalid(at(n), what + " must be a string");
    return std::nullopt;
  }

  std::optional<bool> bool_of(const toml::node& n, const std::string& what) {
    if (auto b = n.as_boolean()) return b->get();
    invalid(at(n), what + " must be a boolean");
    return std::nullopt;
  }

  // Keeps the string elements even when others are wrong, so a typo costs one diagnostic only.
  std::vector<Located> strings_of(const toml::node& n, const std::string& what) {
    std::vector<Located> out;
    auto arr = n.as_array();
    if (!arr) {
      invalid(at(n), what + " must be an array of strings");
      return out;
    }
    bool reported = false;
    for (const toml::node& e : *arr) {
      if (auto s = e.as_string()) {
        out.push_back({s->get(), at(e)});
      } else if (!reported) {
        invalid(at(e), what + " must be an array of strings");
        reported = true;
      }
    }
    return out;
  }

  std::optional<Dependency> dependency(const toml::key& key, const toml::node& value, DepKind kind,
                                       const std::string& target) {
    Dependency d;
    d.key = std::string(key.str());
    d.package = d.key;
    d.loc = at(key.source());
    d.kind = kind;
    d.target = target;
    const std::string name = "dependency " + in_quotes(d.key);
    if (auto s = value.as_string()) {
      d.req = Located{s->get(), at(value)};
      return d;
    }
    auto table = value.as_table();
    if (!table) {
      invalid(d.loc, name + " must be a version string or a table");
      return std::nullopt;
    }
    for (auto&& [k, v] : *table) {
      const std::string_view field = k.str();
      const std::string what = std::string(field) + " of " + name;
      if (field == "version") {
        d.req = string_of(v, what);
      } else if (field == "package") {
        if (auto s = string_of(v, what)) d.package = s->value;
      } else if (field == "features") {
        d.features = strings_of(v, what);
      } else if (field == "optional") {
        if (auto b = bool_of(v, what)) d.optional = *b;
        // Cargo's own wording (cargo/src/cargo/core/summary.rs).
        if (d.optional && kind == DepKind::dev)
          invalid(at(v), "dev-dependencies are not allowed to be optional: `" + d.key + "`");
      } else if (field == "default-features" || field == "default_features") {
        if (auto b = bool_of(v, what)) d.default_features = *b;
      } else if (field == "workspace") {
        if (auto b = bool_of(v, what)) d.workspace = *b;
      } else if (field == "path") {
        if (auto s = string_of(v, what)) {
          d.path = s->value;
          if (!stays_in_repo(dir_, d.path)) {
            diags_.push_back({"path-outside-repo", s->loc,
                              "path dependency " + in_quotes(d.key) +
                                  " points outside the repository: " + in_quotes(d.path)});
          }
        }
      } else if (field == "git") {
        if (auto s = string_of(v, what)) d.git = s->value;
      } else if (field == "branch") {
        if (auto s = string_of(v, what)) d.branch = s->value;
      } else if (field == "tag") {
        if (auto s = string_of(v, what)) d.tag = s->value;
      } else if (field == "rev") {
        if (auto s = string_of(v, what)) d.rev = s->value;
      } else if (field == "registry") {
        if (auto s = string_of(v, what)) d.registry = s->value;
      }
      // Other keys (registry-index, artifact, public, …) do not matter to the audit.
    }
    if (!d.path.empty()) {
      d.source = Dependency::Source::path;
    } else if (!d.git.empty()) {
      d.source = Dependency::Source::git;
    }
    return d;
  }

  void dependency_table(const toml::node& node, std::string_view header, DepKind kind,
                        const std::string& target, std::vector<Dependency>& out) {
    auto table = node.as_table();
    if (!table) {
      invalid(at(node), "[" + std::string(header) + "] must be a table");
      return;
    }
    for (auto&& [k, v] : *table) {
      if (auto d = dependency(k, v, kind, target)) out.push_back(std::move(*d));
    }
  }

  // The dependency tables a [package] or a [target.'…'] table may hold, with their kinds.
  void dependency_tables(const toml::table& t, const std::string& prefix, const std::string& target,
                         std::vector<Dependency>& out) {
    static const std::pair<std::string_view, DepKind> kinds[] = {
        {"dependencies", DepKind::normal},      {"dev-dependencies", DepKind::dev},
        {"dev_dependencies", DepKind::dev},     {"build-dependencies", DepKind::build},
        {"build_dependencies", DepKind::build},
    };
    for (const auto& [name, kind] : kinds) {
      if (auto n = t.get(name)) dependency_table(*n, prefix + std::string(name), kind, target, out);
    }
  }

  void targets(const toml::table& root, PackageDecl& pkg) {
    auto target = [&](const toml::table& t, const std::string& kind, const std::string& header) {
      TargetDecl decl;
      decl.kind = kind;
      if (auto n = t.get("name")) {
        if (auto s = string_of(*n, "name of " + header)) decl.name = s->value;
      }
      if (auto n = t.get("path")) decl.path = string_of(*n, "path of " + header);
      pkg.targets.push_back(std::move(decl));
    };
    if (auto n = root.get("lib")) {
      if (auto t = n->as_table()) {
        target(*t, "lib", "[lib]");
      } else {
        invalid(at(*n), "[lib] must be a table");
      }
    }
    for (const char* kind : {"bin", "example", "test", "bench"}) {
      auto n = root.get(kind);
      if (!n) continue;
      const std::string header = "[[" + std::string(kind) + "]]";
      auto arr = n->as_array();
      if (!arr) {
        invalid(at(*n), header + " must be an array of tables");
        continue;
      }
      for (const toml::node& e : *arr) {
        if (auto t = e.as_table()) {
          target(*t, kind, header);
        } else {
          invalid(at(e), header + " must be an array of tables");
        }
      }
    }
  }

  std::optional<PackageDecl> package(const toml::node& node, const toml::table& root) {
    auto t = node.as_table();
    if (!t) {
      invalid(at(node), "[package] must be a table");
      return std::nullopt;
    }
    PackageDecl pkg;
    pkg.name.loc = at(node);
    if (auto n = t->get("name")) {
      if (auto s = string_of(*n, "package.name")) pkg.name = *s;
    } else {
      invalid(at(node), "[package] has no name");
    }
    if (auto n = t->get("version")) {
      if (auto s = n->as_string()) {
        pkg.version = Located{s->get(), at(*n)};
      } else if (auto vt = n->as_table();
                 vt && vt->get("workspace") && vt->get("workspace")->value_or(false)) {
        pkg.version_workspace = true;
      } else {
        invalid(at(*n), "package.version must be a string or { workspace = true }");
      }
    }
    targets(root, pkg);
    return pkg;
  }

  std::optional<WorkspaceDecl> workspace(const toml::node& node) {
    auto t = node.as_table();
    if (!t) {
      invalid(at(node), "[workspace] must be a table");
      return std::nullopt;
    }
    WorkspaceDecl ws;
    ws.loc = at(node);
    if (auto n = t->get("members")) ws.members = strings_of(*n, "workspace.members");
    if (auto n = t->get("exclude")) ws.exclude = strings_of(*n, "workspace.exclude");
    if (auto n = t->get("default-members")) {
      ws.default_members = strings_of(*n, "workspace.default-members");
    }
    if (auto n = t->get("package")) {
      if (auto pt = n->as_table()) {
        if (auto v = pt->get("version")) {
          ws.package_version = string_of(*v, "workspace.package.version");
        }
      } else {
        invalid(at(*n), "[workspace.package] must be a table");
      }
    }
    if (auto n = t->get("dependencies")) {
      dependency_table(*n, "workspace.dependencies", DepKind::normal, "", ws.dependencies);
      // A workspace entry has nothing to inherit from; Cargo rejects it, so drop it here.
      std::erase_if(ws.dependencies, [&](const Dependency& d) {
        if (!d.workspace) return false;
        invalid(d.loc, "dependency " + in_quotes(d.key) +
                           " in [workspace.dependencies] cannot inherit from the workspace");
        return true;
      });
      std::stable_sort(
          ws.dependencies.begin(), ws.dependencies.end(),
          [](const Dependency& a, const Dependency& b) { return before(a.loc, b.loc); });
    }
    return ws;
  }

  void manifest(const toml::table& root, Manifest& m) {
    if (auto n = root.get("package")) m.package = package(*n, root);
    if (auto n = root.get("workspace")) m.workspace = workspace(*n);
    dependency_tables(root, "", "", m.dependencies);
    if (auto n = root.get("target")) {
      if (auto t = n->as_table()) {
        for (auto&& [k, v] : *t) {
          const std::string cfg(k.str());
          if (auto tt = v.as_table()) {
            dependency_tables(*tt, "target." + cfg + ".", cfg, m.dependencies);
          } else {
            invalid(at(v), "[target." + cfg + "] must be a table");
          }
        }
      } else {
        invalid(at(*n), "[target] must be a table");
      }
    }
    std::stable_sort(m.dependencies.begin(), m.dependencies.end(),
                     [](const Dependency& a, const Dependency& b) { return before(a.loc, b.loc); });
    if (auto n = root.get("features")) {
      if (auto t = n->as_table()) {
        for (auto&& [k, v] : *t) {
          const std::string name(k.str());
          m.features.push_back({Located{name, at(k.source())}, strings_of(v, "features." + name)});
        }
        std::stable_sort(m.features.begin(), m.features.end(),
                         [](const FeatureDecl& a, const FeatureDecl& b) {
                           return before(a.name.loc, b.name.loc);
                         });
      } else {
        invalid(at(*n), "[features] must be a table");
      }
    }
    if (!root.get("package") && !root.get("workspace")) {
      invalid({file_, 1, 1},
              root.empty() ? "Cargo.toml is empty: it declares neither [package] nor [workspace]"
                           : "Cargo.toml declares neither [package] nor [workspace]");
    }
  }

private:
  std::string file_;
  std::string dir_;
  std::vector<Diagnostic>& diags_;
};

} // namespace

ManifestResult parse_manifest(std::string_view text, const std::string& file) {
  ManifestResult result;
  GuardedToml parsed = parse_toml_guarded(text, file, kParseError);
  if (!parsed.table) {
    result.diagnostics.push_back(std::move(*parsed.error));
    return result;
  }
  try {
    Manifest m;
    m.file = file;
    m.dir = parent_dir(file);
    ManifestReader reader(file, result.diagnostics);
    reader.manifest(*parsed.table, m);
    result.manifest = std::move(m);
  } catch (const std::exception& e) {
    result.manifest.reset();
    result.diagnostics.push_back({kParseError, {file, 0, 0}, e.what()});
  }
  std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) { return before(a.loc, b.loc); });
  return result;
}

} // namespace otelaudit
