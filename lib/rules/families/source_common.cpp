#include <algorithm>

#include "common/paths.h"
#include "common/strings.h"
#include "rules/families/source.h"
#include "rules/rule_table.h"

namespace otelaudit::source {

namespace {

const SourceFile* unit_of(const ModuleTree& tree, const std::string& file) {
  // files is sorted by file (modules.h); ModuleTree::find lives with the tree builder.
  auto it =
      std::lower_bound(tree.files.begin(), tree.files.end(), file,
                       [](const SourceFile& f, const std::string& name) { return f.file < name; });
  if (it != tree.files.end() && it->file == file) return &*it;
  for (const SourceFile& f : tree.files) // tolerate an unsorted tree built by hand
    if (f.file == file) return &f;
  return nullptr;
}

const PackageModel* package_of(const RepoModel& repo, const SourceFile* unit) {
  if (!unit || unit->manifest_file.empty()) return nullptr;
  for (const PackageModel& p : repo.cargo.packages)
    if (p.manifest_file == unit->manifest_file) return &p;
  return nullptr;
}

} // namespace

std::vector<FileView> all_files(const RepoModel& repo) {
  std::vector<FileView> out;
  for (const auto& [file, facts] : repo.sources) {
    FileView v;
    v.file = &file;
    v.facts = &facts;
    v.unit = unit_of(repo.modules, file);
    v.package = package_of(repo, v.unit);
    out.push_back(v);
  }
  return out;
}

std::vector<FileView> production_files(const RepoModel& repo) {
  std::vector<FileView> out = all_files(repo);
  std::erase_if(out, [](const FileView& v) { return v.scope() != CodeScope::production; });
  return out;
}

bool line_in_test(const rust::FileFacts& facts, int line) {
  return std::any_of(
      facts.test_lines.begin(), facts.test_lines.end(),
      [&](const std::pair<int, int>& r) { return line >= r.first && line <= r.second; });
}

void emit_at(Sink& sink, std::string_view rule, Severity severity, const FileView& view,
             rust::Pos pos, std::string message, std::string fix) {
  Finding f;
  f.rule = std::string(rule);
  f.orphan = view.orphan();
  f.severity = f.orphan ? Severity::info : severity;
  f.loc = Location{*view.file, pos.line, pos.column};
  f.message = std::move(message);
  f.fix = std::move(fix);
  f.package = view.package_name();
  sink.emit(std::move(f));
}

void emit_at(Sink& sink, std::string_view rule, const FileView& view, rust::Pos pos,
             std::string message, std::string fix) {
  emit_at(sink, rule, default_severity(rule), view, pos, std::move(message), std::move(fix));
}

std::string code_name(std::string_view crate) {
  std::string out(crate);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  if (path.starts_with("::")) path.remove_prefix(2);
  while (true) {
    auto at = path.find("::");
    out.emplace_back(path.substr(0, at));
    if (at == std::string_view::npos) break;
    path.remove_prefix(at + 2);
  }
  return out;
}

const Imports& no_imports() {
  static const Imports none;
  return none;
}

Imports imports_of(const rust::FileFacts& facts) {
  Imports out;
  for (const rust::PathRef& p : facts.paths) {
    if (!p.in_use || p.extern_crate || p.segments.empty()) continue;
    if (p.glob) {
      out.globs.push_back(p.segments);
      continue;
    }
    std::vector<std::string> segs = p.segments;
    // `use a::b::{self}` names the module b itself.
    if (segs.size() > 1 && segs.back() == "self") segs.pop_back();
    std::string local = p.alias.empty() ? segs.back() : p.alias;
    if (local == "_") continue;
    out.names.emplace(local, segs);
  }
  return out;
}

std::vector<std::string> resolve(const std::vector<std::string>& segments, const Imports& imports,
                                 const PackageModel* package) {
  if (segments.empty()) return segments;
  std::vector<std::string> out = segments;
  if (auto it = imports.names.find(out.front()); it != imports.names.end() && it->second != out) {
    std::vector<std::string> full = it->second;
    full.insert(full.end(), out.begin() + 1, out.end());
    out = std::move(full);
  }
  if (package) {
    for (const Dependency& d : package->dependencies) {
      if (d.key != d.package && code_name(d.key) == out.front()) {
        out.front() = code_name(d.package);
        break;
      }
    }
  }
  return out;
}

Imports imports_for(const FileView& view) {
  Imports out = imports_of(*view.facts);
  if (view.package)
    for (const Dependency& d : view.package->dependencies)
      if (d.key != d.package) out.renamed.emplace(code_name(d.key), code_name(d.package));
  return out;
}

std::string_view resolved_root(std::string_view first, const Imports& imports) {
  if (auto it = imports.names.find(first); it != imports.names.end()) first = it->second.front();
  if (auto it = imports.renamed.find(first); it != imports.renamed.end()) return it->second;
  return first;
}

std::string_view first_segment(std::string_view path) {
  if (path.starts_with("::")) path.remove_prefix(2);
  return path.substr(0, path.find("::"));
}

std::string_view last_segment(std::string_view path) {
  const std::size_t sep = path.rfind("::");
  return sep == std::string_view::npos ? path : path.substr(sep + 2);
}

bool callee_is(std::string_view callee, std::string_view entry) {
  if (callee == entry) return true;
  return callee.size() > entry.size() + 2 && callee.ends_with(entry) &&
         callee.substr(callee.size() - entry.size() - 2, 2) == "::";
}

bool declares(const PackageModel* package, std::string_view crate) {
  if (!package) return false;
  const std::string want = code_name(crate);
  return std::any_of(package->dependencies.begin(), package->dependencies.end(),
                     [&](const Dependency& d) { return code_name(d.package) == want; });
}

bool enables(const PackageModel* package, std::string_view crate, std::string_view feature) {
  if (!package) return false;
  const std::string want = code_name(crate);
  for (const Dependency& d : package->dependencies)
    if (code_name(d.package) == want)
      for (const Located& f : d.features)
        if (f.value == feature) return true;
  return false;
}

std::vector<EnvRead> env_reads(const rust::FileFacts& facts) {
  static const std::vector<std::string_view> kReaders = {
      "std::env::var", "env::var", "std::env::var_os", "env::var_os", "dotenvy::var", "dotenv::var",
  };
  static const std::vector<std::string_view> kMacros = {"env", "option_env", "std::env",
                                                        "std::option_env"};
  std::vector<EnvRead> out;
  for (const rust::Call& c : facts.calls) {
    if (c.in_test || c.method || c.args.empty() || !c.args[0].literal) continue;
    if (line_in_test(facts, c.pos.line)) continue;
    const auto& list = c.macro ? kMacros : kReaders;
    std::string_view callee = c.callee;
    if (callee.starts_with("::")) callee.remove_prefix(2);
    if (std::find(list.begin(), list.end(), callee) == list.end()) continue;
    out.push_back({&c, &c.args[0]});
  }
  return out;
}

bool builds_binary(const RepoModel& repo, const PackageModel& package) {
  for (const Manifest& m : repo.cargo.manifests)
    if (m.file == package.manifest_file && m.package)
      for (const TargetDecl& t : m.package->targets)
        if (t.kind == "bin") return true;
  const std::string prefix = package.dir.empty() ? std::string() : package.dir + "/";
  for (const SourceFile& f : repo.modules.files) {
    if (f.manifest_file != package.manifest_file || !f.file.starts_with(prefix)) continue;
    const std::vector<std::string> rel =
        otelaudit::split_path(std::string_view(f.file).substr(prefix.size()));
    if (rel.size() < 2 || rel[0] != "src") continue;
    if (rel.size() == 2 && rel[1] == "main.rs") return true;
    if (rel.size() == 3 && rel[1] == "bin" && rel[2].ends_with(".rs")) return true;
    if (rel.size() == 4 && rel[1] == "bin" && rel[3] == "main.rs") return true;
  }
  return false;
}

std::vector<const PackageModel*> path_closure(const RepoModel& repo, const PackageModel& package) {
  // A path dependency names its package by real name; a name shared by packages of several
  // workspaces is resolved within the depending package's own workspace first.
  auto find = [&](const PackageModel& from, const std::string& name) -> const PackageModel* {
    const PackageModel* any = nullptr;
    for (const PackageModel& p : repo.cargo.packages) {
      if (!same_crate_name(p.name, name)) continue;
      if (p.workspace_root == from.workspace_root) return &p;
      if (!any) any = &p;
    }
    return any;
  };
  std::vector<const PackageModel*> out = {&package};
  for (std::size_t i = 0; i < out.size(); ++i)
    for (const Dependency& d : out[i]->dependencies) {
      if (d.kind != DepKind::normal || d.source != Dependency::Source::path) continue;
      const PackageModel* dep = find(*out[i], d.package);
      if (dep && std::find(out.begin(), out.end(), dep) == out.end()) out.push_back(dep);
    }
  return out;
}

std::vector<Service> services(const RepoModel& repo) {
  std::vector<Service> out;
  for (const PackageModel& p : repo.cargo.packages) {
    // A package inside a tests/ directory is test data of the package around it (a project
    // a CLI's tests build), not a service of the repository.
    const std::vector<std::string> dirs = otelaudit::split_path(p.dir);
    if (std::find(dirs.begin(), dirs.end(), "tests") != dirs.end()) continue;
    if (builds_binary(repo, p)) out.push_back(Service{&p, path_closure(repo, p)});
  }
  return out;
}

std::optional<ExportSign> export_sign(const RepoModel& repo, const Service& service,
                                      const Conventions& conv) {
  auto listed = [](const std::vector<std::string>& list, std::string_view item) {
    return std::find(list.begin(), list.end(), item) != list.end();
  };
  // A dev- or build-dependency exporter exports nothing from the service itself. The package
  // whose compiled code names the exporter crate is where the exporter is set up: its key is
  // shown first, before a declaration nothing uses.
  const std::vector<FileView> files = production_files(repo);
  auto names_crate = [&](const PackageModel* p, const Dependency& d) {
    const std::string name = code_name(d.key);
    for (const FileView& v : files) {
      if (v.package != p || v.orphan()) continue;
      for (const rust::PathRef& r : v.facts->paths)
        if (!r.segments.empty() && r.segments.front() == name) return true;
      for (const rust::Call& c : v.facts->calls)
        if (!c.method && first_segment(c.callee) == name) return true;
    }
    return false;
  };
  for (bool used : {true, false})
    for (const PackageModel* p : service.closure)
      for (const Dependency& d : p->dependencies)
        if (d.kind == DepKind::normal && listed(conv.exporter_crates, d.package) &&
            (!used || names_crate(p, d)))
          return ExportSign{d.loc, p->name, d.package};
  for (const FileView& v : files) {
    if (v.orphan() || !service.holds(v.package)) continue;
    for (const rust::Call& c : v.facts->calls) {
      if (c.in_test || c.method || line_in_test(*v.facts, c.pos.line)) continue;
      if (std::any_of(conv.exporter_calls.begin(), conv.exporter_calls.end(),
                      [&](const std::string& e) { return callee_is(c.callee, e); }))
        return ExportSign{Location{*v.file, c.pos.line, c.pos.column}, v.package_name(), c.callee};
    }
  }
  return std::nullopt;
}

std::string SignGroup::subject() const {
  std::string out;
  for (const std::string& b : binaries)
    out += (out.empty() ? "" : ", ") + b;
  return out;
}

void add_to_groups(std::vector<SignGroup>& groups, ExportSign sign, const std::string& binary) {
  for (SignGroup& g : groups)
    if (g.sign.loc == sign.loc) {
      g.binaries.push_back(binary);
      return;
    }
  groups.push_back(SignGroup{std::move(sign), {binary}});
}

} // namespace otelaudit::source
