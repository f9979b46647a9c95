#include "score/score.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "graph/analysis.h"

namespace otelaudit {

bool effective(const Finding& f) {
  return !f.suppressed && !f.baselined;
}

void score_result(AuditResult& result, const Ruleset& rules) {
  bool blocker = false;
  int total = 0;
  result.effort_hours = 0;
  const auto target = rules.line_index(rules.target);
  for (RepoResult& repo : result.repos) {
    int penalty = 0;
    double hours = 0;
    bool repo_blocker = false, repo_high = false;
    for (Finding& f : repo.findings) {
      f.effort_hours = effective(f) ? rules.scoring.hours(f.rule, f.severity) : 0;
      if (!effective(f)) continue;
      penalty += rules.scoring.penalty_of(f.severity);
      hours += f.effort_hours;
      repo_blocker |= f.severity == Severity::blocker;
      repo_high |= f.severity == Severity::high;
    }
    repo.score = std::max(0, 100 - penalty);
    repo.effort_hours = hours;
    result.effort_hours += hours;
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
  result.verdict_min_score = rules.scoring.verdict_min_score;
  result.verdict =
      blocker || result.score < result.verdict_min_score ? Verdict::no_go : Verdict::go;
  result.summary = summarize(result);
}

Summary summarize(const AuditResult& result, int allowed) {
  Summary s;
  s.allowed = allowed;
  for (const RepoResult& repo : result.repos)
    for (const Finding& f : repo.findings) {
      if (f.suppressed) {
        ++s.suppressed;
      } else if (f.baselined) {
        ++s.baselined;
      } else {
        ++s.counts[static_cast<std::size_t>(f.severity)];
        ++s.by_rule[f.rule][static_cast<std::size_t>(f.severity)];
        ++s.total;
      }
    }
  return s;
}

CriticalFinding critical_finding(const AuditResult& result) {
  std::map<std::string, int> dependents;
  if (result.analysis)
    for (const std::string& from : result.analysis->graph.repos)
      for (const std::string& to : result.analysis->graph.reachable(from))
        if (to != from) ++dependents[to];
  CriticalFinding best;
  int best_dependents = -1;
  for (const RepoResult& r : result.repos) {
    const int d = dependents.count(r.name) ? dependents.at(r.name) : 0;
    for (const Finding& f : r.findings) {
      if (!effective(f)) continue;
      bool better = !best.finding;
      if (!better && f.severity != best.finding->severity)
        better = f.severity > best.finding->severity;
      else if (!better && d != best_dependents)
        better = d > best_dependents;
      else if (!better)
        better = f.effort_hours > best.finding->effort_hours;
      if (better) {
        best = {&r, &f};
        best_dependents = d;
      }
    }
  }
  return best;
}

std::string gate_reasons(const GateResult& gate) {
  std::string out;
  for (const std::string& r : gate.reasons)
    out += (out.empty() ? "" : "; ") + r;
  return out;
}

std::string format_hours(double hours) {
  std::string s = fmt::format("{:.2f}", hours);
  while (s.back() == '0')
    s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

} // namespace otelaudit
