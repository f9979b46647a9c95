#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/location.h"

namespace otelaudit {

/// How much a finding matters; ordered so that `a < b` means `a` is less severe.
enum class Severity { info, low, medium, high, blocker };

std::string_view to_string(Severity s);
std::optional<Severity> parse_severity(std::string_view text);

/// What the `-W` / `-D` policy says a finding does to the gate (`-A` findings are dropped).
enum class GateEffect { normal, warn, deny };
std::string_view to_string(GateEffect g); // "normal", "warn", "deny"

/// One problem found in one repository, with the place that shows it and the change that fixes it.
struct Finding {
  std::string rule;
  Severity severity = Severity::info;
  std::string repo;
  Location loc;
  std::string message;
  std::string fix;         // suggested change, empty when there is none to suggest
  std::string package;     // owning package name, empty when the finding is not about one
  bool orphan = false;     // in a file no crate root reaches (not compiled): reported as info
  bool suppressed = false; // silenced by an inline `otel-audit: allow(rule)` comment
  std::string suppression; // the reason written with that comment
  // Gate refinements, set after the rules ran (docs/rules.md "Severity policy"): a finding
  // already in the --baseline report is still shown but no longer fails the gate.
  bool baselined = false;
  GateEffect gate = GateEffect::normal; // -W: never fails the gate; -D: always does
  double effort_hours = 0; // the readiness model's estimate to resolve it, set when scoring
};

/// Order of every report: repository, file, line, column, rule, message.
bool finding_less(const Finding& a, const Finding& b);

} // namespace otelaudit
