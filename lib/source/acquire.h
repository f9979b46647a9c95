#pragma once
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "source/remote.h"
#include "source/tree.h"

namespace otelaudit {

/// What the user named: a directory, a repository (normal or bare) at a ref, or a git URL.
struct RepoSpec {
  std::string name;     // display name; empty: derived from the location
  std::string location; // path or URL as given
  std::string ref;      // branch, tag, commit or `HEAD~3`; empty: the work tree (or HEAD of a
                        // bare repository / the default branch of a URL)
};

/// How repositories are acquired: the URL cache, the network switch, progress reporting.
struct AcquireOptions {
  std::filesystem::path cache_dir; // empty: default_cache_dir()
  bool offline = false;
  std::function<void(const std::string& url, const FetchProgress&)> progress;
  std::function<void()> heartbeat; // as FetchOptions::heartbeat
};

/// A repository ready to audit.
struct AcquiredRepo {
  std::string name;
  std::string display; // the location with any URL secret redacted
  std::string commit;  // audited commit id, empty for a work tree
  std::unique_ptr<Tree> tree;
};

/// Resolves a spec to a Tree: a URL is cloned or fetched into the cache and read at `ref`;
/// a path with a ref, or a bare repository, is read from its object database; any other
/// directory is read from disk. nullopt with a user-facing `error` when the location or ref
/// does not exist, or a URL cannot be fetched; `tool_failure`, when given, is set for the
/// failures that are the network's or the cache's rather than the user's.
std::optional<AcquiredRepo> acquire(const RepoSpec& spec, const AcquireOptions& options,
                                    std::string& error, bool* tool_failure = nullptr);

/// The name a location is shown under: the directory's or URL's last component, `.git` dropped.
std::string default_repo_name(const std::string& location);

} // namespace otelaudit
