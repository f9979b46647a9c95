#include "rules/families/input.h"

namespace otelaudit {

// Where each is emitted: manifest-parse-error, manifest-invalid, lockfile-parse-error and
// workspace-member-missing by the Cargo loader (model/cargo); path-outside-repo there, by the
// module tree (model/rust) and by the git tree (source/); invalid-requirement by check_versions
// (families/versions.cpp); file-unreadable by whatever reads the file (source/, model/deploy,
// audit/audit.cpp); symlink-skipped and the git-* rules by the trees (source/);
// unused-suppression by the policy step (audit/policy.cpp).
const RuleFamily& input_family() {
  static constexpr RuleInfo kRules[] = {
      RuleInfo{"manifest-parse-error", Severity::high, "input", "A Cargo.toml is not valid TOML."},
      RuleInfo{"manifest-invalid", Severity::high, "input",
               "A Cargo.toml parses but is not a valid manifest."},
      RuleInfo{"lockfile-parse-error", Severity::medium, "input", "A Cargo.lock does not parse."},
      RuleInfo{"invalid-requirement", Severity::medium, "input",
               "A version requirement is not valid Cargo syntax."},
      RuleInfo{"workspace-member-missing", Severity::medium, "input",
               "A workspace member path or glob matches no package."},
      RuleInfo{"path-outside-repo", Severity::high, "input",
               "A workspace member or path dependency points outside the repository."},
      RuleInfo{"file-unreadable", Severity::medium, "input",
               "A file could not be read, or its facts could not be fully extracted."},
      RuleInfo{"symlink-skipped", Severity::info, "input", "A symbolic link was not followed."},
      RuleInfo{"git-object-missing", Severity::medium, "input",
               "A file's blob is missing from the git object database (partial or pruned copy)."},
      RuleInfo{"git-object-corrupt", Severity::medium, "input",
               "A git object is damaged (a truncated or invalid loose object, a bad pack entry, "
               "content that does not match its id)."},
      RuleInfo{"git-submodule-skipped", Severity::info, "input",
               "A git submodule was not followed: audit it as a repository of its own."},
      RuleInfo{"unused-suppression", Severity::low, "input",
               "An inline `otel-audit: allow(rule)` comment silences no finding."},
  };
  static constexpr RuleFamily kFamily{kRules, {}};
  return kFamily;
}

// Emitted by the trees and their budgets (source/tree.cpp, source/budget.h).
const RuleFamily& limits_family() {
  static constexpr RuleInfo kRules[] = {
      RuleInfo{"file-too-large", Severity::medium, "input",
               "A file is larger than the size limit and was not read."},
      RuleInfo{"repository-budget-exceeded", Severity::high, "input",
               "A repository reached a reading budget (entries, path bytes, depth, file size, "
               "member globs): part of it was not audited."},
  };
  static constexpr RuleFamily kFamily{kRules, {}};
  return kFamily;
}

} // namespace otelaudit
