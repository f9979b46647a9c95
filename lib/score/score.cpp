#include "score/score.h"

#include <algorithm>
#include <cmath>

namespace otelaudit {

int severity_penalty(Severity s) {
  switch (s) {
  case Severity::blocker:
    return 40;
  case Severity::high:
    return 10;
  case Severity::medium:
    return 4;
  case Severity::low:
    return 1;
  case Severity::info:
    return 0;
  }
  return 0;
}

void score_result(AuditResult& result, const Ruleset& rules, int min_score) {
  bool blocker = false;
  int total = 0;
  const auto target = rules.line_index(rules.target);
  for (RepoResult& repo : result.repos) {
    int penalty = 0;
    bool repo_blocker = false, repo_high = false;
    for (const Finding& f : repo.findings) {
      if (f.suppressed) continue;
      penalty += severity_penalty(f.severity);
      repo_blocker |= f.severity == Severity::blocker;
      repo_high |= f.severity == Severity::high;
    }
    repo.score = std::max(0, 100 - penalty);
    blocker |= repo_blocker;
    if (!repo.otel_line)
      repo.status = RepoStatus::no_otel;
    else if (repo_blocker)
      repo.status = RepoStatus::critical;
    else if (rules.line_index(*repo.otel_line) < target || repo_high)
      repo.status = RepoStatus::behind;
    else
      repo.status = RepoStatus::aligned;
    total += repo.score;
  }
  result.score = result.repos.empty()
                     ? 100
                     : static_cast<int>(std::lround(static_cast<double>(total) /
                                                    static_cast<double>(result.repos.size())));
  result.verdict = blocker || result.score < min_score ? Verdict::no_go : Verdict::go;
}

} // namespace otelaudit
