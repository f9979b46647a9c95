#pragma once
#include <functional>
#include <string>
#include <vector>

#include "model/cargo/manifest.h"
#include "model/cargo/workspace.h"

namespace otelaudit {

/// The manifest line that declares `dep` at `version` with `features` (the suggested change
/// of a finding), keeping a rename and default-features = false as written.
std::string dependency_line(const Dependency& dep, const std::string& version,
                            const std::vector<std::string>& features);

/// The entries a fix writes, each in its file and table. Its text is valid TOML, one entry per
/// line: the entries alone when they all go to one table (the one the finding points at), else
/// each group under a `# FILE` comment and its `[table]` header.
class EntryEdits {
public:
  /// `table` as a header names it: "dependencies", "workspace.dependencies",
  /// "target.'cfg(unix)'.dependencies".
  void add(const std::string& file, const std::string& table, const std::string& entry);
  std::string text() const;
  bool empty() const { return edits_.empty(); }

private:
  struct Edit {
    std::string file, table, entry;
  };
  std::vector<Edit> edits_;
};

/// The table header that holds a member's entry of `kind` for `target` ("" for every target).
std::string dependency_table(DepKind kind, const std::string& target);

/// The [workspace.dependencies] entry of `crate` in the workspace of the manifest `file` (the
/// manifest of the workspace root itself included), and that root's manifest; nullptr when the
/// manifest belongs to no workspace or its workspace does not declare the crate.
const Dependency* workspace_entry(const CargoModel& cargo, const std::string& file,
                                  const std::string& crate, const Manifest** root = nullptr);

/// Adds the entry that declares `dep` (written in `file`, of `dep.kind` and `dep.target`) at
/// `version` with `features`. When the workspace of `file` declares the crate in
/// [workspace.dependencies], the member inherits it (`key.workspace = true`, plus the features
/// the workspace entry lacks) and the version goes to the workspace entry, rewritten only when
/// its requirement is of another breaking unit than `version`: Cargo refuses a member that
/// inherits a key the workspace does not declare, and a second requirement beside the
/// workspace's would split the versions the workspace keeps together. A rewritten workspace
/// entry keeps the features `exists` accepts (those the crate has at `version`).
void add_entry(EntryEdits& edits, const CargoModel& cargo, const std::string& file,
               const Dependency& dep, const std::string& version,
               const std::vector<std::string>& features,
               const std::function<bool(const std::string&)>& exists = {});

/// The features written for `dep`, in order.
std::vector<std::string> feature_names(const Dependency& dep);

/// `"a", "b"` for messages.
std::string quoted_list(const std::vector<std::string>& items);

} // namespace otelaudit
