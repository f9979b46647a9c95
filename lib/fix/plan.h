#pragma once
#include <optional>
#include <string>
#include <vector>

#include "rules/context.h"

// The fix planner: from the repository's model and the rule data, which manifest entries must
// change, and how, for the repository to stand on the target line. It decides; the editor
// (toml_edit.h) changes the text and fix.h checks the result.

namespace otelaudit::fix {

/// Where a dependency entry is written: its manifest and its table and key there.
struct EntryRef {
  std::string file;       // the manifest, repository-relative
  bool workspace = false; // in [workspace.dependencies]
  std::string target;     // the cfg of [target.'…'], empty for none
  DepKind kind = DepKind::normal;
  std::string key;
  Location loc; // the key as written

  friend bool operator==(const EntryRef& a, const EntryRef& b) {
    return a.file == b.file && a.workspace == b.workspace && a.target == b.target &&
           a.kind == b.kind && a.key == b.key;
  }
};

/// The change of one entry, and what it resolves. Changes of one `group` stand or fall
/// together (a [workspace.dependencies] entry renamed with the members that inherit it).
struct PlannedChange {
  EntryRef entry;
  int group = 0;
  std::string crate;                                    // the real crate name before the change
  std::optional<std::string> version;                   // the new requirement
  std::string old_version;                              // the requirement written before
  std::vector<std::string> add_features;                // in the order to write them
  std::vector<std::string> remove_features;             // ones the crate does not have
  std::optional<std::vector<std::string>> set_features; // the replacement crate's features
  std::optional<std::string> rename;                    // the new key, also the new crate
  bool drop_package = false;                            // `package = …` goes with a rename
  bool remove = false;              // the entry goes: its replacement is declared
  std::vector<std::string> rules;   // the rule ids of the findings it resolves
  std::vector<std::string> reasons; // for the summary, one line each
};

/// A change the planner would make but does not, and why (also: unused workspace entries).
struct Skipped {
  Location loc;
  std::string message;
};

/// What `otel-audit fix` does to one repository's manifests.
struct FixPlan {
  std::vector<PlannedChange> changes; // by file, then position
  std::vector<Skipped> skipped;       // by file, then position
};

/// True for the rules whose manifest findings `otel-audit fix` changes the manifests for:
/// otel-version-behind, otel-version-ahead, otel-line-mixed, tracing-bridge-mismatch,
/// deprecated-exporter and missing-feature.
bool fix_handles(std::string_view rule);

/// Plans the changes that move `repo` to the target line of `rules`: OpenTelemetry crates and
/// the tracing bridge to the target's releases (the requirement's style kept), the features
/// the target pack requires, features a crate does not have on the target moved to the crate
/// of the same table that has them (or removed), deprecated crates replaced by the pack's fix.
/// Entries of [workspace.dependencies] that no member inherits are skipped, not changed.
FixPlan plan_fixes(const RepoModel& repo, const Ruleset& rules);

/// The requirement `written` (for a release of `crate`) rewritten for `line` in the same style:
/// "0.26" → "0.27", "^0.26.1" → "^0.27.1", "=0.26.1" → "=0.27.1", "~0.26" → "~0.27", "0.26.*"
/// → "0.27.*"; a range or anything that would not select the line becomes the line's plain
/// requirement. nullopt when the crate has no release on the line.
std::optional<std::string> requirement_on_line(const std::string& written, const std::string& crate,
                                               const LineInfo& line, const Ruleset& rules);

} // namespace otelaudit::fix
