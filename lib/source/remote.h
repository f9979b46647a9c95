#pragma once
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/redact.h" // redact_url: every URL this header's callers show

namespace otelaudit {

/// True for the URL forms git fetches from: https, http, ssh, git and file schemes, and the
/// scp-like `user@host:path`. Anything else is taken as a local path.
bool is_git_url(std::string_view text);

/// The cache directory name of a URL: scheme, userinfo, `.git` and trailing slashes dropped,
/// host lowercased, then a readable slug plus a short hash (`github.com-org-repo-1a2b3c4d`),
/// so spellings of one repository share one copy.
std::string cache_key(std::string_view url);

/// `$XDG_CACHE_HOME/otel-audit`, else `$HOME/.cache/otel-audit`.
std::filesystem::path default_cache_dir();

/// Transfer state reported while fetching (the cli draws it on a terminal).
struct FetchProgress {
  unsigned received_objects = 0;
  unsigned total_objects = 0;
  unsigned indexed_objects = 0;
  std::size_t received_bytes = 0;
};

/// How fetch_to_cache works: where the cache is (empty: default_cache_dir()), whether the
/// network may be used, and who hears about progress.
struct FetchOptions {
  std::filesystem::path cache_dir;
  bool offline = false;
  std::function<void(const FetchProgress&)> progress;
  /// Called whenever the remote sends something (objects, or its own progress messages): a
  /// caller can tell a slow transfer from a stalled one, which libgit2 1.5 cannot time out.
  std::function<void()> heartbeat;
};

/// A bare copy of `url` in the cache, with every branch under refs/heads and every tag under
/// refs/tags (so GitTree resolves `main` or `v1.2.0` as in the original), brought up to date
/// unless offline. Runs in other processes that fetch the same URL into the same cache take
/// turns (a lock file beside the copy), and leave no temporary clone behind. nullopt with `error`
/// (URL redacted) on failure; `tool_failure`, when given, is set when the failure is the network's
/// or the cache's (not a missing offline copy).
std::optional<std::filesystem::path> fetch_to_cache(const std::string& url,
                                                    const FetchOptions& options, std::string& error,
                                                    bool* tool_failure = nullptr);

/// Removes the temporary directories of the clones this process has under way, for a caller
/// about to end the process in the middle of a transfer (a watchdog): no `.tmp-*` is left in
/// the cache. Safe to call from any thread.
void remove_unfinished_clones();

/// One line of progress, e.g. `receiving objects: 45% (90/200), 1.2 MiB, 640 KiB/s`.
std::string progress_line(const FetchProgress& progress, double seconds);

} // namespace otelaudit
