#include <algorithm>

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

std::optional<ExportSign> export_sign(const RepoModel& repo, const Conventions& conv) {
  auto listed = [](const std::vector<std::string>& list, std::string_view item) {
    return std::find(list.begin(), list.end(), item) != list.end();
  };
  // A dev- or build-dependency exporter exports nothing from the service itself.
  for (const PackageModel& p : repo.cargo.packages)
    for (const Dependency& d : p.dependencies)
      if (d.kind == DepKind::normal && listed(conv.exporter_crates, d.package))
        return ExportSign{d.loc, p.name, d.package};
  for (const FileView& v : production_files(repo)) {
    if (v.orphan()) continue;
    for (const rust::Call& c : v.facts->calls) {
      if (c.in_test || c.method || line_in_test(*v.facts, c.pos.line)) continue;
      if (std::any_of(conv.exporter_calls.begin(), conv.exporter_calls.end(),
                      [&](const std::string& e) { return callee_is(c.callee, e); }))
        return ExportSign{Location{*v.file, c.pos.line, c.pos.column}, v.package_name(), c.callee};
    }
  }
  return std::nullopt;
}

} // namespace otelaudit::source
