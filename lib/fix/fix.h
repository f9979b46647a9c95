#pragma once
#include <string>
#include <vector>

#include "fix/plan.h"
#include "fix/toml_edit.h"

// `otel-audit fix` below the cli: plans the changes of one repository, makes them in the text
// of its manifests, and checks every result (it parses, and the model read back from it is the
// old one with exactly the planned changes). Nothing here writes files (write.h does).

namespace otelaudit::fix {

/// One manifest as the fix leaves it.
struct FileChange {
  std::string file; // repository-relative
  std::string before;
  std::string after;
};

/// The `cargo update` that refreshes one Cargo.lock after the fix: the packages it locks at
/// releases that no requirement of the repository accepts any more.
struct LockRefresh {
  std::string lockfile;           // repository-relative
  std::string manifest;           // the Cargo.toml beside it, for --manifest-path
  std::vector<std::string> specs; // "opentelemetry@0.26.0", in lockfile order
};

/// What the fix does to one repository, and what it leaves to the user.
struct FixOutcome {
  std::vector<FileChange> files;      // the changed manifests, by file
  std::vector<PlannedChange> applied; // the changes made in them, by file and position
  std::vector<Skipped> not_changed;   // changes not made, and why (unused workspace entries,
                                      // crates with no release on the target, …)
  std::vector<Diagnostic> unparsed;   // manifests that do not parse: nothing is changed then
  std::vector<LockRefresh> lock_refresh;
  std::vector<Finding> source_changes; // the audit's removed-api and jaeger-code findings in
                                       // compiled code: what the target needs in the sources
  std::string failure; // a check of the result failed (a defect): nothing is changed then

  bool changes() const { return !files.empty(); }
};

/// Plans and makes the fix of one repository. `repo` is the model the audit judged and
/// `findings` the audit's findings of it (audit_repository).
FixOutcome fix_repository(const RepoModel& repo, const std::vector<Finding>& findings,
                          const Ruleset& rules);

/// One manifest edited: its new text, or why not.
struct ManifestEdit {
  std::optional<std::string> after; // absent when the changes could not all be made
  std::vector<TextEdit> edits;      // the byte edits made to the old text
  std::string error;                // why not
  bool defect = false;    // the edit was made but its result is wrong: a defect of the editor
  std::size_t failed = 0; // the change at fault (the first one when it is not known)
};

/// Makes `changes` (all of one manifest) in `text` and checks the result: it must parse and
/// read back as the old manifest with exactly those changes (dependencies compared entry by
/// entry; package, workspace and the kinds of problems unchanged).
ManifestEdit edit_manifest(std::string_view text, const std::string& file,
                           const std::vector<const PlannedChange*>& changes);

/// The key paths an entry may be written under in its manifest ([dev-dependencies] and
/// [dev_dependencies] both work in Cargo).
std::vector<std::vector<std::string>> entry_paths(const EntryRef& entry);

} // namespace otelaudit::fix
