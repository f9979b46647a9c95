#include "source/acquire.h"

#include <system_error>

#include "source/git_tree.h"

namespace otelaudit {

namespace fs = std::filesystem;

namespace {

bool is_bare_repository(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "HEAD", ec) && fs::is_directory(dir / "objects", ec) &&
         fs::is_directory(dir / "refs", ec) && !fs::exists(dir / ".git", ec);
}

std::optional<AcquiredRepo> from_git(const fs::path& repo, const RepoSpec& spec,
                                     std::string display, std::string& error) {
  auto tree = GitTree::open(repo, spec.ref, error);
  if (!tree) return std::nullopt;
  AcquiredRepo out;
  out.name = spec.name.empty() ? default_repo_name(spec.location) : spec.name;
  out.display = std::move(display);
  out.commit = tree->commit_id();
  out.tree = std::move(tree);
  return out;
}

} // namespace

std::string default_repo_name(const std::string& location) {
  std::string s = is_git_url(location) ? redact_url(location) : location;
  while (s.size() > 1 && (s.back() == '/' || s.back() == '\\'))
    s.pop_back();
  if (s.size() > 4 && s.compare(s.size() - 4, 4, ".git") == 0) s.resize(s.size() - 4);
  auto cut = s.find_last_of("/:");
  std::string name = cut == std::string::npos ? s : s.substr(cut + 1);
  if (name.empty() || name == "." || name == "..") {
    std::error_code ec;
    name = fs::absolute(location, ec).lexically_normal().filename().string();
    if (name.empty())
      name = fs::absolute(location, ec).lexically_normal().parent_path().filename().string();
  }
  return name.empty() ? location : name;
}

std::optional<AcquiredRepo> acquire(const RepoSpec& spec, const AcquireOptions& options,
                                    std::string& error, bool* tool_failure) {
  if (tool_failure) *tool_failure = false;
  if (is_git_url(spec.location)) {
    FetchOptions fetch;
    fetch.cache_dir = options.cache_dir;
    fetch.offline = options.offline;
    fetch.heartbeat = options.heartbeat;
    const std::string shown = redact_url(spec.location);
    if (options.progress)
      fetch.progress = [&options, shown](const FetchProgress& p) { options.progress(shown, p); };
    auto local = fetch_to_cache(spec.location, fetch, error, tool_failure);
    if (!local) return std::nullopt;
    auto out = from_git(*local, spec, shown, error);
    // A ref missing from the cached copy is missing from the URL: name that, not the cache.
    for (auto at = error.find(local->string()); at != std::string::npos;
         at = error.find(local->string(), at + shown.size()))
      error.replace(at, local->string().size(), shown);
    return out;
  }
  std::error_code ec;
  if (!fs::exists(spec.location, ec)) {
    error = "repository path \"" + spec.location + "\" does not exist";
    return std::nullopt;
  }
  if (!fs::is_directory(spec.location, ec)) {
    error = "repository path \"" + spec.location + "\" is not a directory";
    return std::nullopt;
  }
  if (!spec.ref.empty() || is_bare_repository(spec.location))
    return from_git(spec.location, spec, spec.location, error);
  AcquiredRepo out;
  out.name = spec.name.empty() ? default_repo_name(spec.location) : spec.name;
  out.display = spec.location;
  out.tree = std::make_unique<DirTree>(spec.location);
  return out;
}

} // namespace otelaudit
