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

/// One problem found in one repository, with the place that shows it and the change that fixes it.
struct Finding {
  std::string rule;
  Severity severity = Severity::info;
  std::string repo;
  Location loc;
  std::string message;
  std::string fix;     // suggested change, empty when there is none to suggest
  std::string package; // owning package name, empty when the finding is not about one
  bool orphan = false;  // in a file no crate root reaches (not compiled): reported as info
  bool suppressed = false;  // silenced by an inline `otel-audit: allow(rule)` comment
  std::string suppression;  // the reason written with that comment
};

/// Order of every report: repository, file, line, column, rule, message.
bool finding_less(const Finding& a, const Finding& b);

} // namespace otelaudit
