#include "rules/declarations.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "common/strings.h"

namespace otelaudit {

namespace {

Declaration make_declaration(const Manifest& m, const Dependency& d, bool ws,
                             const Ruleset& rules) {
  Declaration decl;
  decl.manifest = &m;
  decl.dep = &d;
  decl.workspace_table = ws;
  decl.otel = rules.is_otel_crate(d.package);
  decl.bridge = d.package == rules.bridge_crate;
  if (d.req) {
    std::string error;
    decl.req = parse_requirement(d.req->value, error);
    if (!decl.req) decl.req_error = error;
  }
  if (decl.req && (decl.otel || decl.bridge))
    decl.lines = rules.selected_lines(d.package, *decl.req);
  if (decl.req && (decl.otel || decl.bridge) && decl.lines.empty())
    if (auto min = decl.req->minimum()) decl.older = rules.older_than_known(d.package, *min);
  return decl;
}

bool loc_less(const Declaration& a, const Declaration& b) {
  return std::tie(a.dep->loc.file, a.dep->loc.line, a.dep->loc.column) <
         std::tie(b.dep->loc.file, b.dep->loc.line, b.dep->loc.column);
}

// `prefix` is `dir` or one of its ancestors, comparing whole components.
bool dir_within(const std::string& dir, const std::string& prefix) {
  if (prefix.empty()) return true;
  return dir == prefix || (dir.size() > prefix.size() &&
                           dir.compare(0, prefix.size(), prefix) == 0 && dir[prefix.size()] == '/');
}

std::string dir_of(const std::string& file) {
  auto slash = file.rfind('/');
  return slash == std::string::npos ? std::string() : file.substr(0, slash);
}

// Whether each [workspace.dependencies] entry is inherited by a member of its workspace
// (Cargo looks the member's key up in the table). A workspace whose directory holds a
// Cargo.toml that could not be read or parsed is taken as inheriting everything: that file may
// be a member, and what it inherits is unknown.
class Inheritance {
public:
  explicit Inheritance(const CargoModel& cargo) {
    for (const PackageModel& p : cargo.packages)
      if (!p.workspace_root.empty())
        for (const Dependency& d : p.dependencies)
          if (d.inherited) used_.insert({p.workspace_root, d.key});
    for (const Diagnostic& d : cargo.diagnostics)
      if (d.loc.file.ends_with("Cargo.toml") &&
          (d.rule == "manifest-parse-error" || d.rule == "file-unreadable" ||
           d.rule == "git-object-missing" || d.rule == "git-object-corrupt" ||
           d.rule == "file-too-large"))
        unreadable_.push_back(dir_of(d.loc.file));
  }

  bool used(const Manifest& root, const Dependency& entry) const {
    if (used_.count({root.file, entry.key})) return true;
    return std::any_of(unreadable_.begin(), unreadable_.end(),
                       [&](const std::string& dir) { return dir_within(dir, root.dir); });
  }

private:
  std::set<std::pair<std::string, std::string>> used_; // workspace manifest, entry key
  std::vector<std::string> unreadable_;                // directories of unreadable manifests
};

} // namespace

bool Declaration::on_line(std::string_view l) const {
  return std::find(lines.begin(), lines.end(), l) != lines.end();
}

std::optional<std::string> requirement_line(const VersionReq& req) {
  auto min = req.minimum();
  if (!min) return std::nullopt;
  return min->line();
}

std::vector<Declaration> collect_declarations(const CargoModel& cargo, const Ruleset& rules) {
  const Inheritance inheritance(cargo);
  std::vector<Declaration> out;
  for (const Manifest& m : cargo.manifests) {
    if (m.workspace)
      for (const Dependency& d : m.workspace->dependencies)
        if (inheritance.used(m, d)) out.push_back(make_declaration(m, d, true, rules));
    for (const Dependency& d : m.dependencies)
      if (!d.workspace) out.push_back(make_declaration(m, d, false, rules));
  }
  std::stable_sort(out.begin(), out.end(), loc_less);
  return out;
}

std::vector<Declaration> unused_workspace_declarations(const CargoModel& cargo,
                                                       const Ruleset& rules) {
  const Inheritance inheritance(cargo);
  std::vector<Declaration> out;
  for (const Manifest& m : cargo.manifests)
    if (m.workspace)
      for (const Dependency& d : m.workspace->dependencies)
        if (!inheritance.used(m, d)) out.push_back(make_declaration(m, d, true, rules));
  std::stable_sort(out.begin(), out.end(), loc_less);
  return out;
}

std::optional<PackageLine> dependency_line(const PackageModel& package, std::string_view crate,
                                           const Ruleset& rules) {
  for (const Dependency& d : package.dependencies) {
    if (d.kind != DepKind::normal || !d.req || !same_crate_name(d.package, crate) ||
        !rules.is_otel_crate(d.package))
      continue;
    std::string error;
    auto req = parse_requirement(d.req->value, error);
    if (!req) continue;
    auto lines = rules.selected_lines(d.package, *req);
    if (!lines.empty()) return PackageLine{lines.back(), false, d.package};
    auto min = req->minimum();
    if (!min || !rules.older_than_known(d.package, *min)) continue;
    // opentelemetry and its SDK are versioned like the line (0.18.0 is the 0.18 line).
    const bool like_line = d.package == "opentelemetry" || d.package == "opentelemetry_sdk";
    return PackageLine{like_line ? min->line() : std::string(), true, d.package};
  }
  return std::nullopt;
}

std::optional<PackageLine> package_line(const PackageModel& package, const Ruleset& rules) {
  for (std::string_view crate : {"opentelemetry", "opentelemetry_sdk"})
    if (auto l = dependency_line(package, crate, rules)) return l;
  for (const Dependency& d : package.dependencies)
    if (auto l = dependency_line(package, d.package, rules)) return l;
  return std::nullopt;
}

std::optional<std::string> repository_line(const std::vector<Declaration>& decls,
                                           const Ruleset& rules) {
  auto pick = [&](auto accept) -> std::optional<std::string> {
    std::map<std::string, int> count;
    for (const Declaration& d : decls)
      if (d.otel && accept(d) && !d.line().empty()) ++count[d.line()];
    std::optional<std::string> best;
    int best_n = 0;
    for (const auto& [line, n] : count) {
      bool newer =
          !best || rules.line_index(line).value_or(-1) > rules.line_index(*best).value_or(-1);
      if (n > best_n || (n == best_n && newer)) {
        best = line;
        best_n = n;
      }
    }
    return best;
  };
  if (auto l = pick([](const Declaration& d) { return d.dep->package == "opentelemetry"; }))
    return l;
  if (auto l = pick([](const Declaration& d) { return d.dep->package == "opentelemetry_sdk"; }))
    return l;
  return pick([](const Declaration&) { return true; });
}

} // namespace otelaudit
