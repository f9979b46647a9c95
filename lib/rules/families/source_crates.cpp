#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "rules/families/source.h"

namespace otelaudit {

namespace {

using source::FileView;

/// The first segment of a path the code names, and where. `name` views into the file's facts
/// or its import table.
struct Root {
  std::string_view name;
  rust::Pos pos;
  bool in_test = false;
  bool quoted = false; // in a macro_rules! body or a quote!{…}: compiled by another crate
};

/// Every crate-or-module root a file names: paths, `use` and `extern crate` roots, called
/// paths and macro paths, attribute paths. `use` imports are resolved through `imports` (the
/// file's), so `use a::b; b::c()` names `a`.
std::vector<Root> roots_of(const rust::FileFacts& facts, const source::Imports& imports) {
  std::vector<Root> out;
  auto add = [&](std::string_view first, bool single, bool in_use, rust::Pos pos, bool in_test,
                 bool quoted) {
    if (first.empty()) return;
    auto imported = in_use ? imports.names.end() : imports.names.find(first);
    // A single segment outside `use` is a local name unless it is an imported path.
    if (single && !in_use && imported == imports.names.end()) return;
    if (imported != imports.names.end()) first = imported->second.front();
    out.push_back({first, pos, in_test || source::line_in_test(facts, pos.line), quoted});
  };
  for (const rust::PathRef& p : facts.paths)
    if (!p.segments.empty())
      add(p.segments.front(), p.segments.size() == 1, p.in_use || p.extern_crate, p.pos, p.in_test,
          p.quoted);
  for (const rust::Call& c : facts.calls)
    if (!c.method)
      add(source::first_segment(c.callee), c.callee.find("::") == std::string::npos, false, c.pos,
          c.in_test, c.quoted);
  for (const rust::Attribute& a : facts.attributes)
    if (a.path.find("::") != std::string::npos)
      add(source::first_segment(a.path), false, false, a.pos, a.in_test, a.quoted);
  std::sort(out.begin(), out.end(), [](const Root& a, const Root& b) {
    return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
  });
  return out;
}

/// A file's import table and the roots it names (which view into the table), computed once
/// for both crate-usage checks.
struct FileRoots {
  source::Imports imports;
  std::vector<Root> roots;
};
using RootsByFile = std::map<const rust::FileFacts*, FileRoots>;

const std::vector<Root>& roots_for(RootsByFile& cache, const rust::FileFacts& facts) {
  auto it = cache.find(&facts);
  if (it == cache.end()) {
    it = cache.emplace(&facts, FileRoots{source::imports_of(facts), {}}).first;
    // The map's nodes do not move: the roots may view into the stored import table.
    it->second.roots = roots_of(facts, it->second.imports);
  }
  return it->second.roots;
}

bool is_builtin_root(std::string_view name) {
  static const std::set<std::string_view> kBuiltin = {
      "crate", "self", "super", "Self", "std", "core", "alloc", "proc_macro", "test",
  };
  return kBuiltin.count(name) > 0;
}

/// The crates the rule data knows, by the name code uses → the crate's real name.
std::map<std::string, std::string, std::less<>> known_crates(const Ruleset& rules) {
  std::map<std::string, std::string, std::less<>> out;
  auto add = [&](const std::string& crate) { out.emplace(source::code_name(crate), crate); };
  for (const LineInfo& l : rules.lines)
    for (const auto& [crate, entry] : l.crates)
      add(crate);
  add(rules.bridge_crate);
  for (const auto& c : rules.tracing_crates)
    add(c);
  for (const auto& d : rules.deprecated)
    add(d.crate);
  for (const auto& c : rules.companions)
    add(c.crate);
  for (const auto& c : rules.api_changes)
    add(c.crate);
  return out;
}

/// The manifest line that adds `crate`, at the version the rule data gives it.
std::string dependency_to_add(const Ruleset& rules, const std::string& crate) {
  for (const DeprecatedCrate& d : rules.deprecated)
    if (d.crate == crate) return d.fix;
  if (auto v = rules.target_version(crate)) return fmt::format("{} = \"{}\"", crate, *v);
  for (const Companion& c : rules.companions)
    if (c.crate == crate) return fmt::format("{} = \"{}\"", crate, c.version);
  return fmt::format("{} = \"<version>\"", crate);
}

/// The names a package's code may use as its own crates: the package and its targets.
std::set<std::string, std::less<>> own_crate_names(const RepoModel& repo,
                                                   const PackageModel& package) {
  std::set<std::string, std::less<>> out = {source::code_name(package.name)};
  for (const Manifest& m : repo.cargo.manifests)
    if (m.file == package.manifest_file && m.package)
      for (const TargetDecl& t : m.package->targets)
        if (!t.name.empty()) out.insert(source::code_name(t.name));
  return out;
}

/// True when the file declares a module `name`: as in rustc 2018, a path `name::…` written in
/// that module names the module, not the crate. A module declared in another file hides
/// nothing here (there it is reached as `crate::name`, `super::name` or through a `use`, which
/// the import table resolves).
bool declares_module(const rust::FileFacts& facts, std::string_view name) {
  return std::any_of(facts.mods.begin(), facts.mods.end(),
                     [&](const rust::ModDecl& m) { return m.name == name; });
}

void check_undeclared(const RepoModel& repo, const Ruleset& rules, Sink& sink, RootsByFile& roots) {
  const auto known = known_crates(rules);
  const std::vector<FileView> files = source::production_files(repo);

  /// The first use of one undeclared crate in one package; compiled files come first.
  struct Use {
    const FileView* view;
    rust::Pos pos;
  };
  std::map<std::pair<const PackageModel*, std::string>, Use> first;
  /// Per package: the names of its own crates, and what its production code sees
  /// declared: [dependencies] (target-specific ones included) only; a crate in
  /// [dev-dependencies] or [build-dependencies] alone does not compile into it.
  struct PackageNames {
    std::set<std::string, std::less<>> locals, declared;
  };
  std::map<const PackageModel*, PackageNames> names;
  for (const FileView& v : files) {
    if (!v.package) continue;
    auto names_it = names.find(v.package);
    if (names_it == names.end()) {
      PackageNames n{own_crate_names(repo, *v.package), {}};
      for (const Dependency& d : v.package->dependencies)
        if (d.kind == DepKind::normal) n.declared.insert(source::code_name(d.key));
      names_it = names.emplace(v.package, std::move(n)).first;
    }
    const PackageNames& package_names = names_it->second;
    for (const Root& r : roots_for(roots, *v.facts)) {
      // Quoted tokens are compiled by the crate the macro expands in, which declares its own
      // dependencies.
      if (r.in_test || r.quoted) continue;
      auto k = known.find(r.name); // most roots name no crate the rule data knows
      if (k == known.end() || is_builtin_root(r.name) || package_names.locals.count(r.name) ||
          package_names.declared.count(r.name) || declares_module(*v.facts, r.name))
        continue;
      auto key = std::pair{v.package, k->second};
      auto it = first.find(key);
      if (it == first.end())
        first.emplace(key, Use{&v, r.pos});
      else if (it->second.view->orphan() && !v.orphan())
        it->second = Use{&v, r.pos};
    }
  }
  for (const auto& [key, use] : first) {
    const auto& [package, crate] = key;
    std::string elsewhere; // the tables that declare it where production code cannot see it
    for (const Dependency& d : package->dependencies)
      if (d.kind != DepKind::normal && source::code_name(d.key) == source::code_name(crate) &&
          elsewhere.find(std::string(to_string(d.kind))) == std::string::npos)
        elsewhere += (elsewhere.empty() ? "" : " and ") + fmt::format("[{}]", to_string(d.kind));
    std::string message =
        elsewhere.empty()
            ? fmt::format("{} is used in code, but package {} does not declare it in {}",
                          source::code_name(crate), package->name, package->manifest_file)
            : fmt::format("{} is used in production code, but package {} declares it only in {} "
                          "of {}",
                          source::code_name(crate), package->name, elsewhere,
                          package->manifest_file);
    source::emit_at(sink, "undeclared-crate", *use.view, use.pos, std::move(message),
                    dependency_to_add(rules, crate));
  }
}

void check_unused(const RepoModel& repo, const Ruleset& rules, Sink& sink, RootsByFile& roots) {
  const std::vector<FileView> all = source::all_files(repo);
  // The crates each package's macro_rules! bodies (and quote!{…} tokens) name: compiled in the
  // crate that invokes the macro, which must declare them.
  std::map<const PackageModel*, std::set<std::string, std::less<>>> quoted;
  for (const FileView& v : all)
    if (v.package && !v.orphan() && v.scope() == CodeScope::production)
      for (const Root& r : roots_for(roots, *v.facts))
        if (r.quoted && !r.in_test) quoted[v.package].emplace(r.name);
  for (const PackageModel& package : repo.cargo.packages) {
    // Only the OpenTelemetry crates and the bridge are judged: a package declaring none needs
    // no look at its code.
    std::set<std::string, std::less<>> judged;
    for (const Dependency& d : package.dependencies)
      if (rules.is_otel_crate(d.package) || d.package == rules.bridge_crate)
        judged.insert(source::code_name(d.key));
    if (judged.empty()) continue;
    // Those of them referenced by compiled code: production code outside tests, build
    // scripts, any.
    std::set<std::string, std::less<>> production, build, anywhere;
    auto add = [&judged](std::set<std::string, std::less<>>& set, std::string_view name) {
      if (judged.count(name) && set.find(name) == set.end()) set.emplace(name);
    };
    bool reached = false;
    for (const FileView& v : all) {
      if (v.package != &package || v.orphan()) continue;
      reached = true;
      for (const Root& r : roots_for(roots, *v.facts)) {
        add(anywhere, r.name);
        if (v.scope() == CodeScope::build_script) add(build, r.name);
        if (v.scope() == CodeScope::production && !r.in_test) add(production, r.name);
      }
    }
    if (!reached) continue;
    // A macro of a package of the repository it depends on names the crate for it.
    for (const PackageModel* dep : source::path_closure(repo, package)) {
      auto it = quoted.find(dep);
      if (dep == &package || it == quoted.end()) continue;
      for (const std::string& name : it->second) {
        add(production, name);
        add(anywhere, name);
      }
    }
    for (const Dependency& d : package.dependencies) {
      if (!rules.is_otel_crate(d.package) && d.package != rules.bridge_crate) continue;
      const std::set<std::string, std::less<>>& used = d.kind == DepKind::dev     ? anywhere
                                                       : d.kind == DepKind::build ? build
                                                                                  : production;
      if (used.count(source::code_name(d.key))) continue;
      std::string where = d.kind == DepKind::dev     ? "its code"
                          : d.kind == DepKind::build ? "its build script"
                                                     : "its production code";
      sink.emit("unused-otel-crate", d.loc,
                fmt::format("{} is declared in [{}] of package {} but never used in {}", d.package,
                            to_string(d.kind), package.name, where),
                fmt::format("remove the {} entry from {}", d.key, package.manifest_file),
                package.name);
    }
  }
}

} // namespace

void check_crate_usage(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  RootsByFile roots;
  check_undeclared(repo, rules, sink, roots);
  check_unused(repo, rules, sink, roots);
}

} // namespace otelaudit
