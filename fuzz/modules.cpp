// libFuzzer target: the Rust module resolver (build_module_tree) over a small repository, packed
// as for the `audit` target (fuzz::unpack: "=== path" lines start files). Files named
// Cargo.toml go through load_cargo on a MemoryTree, .rs files through rust::extract_facts;
// other files are ignored. Only names a Tree can list are kept (repository-relative, normalised:
// no leading `/`, no `.` or `..` part, no empty part), so that a path outside the repository
// in the result can only come from the resolver itself.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "common/paths.h"
#include "fuzz_common.h"
#include "model/cargo/workspace.h"
#include "model/rust/facts.h"
#include "model/rust/modules.h"
#include "source/tree.h"

using namespace otelaudit;

namespace {

bool inside(const std::string& path) {
  return !path.empty() && !path.starts_with('/') && !path.starts_with("../") && path != "..";
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::map<std::string, std::string> manifests;
  std::map<std::string, rust::FileFacts> facts;
  for (auto& [name, text] : fuzz::unpack(fuzz::as_text(data, size))) {
    if (resolve_relative("", name) != name || name.empty()) continue;
    if (name == "Cargo.toml" || name.ends_with("/Cargo.toml"))
      manifests.emplace(name, std::move(text));
    else if (name.ends_with(".rs"))
      facts.emplace(name, rust::extract_facts(text));
  }
  std::set<std::string> known; // every file of the input
  for (const auto& [name, _] : manifests)
    known.insert(name);
  // Listed in reverse, twice: the tree must come out sorted and without duplicates anyway.
  std::vector<std::string> rs_files;
  for (auto it = facts.rbegin(); it != facts.rend(); ++it) {
    rs_files.push_back(it->first);
    known.insert(it->first);
  }
  const std::vector<std::string> once = rs_files;
  rs_files.insert(rs_files.end(), once.begin(), once.end());

  MemoryTree tree(std::move(manifests));
  const CargoModel cargo = load_cargo(tree);
  const ModuleTree t = build_module_tree(rs_files, facts, cargo);

  // Every listed .rs file once, sorted.
  fuzz::check(t.files.size() == facts.size(), "one SourceFile per listed .rs file");
  auto listed = facts.begin();
  for (const SourceFile& f : t.files) {
    fuzz::check(f.file == listed->first, "files sorted, each listed file once");
    fuzz::check(t.find(f.file) == &f, "find returns the file's own entry");
    fuzz::check(f.orphan == f.crate_roots.empty(), "orphan exactly when reached from no root");
    fuzz::check(std::is_sorted(f.crate_roots.begin(), f.crate_roots.end()), "crate roots sorted");
    for (const std::string& root : f.crate_roots)
      fuzz::check(facts.count(root) == 1 && inside(root), "crate root is a listed .rs file");
    fuzz::check(f.manifest_file.empty() ||
                    (known.count(f.manifest_file) && inside(f.manifest_file)),
                "owning manifest is a file of the input");
    ++listed;
  }
  for (const Diagnostic& d : t.diagnostics) {
    fuzz::check(d.rule == "module-not-found" || d.rule == "path-outside-repo", "diagnostic rule");
    fuzz::check(known.count(d.loc.file) == 1 && inside(d.loc.file),
                "diagnostic names a file of the input");
    fuzz::check(d.loc.line >= 1 && d.loc.column >= 1, "diagnostic location is 1-based");
    fuzz::check(!d.message.empty(), "diagnostic without a message");
  }
  return 0;
}
