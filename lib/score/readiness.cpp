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

std::string describe(const PolicySource& source) {
  if (source.file.empty())
    return source.ignored.empty()
               ? "built-in defaults (no config file)"
               : "built-in defaults (" + source.ignored + " ignored: --no-config)";
  if (source.inside_repo.empty()) return source.file;
  return source.file + ", inside the audited repository " + source.inside_repo;
}

} // namespace otelaudit
