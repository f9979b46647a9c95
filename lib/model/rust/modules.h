#pragma once
#include <map>
#include <string>
#include <vector>

#include "common/location.h"
#include "model/cargo/workspace.h"
#include "model/rust/facts.h"

namespace otelaudit {

/// What kind of code a file is: production code is held to every rule, the others are not.
enum class CodeScope { production, test, bench, example, build_script };
std::string_view to_string(CodeScope s); // "production", "test", "bench", "example", "build-script"

/// Where one .rs file belongs.
struct SourceFile {
  std::string file;          // repository-relative path
  std::string package;       // owning package: nearest manifest directory above; "" if none
  std::string manifest_file; // that package's Cargo.toml
  CodeScope scope = CodeScope::production;
  bool orphan = false;                  // reached from no crate root: not compiled
  std::vector<std::string> crate_roots; // crate roots it is compiled into (e.g. "src/lib.rs")
};

/// The module tree of a repository: every .rs file with its package, scope and reachability.
struct ModuleTree {
  std::vector<SourceFile> files; // sorted by file
  std::vector<Diagnostic>
      diagnostics; // "module-not-found" at the `mod x;` name, "path-outside-repo"
                   // for a #[path] leaving the repository (never read)
  const SourceFile* find(const std::string& file) const;
};

/// Builds the module tree. `rs_files` are all .rs files of the tree; `facts` maps each to its
/// facts (only `mods` is read). Crate roots per package: src/lib.rs, src/main.rs,
/// src/bin/*.rs, src/bin/*/main.rs, build.rs, the [lib]/[[bin]]/[[example]]/[[test]]/[[bench]]
/// paths, examples/*.rs, tests/*.rs, benches/*.rs (and their */main.rs forms), as Cargo's
/// target auto-discovery does.
ModuleTree build_module_tree(const std::vector<std::string>& rs_files,
                             const std::map<std::string, rust::FileFacts>& facts,
                             const CargoModel& cargo);

} // namespace otelaudit
