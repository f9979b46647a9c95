#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "source/git_tree.h"

namespace otelaudit {

/// The readiness of one repository at one commit.
struct HistoryPoint {
  CommitInfo commit;
  std::optional<std::string> otel_line;
  int score = 100;
  Verdict verdict = Verdict::go;
  std::array<int, 5> counts{}; // the audit's summary counts by severity, indexed by Severity
  bool reused = false;         // the commit's files equal an earlier commit's: judged once
  std::string unaudited;       // why the commit could not be audited (its tree is missing);
                               // empty when it was
};

/// A readiness trend over a first-parent history, newest first, and what memoisation saved.
struct HistoryResult {
  std::string repo;
  std::string target;
  std::vector<HistoryPoint> points;
  std::size_t files_parsed = 0;   // Cargo.toml, Cargo.lock and .rs files read and parsed
  std::size_t files_reused = 0;   // the same files found in the cache by blob id instead
  std::size_t commits_reused = 0; // commits whose whole tree was judged before
  std::string ended;              // why the walk stopped before the first commit, when it did
};

/// What to walk.
struct HistoryOptions {
  std::string rev;           // empty: HEAD
  std::size_t max_count = 0; // 0: all
  std::int64_t since = 0;    // seconds since the epoch; 0: no limit
};

/// Audits `repo` (a normal or bare git repository on disk) at each commit of its first-parent
/// history. Files are memoised by blob id, so one unchanged between commits is parsed once,
/// and a commit whose files all equal an earlier commit's is judged once.
std::optional<HistoryResult> audit_history(const std::filesystem::path& repo,
                                           const std::string& name, const HistoryOptions& options,
                                           const Ruleset& rules, const AuditPolicy& policy,
                                           std::string& error);

/// "2026-11-23" (UTC midnight) as seconds since the epoch; nullopt when malformed.
std::optional<std::int64_t> parse_date(const std::string& text);

} // namespace otelaudit
