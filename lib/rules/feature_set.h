#pragma once
#include <map>
#include <set>
#include <string>

#include "model/cargo/workspace.h"
#include "rules/ruleset.h"

namespace otelaudit {

/// The features Cargo's resolver (version 2) enables on each crate a package depends on, in the
/// default build of the workspace it belongs to (every member with its default features, built
/// together): what dependency entries list, default features at the crate's line, the
/// packages' own [features] (`default`, `dep:x`, `x/f`, `x?/f`, optional dependencies turned on
/// by a feature) and features of a member requested by another member's path dependency,
/// unified over the members, then closed under the implications the rule packs record inside
/// the OpenTelemetry crates (otlp `http-proto` enables `trace` and `metrics`; 0.20's
/// `opentelemetry/rt-tokio` enables `opentelemetry_sdk/rt-tokio`). Normal dependencies only
/// (target-specific ones included): dev-dependencies are not part of that build.
class EnabledFeatures {
public:
  EnabledFeatures(const CargoModel& cargo, const Ruleset& rules);

  /// The features of `crate` enabled in the build `pkg` is part of. With `target_line`, default
  /// features and implications are those of the target line (what the package has once its
  /// requirement is raised) instead of the line its requirement selects.
  std::set<std::string> of(const PackageModel& pkg, const std::string& crate,
                           bool target_line = false) const;

  /// Whether the default build compiles `dep` of `pkg`: a normal dependency that is not
  /// optional, or optional and turned on by an enabled feature.
  bool builds(const PackageModel& pkg, const Dependency& dep) const;

private:
  // What the members of one build ask of each crate, before defaults and implications.
  struct Request {
    std::set<std::string> listed; // named by entries or by [features] `x/f`
    bool defaults = false;        // some active entry keeps default features
    std::string line;             // the newest line an active entry's requirement selects
  };
  struct Unit {
    std::map<std::string, Request> requests;                     // crate -> request
    std::map<const PackageModel*, std::set<std::string>> active; // optional deps turned on
  };

  const Unit& unit(const PackageModel& pkg) const;
  Unit resolve(const std::string& key) const;

  const CargoModel& cargo_;
  const Ruleset& rules_;
  mutable std::map<std::string, Unit> units_; // workspace (or standalone package) manifest
};

} // namespace otelaudit
