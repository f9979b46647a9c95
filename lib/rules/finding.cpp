#include "rules/finding.h"

#include <tuple>

namespace otelaudit {

std::string_view to_string(Severity s) {
  switch (s) {
  case Severity::info:
    return "info";
  case Severity::low:
    return "low";
  case Severity::medium:
    return "medium";
  case Severity::high:
    return "high";
  case Severity::blocker:
    return "blocker";
  }
  return "info";
}

std::string_view to_string(GateEffect g) {
  switch (g) {
  case GateEffect::normal:
    return "normal";
  case GateEffect::warn:
    return "warn";
  case GateEffect::deny:
    return "deny";
  }
  return "normal";
}

std::optional<Severity> parse_severity(std::string_view text) {
  for (Severity s :
       {Severity::info, Severity::low, Severity::medium, Severity::high, Severity::blocker})
    if (to_string(s) == text) return s;
  return std::nullopt;
}

bool finding_less(const Finding& a, const Finding& b) {
  return std::tie(a.repo, a.loc.file, a.loc.line, a.loc.column, a.rule, a.message) <
         std::tie(b.repo, b.loc.file, b.loc.line, b.loc.column, b.rule, b.message);
}

} // namespace otelaudit
