#pragma once
#include <set>
#include <string>
#include <vector>

#include "rules/context.h"
#include "rules/family.h"

namespace otelaudit {

/// The manifest family's rules and checks (manifest.cpp).
const RuleFamily& manifest_family();
/// The lockfile family's rules and check (lockfiles.cpp).
const RuleFamily& lockfile_family();

/// otel-version-behind, otel-version-ahead, otel-line-mixed, tracing-bridge-mismatch and
/// invalid-requirement: where each declared OpenTelemetry crate stands against the target.
void check_versions(const RepoModel& repo, const Ruleset& rules, Sink& sink);

/// deprecated-exporter and misnamed-crate: crates that must be replaced or respelled.
void check_crate_names(const RepoModel& repo, const Ruleset& rules, Sink& sink);

/// missing-feature and companion-drift: what the canonical set asks of each package.
void check_features(const RepoModel& repo, const Ruleset& rules, Sink& sink);

/// The packages whose compiled production code calls one of `names` (a method, or a path's
/// last segment): those a `when-calls` feature requirement applies to.
std::set<const PackageModel*> packages_calling(const RepoModel& repo,
                                               const std::vector<std::string>& names);

/// needs-integration: a repository that traces but has no OpenTelemetry.
void check_integration(const RepoModel& repo, const Ruleset& rules, Sink& sink);

/// lockfile-multiple-lines and no-lockfile.
void check_lockfiles(const RepoModel& repo, const Ruleset& rules, Sink& sink);

} // namespace otelaudit
