#include "audit/history.h"

#include <cstdio>
#include <map>

#include "model/cargo/workspace.h"

namespace otelaudit {

namespace {

/// The identity of a whole commit's content: every path with its blob id.
std::string tree_key(const GitTree& tree) {
  std::string key;
  for (const std::string& f : tree.files()) {
    key += f;
    key += '\0';
    key += tree.blob_id(f).value_or("?");
    key += '\n';
  }
  return key;
}

} // namespace

std::optional<std::int64_t> parse_date(const std::string& text) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
    return std::nullopt;
  if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > mdays[m - 1] + (m == 2 && leap ? 1 : 0)) return std::nullopt;
  // Days from the civil date (Howard Hinnant's algorithm).
  y -= m <= 2;
  const int era = y / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = static_cast<unsigned>((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
  return days * 86400;
}

std::optional<HistoryResult> audit_history(const std::filesystem::path& repo,
                                           const std::string& name, const HistoryOptions& options,
                                           const Ruleset& rules, const AuditPolicy& policy,
                                           std::string& error) {
  HistoryResult out;
  auto commits =
      first_parent_history(repo, options.rev, options.max_count, options.since, error, &out.ended);
  if (!commits) return std::nullopt;
  out.repo = name;
  out.target = rules.target;
  ParseCache cache;
  std::map<std::string, HistoryPoint> judged; // tree key -> point
  for (const CommitInfo& c : *commits) {
    std::string why;
    auto tree = GitTree::open(repo, c.id, why);
    if (!tree) { // a commit of a damaged repository: the others are still audited
      HistoryPoint p;
      p.commit = c;
      p.unaudited = why;
      out.points.push_back(std::move(p));
      continue;
    }
    std::string key = tree_key(*tree);
    if (auto it = judged.find(key); it != judged.end()) {
      HistoryPoint p = it->second;
      p.commit = c;
      p.reused = true;
      ++out.commits_reused;
      out.points.push_back(std::move(p));
      continue;
    }
    LevelReport levels;
    AuditResult r = run_audit({RepoInput(name, repo.string(), tree.get(), c.id)}, rules, policy,
                              levels, &cache);
    HistoryPoint p;
    p.commit = c;
    p.score = r.score;
    p.verdict = r.verdict;
    if (!r.repos.empty()) {
      p.otel_line = r.repos[0].otel_line;
      for (const Finding& f : r.repos[0].findings)
        if (!f.suppressed) ++p.counts[static_cast<std::size_t>(f.severity)];
    }
    judged.emplace(std::move(key), p);
    out.points.push_back(std::move(p));
  }
  out.files_parsed = cache.misses();
  out.files_reused = cache.hits();
  return out;
}

} // namespace otelaudit
