#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/location.h"
#include "rules/finding.h"

namespace otelaudit {

/// One `[[repo]]` of the config: a repository to audit, on disk or by URL.
struct RepoEntry {
  std::string name; // unique, [a-z0-9][a-z0-9._-]*
  std::string path; // exactly one of path and url is set
  std::string url;
  std::string ref;       // branch, tag or commit; empty means the default branch / work tree
  std::string component; // expected service-name component; defaults to `name`
  Location loc;          // the `[[repo]]` header
};

/// A `[policy.severity]` line: the severity a rule's findings get instead of its default.
struct SeverityOverride {
  std::string rule;
  Severity severity = Severity::info;
  Location loc; // the rule id key
};

/// A `[[policy.ignore]]` entry: findings it matches are suppressed, for the stated reason.
struct IgnoreEntry {
  std::string rule;
  std::string repo;   // empty: every repository
  std::string path;   // empty: every file; otherwise a path or glob inside the repository
  std::string reason; // required, so every suppression says why it exists
  Location loc;       // the `[[policy.ignore]]` header
};

/// The `[policy]` table: the gate and the severity policy; unset values defer to the defaults.
struct Policy {
  std::optional<std::string> target; // canonical line, e.g. "0.27"
  std::optional<Severity> fail_on;
  bool fail_on_none = false; // `fail-on = "none"`: the severity gate never fails
  std::optional<int> min_score;
  std::vector<SeverityOverride> severity; // in document order
  std::vector<IgnoreEntry> ignore;        // in document order
};

/// A validated `otel-audit.toml`.
struct Config {
  std::string file; // as given to the loader
  std::vector<RepoEntry> repos;
  Policy policy;
};

/// The outcome of loading a config: `config` is set exactly when `errors` is empty.
/// Every error has rule "config-invalid" and is sorted by position in the file.
struct ConfigResult {
  std::optional<Config> config;
  std::vector<Diagnostic> errors;
};

/// Parses and validates config text, collecting every error. Repository paths stay as
/// written; `file` is used only in locations.
ConfigResult parse_config(std::string_view text, const std::string& file);

/// Reads and parses `file`; relative repository paths are resolved against the file's
/// directory. An unreadable file gives one error.
ConfigResult load_config(const std::filesystem::path& file);

} // namespace otelaudit
