#include "rules/dep_text.h"

#include <algorithm>

#include "model/cargo/semver.h"

namespace otelaudit {

std::vector<std::string> feature_names(const Dependency& dep) {
  std::vector<std::string> out;
  for (const Located& f : dep.features)
    out.push_back(f.value);
  return out;
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items) {
    if (!out.empty()) out += ", ";
    out += '"' + i + '"';
  }
  return out;
}

std::string dependency_line(const Dependency& dep, const std::string& version,
                            const std::vector<std::string>& features) {
  bool renamed = dep.key != dep.package;
  if (!renamed && features.empty() && dep.default_features && !dep.optional)
    return dep.key + " = \"" + version + "\"";
  std::string out = dep.key + " = { ";
  if (renamed) out += "package = \"" + dep.package + "\", ";
  out += "version = \"" + version + "\"";
  if (!dep.default_features) out += ", default-features = false";
  if (!features.empty()) out += ", features = [" + quoted_list(features) + "]";
  if (dep.optional) out += ", optional = true";
  return out + " }";
}

void EntryEdits::add(const std::string& file, const std::string& table, const std::string& entry) {
  for (const Edit& e : edits_)
    if (e.file == file && e.table == table && e.entry == entry) return;
  edits_.push_back({file, table, entry});
}

std::string EntryEdits::text() const {
  const bool one_table = std::all_of(edits_.begin(), edits_.end(), [&](const Edit& e) {
    return e.file == edits_.front().file && e.table == edits_.front().table;
  });
  std::string out;
  // Grouped by file, then table, in the order first added.
  std::vector<std::pair<std::string, std::string>> groups;
  for (const Edit& e : edits_)
    if (std::find(groups.begin(), groups.end(), std::pair{e.file, e.table}) == groups.end())
      groups.emplace_back(e.file, e.table);
  std::stable_sort(groups.begin(), groups.end(), [&](const auto& a, const auto& b) {
    auto first = [&](const std::string& file) {
      for (std::size_t i = 0; i < edits_.size(); ++i)
        if (edits_[i].file == file) return i;
      return edits_.size();
    };
    return first(a.first) < first(b.first);
  });
  std::string file;
  for (const auto& [f, table] : groups) {
    if (!one_table) {
      if (f != file) out += (out.empty() ? "" : "\n") + std::string("# ") + f;
      out += (out.empty() ? "" : "\n") + std::string("[") + table + "]";
    }
    file = f;
    for (const Edit& e : edits_)
      if (e.file == f && e.table == table) out += (out.empty() ? "" : "\n") + e.entry;
  }
  return out;
}

std::string dependency_table(DepKind kind, const std::string& target) {
  std::string table(to_string(kind));
  return target.empty() ? table : "target.'" + target + "'." + table;
}

const Dependency* workspace_entry(const CargoModel& cargo, const std::string& file,
                                  const std::string& crate, const Manifest** root) {
  std::string root_file;
  for (const PackageModel& p : cargo.packages)
    if (p.manifest_file == file) root_file = p.workspace_root;
  for (const Manifest& m : cargo.manifests) {
    if (!m.workspace || (m.file != file && m.file != root_file)) continue;
    for (const Dependency& d : m.workspace->dependencies)
      if (d.package == crate) {
        if (root) *root = &m;
        return &d;
      }
  }
  return nullptr;
}

namespace {

/// The breaking unit `text` selects ("0.27" for "^0.27.1"), empty when it does not parse.
std::string unit_of(const std::string& text) {
  std::string error;
  auto req = parse_requirement(text, error);
  if (!req) return {};
  auto min = req->minimum();
  return min ? min->line() : std::string();
}

} // namespace

void add_entry(EntryEdits& edits, const CargoModel& cargo, const std::string& file,
               const Dependency& dep, const std::string& version,
               const std::vector<std::string>& features,
               const std::function<bool(const std::string&)>& exists) {
  const Manifest* root = nullptr;
  const Dependency* ws = workspace_entry(cargo, file, dep.package, &root);
  if (!ws || (root->file == file && !root->package)) {
    edits.add(file, dependency_table(dep.kind, dep.target),
              dependency_line(dep, version, features));
    return;
  }
  std::vector<std::string> inherited = feature_names(*ws), added;
  for (const std::string& f : features)
    if (std::find(inherited.begin(), inherited.end(), f) == inherited.end()) added.push_back(f);
  if (!ws->req || unit_of(ws->req->value).empty() || unit_of(ws->req->value) != unit_of(version)) {
    // The features the workspace entry lists stay on it (other members inherit them), those
    // the crate still has at the new version.
    std::vector<std::string> kept;
    for (const std::string& f : inherited)
      if (!exists || exists(f)) kept.push_back(f);
    edits.add(root->file, "workspace.dependencies", dependency_line(*ws, version, kept));
  }
  std::string entry = ws->key;
  if (added.empty() && !dep.optional)
    entry += ".workspace = true";
  else {
    entry += " = { workspace = true";
    if (!added.empty()) entry += ", features = [" + quoted_list(added) + "]";
    if (dep.optional) entry += ", optional = true";
    entry += " }";
  }
  edits.add(file, dependency_table(dep.kind, dep.target), entry);
}

} // namespace otelaudit
