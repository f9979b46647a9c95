#include "score/readiness.h"

namespace otelaudit {

std::string_view to_string(RepoStatus s) {
  switch (s) {
  case RepoStatus::aligned:
    return "aligned";
  case RepoStatus::behind:
    return "behind";
  case RepoStatus::critical:
    return "critical";
  case RepoStatus::no_otel:
    return "no-otel";
  }
  return "no-otel";
}

std::string_view to_string(Verdict v) {
  return v == Verdict::go ? "GO" : "NO-GO";
}

} // namespace otelaudit
