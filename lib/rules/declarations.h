#pragma once
#include <optional>
#include <string>
#include <vector>

#include "model/cargo/semver.h"
#include "model/cargo/workspace.h"
#include "rules/ruleset.h"

namespace otelaudit {

/// A dependency as written in one manifest, with the facts several rules judge: its parsed
/// requirement and, for OpenTelemetry crates and the tracing bridge, the lines it can select.
struct Declaration {
  const Manifest* manifest = nullptr;
  const Dependency* dep = nullptr;
  bool workspace_table = false;   // written in [workspace.dependencies]
  std::optional<VersionReq> req;  // absent when none is written or it does not parse
  std::string req_error;          // why the written requirement does not parse
  std::vector<std::string> lines; // OpenTelemetry lines it selects, oldest first (one usually;
                                  // several when one release serves several lines)
  bool older = false;             // older than every release the rule data knows
  bool otel = false;              // an OpenTelemetry crate of the lines table
  bool bridge = false;            // the tracing bridge (tracing-opentelemetry)

  /// The newest line it selects; empty when not known.
  std::string line() const { return lines.empty() ? std::string() : lines.back(); }
  bool on_line(std::string_view l) const;
};

/// Every declaration Cargo builds from, sorted by file and line. Member entries written as
/// `workspace = true` are not declarations: the workspace entry they inherit is. A
/// [workspace.dependencies] entry that no member inherits is left out: Cargo never resolves it.
std::vector<Declaration> collect_declarations(const CargoModel& cargo, const Ruleset& rules);

/// The [workspace.dependencies] entries no member of their workspace inherits, sorted by file
/// and line. Empty for a workspace with a member that could not be read: what it inherits is
/// unknown.
std::vector<Declaration> unused_workspace_declarations(const CargoModel& cargo,
                                                       const Ruleset& rules);

/// The repository's OpenTelemetry line: that of its `opentelemetry` declarations (the most
/// frequent, ties to the newest), else opentelemetry_sdk's, else any OpenTelemetry crate's.
std::optional<std::string> repository_line(const std::vector<Declaration>& decls,
                                           const Ruleset& rules);

/// The OpenTelemetry line one package builds against, from its own [dependencies] (inherited
/// workspace entries and target-specific tables included): what its production code compiles
/// against, which another package of the repository may not share.
struct PackageLine {
  std::string line;   // "0.26"; for a crate older than every known release, the requirement's
                      // own unit when the crate is versioned like the line ("0.18"), else empty
  bool older = false; // older than every line the rule data knows
  std::string crate;  // the crate that decided it
};

/// The line of `package`: that of its `opentelemetry` dependency, else opentelemetry_sdk's,
/// else any OpenTelemetry crate's; nullopt when it declares none in [dependencies].
std::optional<PackageLine> package_line(const PackageModel& package, const Ruleset& rules);

/// The line of `package`'s own [dependencies] entry on `crate` (an OpenTelemetry crate);
/// nullopt when it has none or its requirement selects no line and is not older than all.
std::optional<PackageLine> dependency_line(const PackageModel& package, std::string_view crate,
                                           const Ruleset& rules);

/// The breaking unit of a requirement ("0.24" for ^0.24.1, "1" for 1.2), from its minimum.
std::optional<std::string> requirement_line(const VersionReq& req);

} // namespace otelaudit
