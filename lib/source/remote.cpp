#include "source/remote.h"

#include <fcntl.h>
#include <git2.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <system_error>
#include <thread>

#include "common/strings.h"
#include "source/activity.h"
#include "source/git_tree.h"

namespace otelaudit {

namespace fs = std::filesystem;

namespace {

/// A URL taken apart; `kind` says which syntax it used.
struct UrlParts {
  enum Kind { None, Scheme, Scp } kind = None;
  std::string scheme; // lowercase
  std::string userinfo;
  std::string host; // with port, as written
  std::string path;
};

bool is_user_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

UrlParts parse_url(std::string_view text) {
  UrlParts url;
  auto sep = text.find("://");
  if (sep != std::string_view::npos) {
    std::string scheme = lower(text.substr(0, sep));
    if (scheme != "https" && scheme != "http" && scheme != "ssh" && scheme != "git" &&
        scheme != "file")
      return url;
    std::string_view rest = text.substr(sep + 3);
    auto end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, end);
    url.path = end == std::string_view::npos ? "" : std::string(rest.substr(end));
    auto at = authority.rfind('@');
    if (at != std::string_view::npos) {
      url.userinfo = authority.substr(0, at);
      authority = authority.substr(at + 1);
    }
    url.host = authority;
    if (scheme == "file" ? url.path.empty() : url.host.empty()) return url;
    url.scheme = scheme;
    url.kind = UrlParts::Scheme;
    return url;
  }
  // scp-like user@host:path; the user is required so `C:\x` or `a:b` stay local paths.
  auto at = text.find('@');
  if (at == std::string_view::npos) return url;
  auto colon = text.find(':', at);
  if (colon == std::string_view::npos) return url;
  std::string_view user = text.substr(0, at);
  std::string_view host = text.substr(at + 1, colon - at - 1);
  std::string_view path = text.substr(colon + 1);
  if (user.empty() || host.empty() || path.empty()) return url;
  for (char c : user)
    if (!is_user_char(c) && c != ':') return url;
  for (char c : host)
    if (!is_user_char(c)) return url;
  url.userinfo = user;
  url.host = host;
  url.path = path;
  url.kind = UrlParts::Scp;
  return url;
}

// Messages from libgit2 may quote the URL as given; secrets must not survive in them.
std::string scrub(std::string message, const std::string& url) {
  auto replace_all = [&message](const std::string& from, const std::string& to) {
    if (from.empty()) return;
    for (auto pos = message.find(from); pos != std::string::npos;
         pos = message.find(from, pos + to.size()))
      message.replace(pos, from.size(), to);
  };
  replace_all(url, redact_url(url));
  // Found on the raw text: a password with `#`, `?` or `/` ends the authority for a URL parser
  // (libgit2's "malformed URL" quotes the pieces), not for the redaction.
  if (const std::string secret = url_secret(url); secret.size() >= 4) replace_all(secret, "***");
  return redact_secrets(message);
}

std::string last_git_error() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

template <class T, void (*Free)(T*)>
struct GitFree {
  void operator()(T* p) const { Free(p); }
};
using RepoPtr = std::unique_ptr<git_repository, GitFree<git_repository, git_repository_free>>;
using RemotePtr = std::unique_ptr<git_remote, GitFree<git_remote, git_remote_free>>;

/// What the libgit2 callbacks of one fetch share.
struct CallbackState {
  const FetchOptions* options = nullptr;
  std::string url_user;
  std::string url_password;
  int attempts = 0;
  bool tried_url_password = false;
  bool tried_env_token = false;
};

constexpr int kMaxCredentialAttempts = 3;

int credentials_cb(git_credential** out, const char* /*url*/, const char* username_from_url,
                   unsigned int allowed, void* payload) {
  auto* state = static_cast<CallbackState*>(payload);
  // libgit2 calls again after every rejection; a wrong credential must not loop forever.
  if (++state->attempts > kMaxCredentialAttempts) {
    git_error_set_str(GIT_ERROR_NET, "authentication failed after 3 attempts");
    return GIT_EAUTH;
  }
  std::string user = username_from_url ? username_from_url : "";
  if (allowed & GIT_CREDENTIAL_SSH_KEY)
    return git_credential_ssh_key_from_agent(out, user.empty() ? "git" : user.c_str());
  if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
    if (!state->url_password.empty() && !state->tried_url_password) {
      state->tried_url_password = true;
      return git_credential_userpass_plaintext_new(out, state->url_user.c_str(),
                                                   state->url_password.c_str());
    }
    std::string token = env("OTEL_AUDIT_GIT_TOKEN");
    if (!token.empty() && !state->tried_env_token) {
      state->tried_env_token = true;
      std::string name = env("OTEL_AUDIT_GIT_USERNAME");
      if (name.empty()) name = user.empty() ? "x-access-token" : user;
      return git_credential_userpass_plaintext_new(out, name.c_str(), token.c_str());
    }
    return GIT_PASSTHROUGH;
  }
  if (allowed & GIT_CREDENTIAL_USERNAME)
    return git_credential_username_new(out, user.empty() ? "git" : user.c_str());
  return GIT_PASSTHROUGH;
}

void beat(const CallbackState& state) {
  if (!state.options->heartbeat) return;
  try {
    state.options->heartbeat();
  } catch (...) {
    // Nothing may unwind through libgit2's C frames.
  }
}

int sideband_cb(const char* /*text*/, int /*len*/, void* payload) {
  beat(*static_cast<CallbackState*>(payload));
  return 0;
}

int transfer_cb(const git_indexer_progress* stats, void* payload) {
  auto* state = static_cast<CallbackState*>(payload);
  beat(*state);
  if (!state->options->progress) return 0;
  FetchProgress p;
  p.received_objects = stats->received_objects;
  p.total_objects = stats->total_objects;
  p.indexed_objects = stats->indexed_objects;
  p.received_bytes = stats->received_bytes;
  try {
    state->options->progress(p);
  } catch (...) {
    // Nothing may unwind through libgit2's C frames; a failing display is not a failed fetch.
  }
  return 0;
}

bool is_repository(const fs::path& dir) {
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, dir.string().c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) <
      0)
    return false;
  git_repository_free(raw);
  return true;
}

// Brings every branch and tag of `url` into `repo` under the same names, drops the ones gone
// upstream, and points HEAD at the remote's default branch. An anonymous remote keeps the URL
// (which may hold a token) out of the cached repository's config.
bool fetch_into(git_repository* repo, const std::string& url, const FetchOptions& options,
                const std::string& verb, std::string& error) {
  CallbackState state;
  state.options = &options;
  UrlParts parts = parse_url(url);
  if (parts.kind == UrlParts::Scheme) {
    auto colon = parts.userinfo.find(':');
    if (colon != std::string::npos) {
      state.url_user = parts.userinfo.substr(0, colon);
      state.url_password = parts.userinfo.substr(colon + 1);
    }
  }
  const std::string shown = redact_url(url);
  git_remote* raw_remote = nullptr;
  git_remote_create_options create = GIT_REMOTE_CREATE_OPTIONS_INIT;
  create.repository = repo;
  // Skipping `url.<base>.insteadOf` keeps the URL exactly as the user gave it, and avoids a
  // libgit2 1.5.1 leak of PCRE2 match data on every non-matching config regex (fixed upstream
  // by libgit2/libgit2#6382, after 1.5.1) that fails sanitizer builds.
  create.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF;
  if (git_remote_create_with_opts(&raw_remote, url.c_str(), &create) < 0) {
    error = "cannot " + verb + " " + shown + ": " + scrub(last_git_error(), url);
    return false;
  }
  RemotePtr remote(raw_remote);

  git_remote_callbacks callbacks = GIT_REMOTE_CALLBACKS_INIT;
  callbacks.credentials = credentials_cb;
  callbacks.transfer_progress = transfer_cb;
  callbacks.sideband_progress = sideband_cb;
  callbacks.payload = &state;
  git_proxy_options proxy = GIT_PROXY_OPTIONS_INIT;
  proxy.type = GIT_PROXY_AUTO;
  git_fetch_options fetch = GIT_FETCH_OPTIONS_INIT;
  fetch.callbacks = callbacks;
  fetch.proxy_opts = proxy;
  fetch.update_fetchhead = 0;
  fetch.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;

  char heads[] = "+refs/heads/*:refs/heads/*";
  char tags[] = "+refs/tags/*:refs/tags/*";
  char* specs[] = {heads, tags};
  git_strarray refspecs = {specs, 2};

  // One connection for the listing (default branch), the download and the pruning.
  std::string default_branch;
  int rc = git_remote_connect(remote.get(), GIT_DIRECTION_FETCH, &callbacks, &proxy, nullptr);
  if (rc == 0) {
    git_buf buf = GIT_BUF_INIT;
    if (git_remote_default_branch(&buf, remote.get()) == 0 && buf.ptr) default_branch = buf.ptr;
    git_buf_dispose(&buf);
    rc = git_remote_download(remote.get(), &refspecs, &fetch);
  }
  if (rc == 0)
    rc = git_remote_update_tips(remote.get(), &callbacks, 0, GIT_REMOTE_DOWNLOAD_TAGS_ALL,
                                "otel-audit: fetch");
  if (rc == 0) rc = git_remote_prune(remote.get(), &callbacks);
  std::string message = rc < 0 ? scrub(last_git_error(), url) : "";
  git_remote_disconnect(remote.get());
  if (rc < 0) {
    error = "cannot " + verb + " " + shown + ": " + message;
    if (rc == GIT_EAUTH || message.find("authentication") != std::string::npos)
      error += " (credentials: an ssh agent for ssh URLs; OTEL_AUDIT_GIT_USERNAME and "
               "OTEL_AUDIT_GIT_TOKEN, or user:token@ in the URL, for https)";
    if (verb == "fetch") error += "; the cached copy can still be audited with --offline";
    return false;
  }
  if (!default_branch.empty() && git_repository_set_head(repo, default_branch.c_str()) < 0) {
    error = "cannot set HEAD of the cached copy of " + shown + ": " + last_git_error();
    return false;
  }
  return true;
}

// The temporary clones this process is making, for remove_unfinished_clones. Never destroyed:
// a watchdog thread may ask while the process exits.
std::mutex& unfinished_mutex() {
  static auto* mutex = new std::mutex;
  return *mutex;
}

std::set<fs::path>& unfinished() {
  static auto* clones = new std::set<fs::path>;
  return *clones;
}

/// Registers a temporary clone for as long as it is being made.
class Unfinished {
public:
  explicit Unfinished(fs::path dir) : dir_(std::move(dir)) {
    std::lock_guard lock(unfinished_mutex());
    unfinished().insert(dir_);
  }
  ~Unfinished() {
    std::lock_guard lock(unfinished_mutex());
    unfinished().erase(dir_);
  }
  Unfinished(const Unfinished&) = delete;
  Unfinished& operator=(const Unfinished&) = delete;

private:
  fs::path dir_;
};

/// An exclusive flock(2) on `<cache>/<key>.lock`, the file beside the clone: runs in other
/// processes fetching the same URL into the same cache take turns, so they never race for the
/// cached copy's HEAD.lock and ref locks (libgit2 fails a fetch when another holds one). The
/// kernel releases it when the process ends, however it ends.
class CacheLock {
public:
  CacheLock() = default;
  ~CacheLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  CacheLock(const CacheLock&) = delete;
  CacheLock& operator=(const CacheLock&) = delete;

  /// Waits for the lock; `heartbeat` is called while waiting, so that a watchdog of stalled
  /// transfers does not count the turn of another run as silence from the remote.
  bool acquire(const fs::path& file, const std::string& shown,
               const std::function<void()>& heartbeat, std::string& error) {
    file_ = file;
    std::optional<ReadingNow> waiting;
    for (;;) {
      fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
      if (fd_ < 0) {
        error = "cannot open the cache lock " + file.string() + ": " + std::strerror(errno);
        return false;
      }
      while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR) continue;
        if (errno != EWOULDBLOCK) {
          error = "cannot lock " + file.string() + ": " + std::strerror(errno);
          return false;
        }
        if (!waiting)
          waiting.emplace("waiting for another run to finish fetching " + shown + " (lock " +
                          file.string() + ")");
        if (heartbeat) heartbeat();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      // The run before may have removed the file (remove_file) while this one waited on it: a
      // lock on a file no longer at that name excludes nobody, so take the one that is.
      struct stat held {
      }, named{};
      if (::fstat(fd_, &held) == 0 && ::lstat(file.c_str(), &named) == 0 &&
          held.st_dev == named.st_dev && held.st_ino == named.st_ino)
        return true;
      ::close(fd_);
      fd_ = -1;
    }
  }

  /// Removes the lock file, still holding it (a failed first clone leaves nothing in the
  /// cache); runs waiting on it see that and lock the next one.
  void remove_file() {
    if (fd_ >= 0) ::unlink(file_.c_str());
  }

private:
  fs::path file_;
  int fd_ = -1;
};

/// Removes the temporary clones of `key` that runs ended before they could (killed, or out of
/// power): with the key's lock held, no other run is making one.
void remove_stale_clones(const fs::path& cache, const std::string& key) {
  const std::string prefix = ".tmp-" + key + "-";
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(cache, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    // `<pid>-<random>` exactly: a longer key may begin with this one and its prefix.
    const std::string rest = name.substr(prefix.size());
    const auto dash = rest.find('-');
    auto digits = [](std::string_view d) {
      return !d.empty() && d.find_first_not_of("0123456789") == std::string_view::npos;
    };
    if (dash == std::string::npos || !digits(std::string_view(rest).substr(0, dash)) ||
        !digits(std::string_view(rest).substr(dash + 1)))
      continue;
    std::error_code ignored;
    fs::remove_all(entry.path(), ignored);
  }
}

std::string human_bytes(double bytes) {
  char buf[32];
  if (bytes < 1024)
    std::snprintf(buf, sizeof buf, "%.0f B", bytes);
  else if (bytes < 1024.0 * 1024)
    std::snprintf(buf, sizeof buf, "%.0f KiB", bytes / 1024);
  else if (bytes < 1024.0 * 1024 * 1024)
    std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / (1024.0 * 1024));
  else
    std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
  return buf;
}

} // namespace

bool is_git_url(std::string_view text) {
  return parse_url(text).kind != UrlParts::None;
}

std::string cache_key(std::string_view text) {
  UrlParts url = parse_url(text);
  std::string normalised;
  if (url.kind == UrlParts::None) {
    normalised = text;
  } else {
    std::string path = url.path;
    while (!path.empty() && path.front() == '/')
      path.erase(0, 1);
    normalised = lower(url.host) + "/" + path;
  }
  auto strip_slashes = [&normalised] {
    while (!normalised.empty() && normalised.back() == '/')
      normalised.pop_back();
  };
  strip_slashes();
  if (normalised.size() >= 4 && normalised.compare(normalised.size() - 4, 4, ".git") == 0)
    normalised.resize(normalised.size() - 4);
  strip_slashes();

  std::string slug;
  for (char c : lower(normalised)) {
    bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_';
    if (keep)
      slug += c;
    else if (!slug.empty() && slug.back() != '-')
      slug += '-';
  }
  while (!slug.empty() && (slug.front() == '.' || slug.front() == '-'))
    slug.erase(0, 1);
  if (slug.size() > 64) slug.resize(64);
  while (!slug.empty() && (slug.back() == '.' || slug.back() == '-'))
    slug.pop_back();
  if (slug.empty()) slug = "repo";

  // FNV-1a: stable across platforms and runs, unlike std::hash.
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : normalised) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>((hash >> 32) ^ hash));
  return slug + "-" + suffix;
}

fs::path default_cache_dir() {
  std::string xdg = env("XDG_CACHE_HOME");
  // The XDG spec says relative values are to be ignored.
  if (!xdg.empty() && fs::path(xdg).is_absolute()) return fs::path(xdg) / "otel-audit";
  std::string home = env("HOME");
  if (!home.empty()) return fs::path(home) / ".cache" / "otel-audit";
  std::error_code ec;
  return fs::temp_directory_path(ec) / "otel-audit";
}

std::optional<fs::path> fetch_to_cache(const std::string& url, const FetchOptions& options,
                                       std::string& error, bool* tool_failure) {
  bool ignored = false;
  bool& failed = tool_failure ? *tool_failure : ignored;
  // Every failure below is the network's or the cache's, but a missing offline copy.
  failed = true;
  ensure_libgit2();
  const std::string shown = redact_url(url);
  const fs::path cache = options.cache_dir.empty() ? default_cache_dir() : options.cache_dir;
  const std::string key = cache_key(url);
  const fs::path dest = cache / key;
  std::error_code ec;

  if (options.offline) {
    failed = false;
    if (is_repository(dest)) return dest;
    error = "no cached copy of " + shown + " (run once without --offline)";
    return std::nullopt;
  }

  fs::create_directories(cache, ec);
  if (ec) {
    error = "cannot create cache directory " + cache.string() + ": " + ec.message();
    return std::nullopt;
  }
  CacheLock lock;
  if (!lock.acquire(cache / (key + ".lock"), shown, options.heartbeat, error)) return std::nullopt;
  remove_stale_clones(cache, key);

  if (is_repository(dest)) {
    ReadingNow fetching("fetching " + shown + " into " + dest.string());
    git_repository* raw = nullptr;
    if (git_repository_open_ext(&raw, dest.string().c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH,
                                nullptr) < 0) {
      error = "cannot open the cached copy of " + shown + ": " + last_git_error();
      return std::nullopt;
    }
    RepoPtr repo(raw);
    if (!fetch_into(repo.get(), url, options, "fetch", error)) return std::nullopt;
    failed = false;
    return dest;
  }

  // Clone beside the final place and rename when complete: an interrupted clone never looks
  // like a cached copy.
  std::random_device random;
  const fs::path tmp =
      cache / (".tmp-" + key + "-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
  ReadingNow cloning("cloning " + shown + " into " + tmp.string());
  Unfinished registered(tmp);
  auto cleanup = [&tmp] {
    std::error_code ignored;
    fs::remove_all(tmp, ignored);
  };
  git_repository* raw = nullptr;
  git_repository_init_options init = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  init.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
  if (git_repository_init_ext(&raw, tmp.string().c_str(), &init) < 0) {
    error = "cannot create a repository in " + tmp.string() + ": " + last_git_error();
    cleanup();
    return std::nullopt;
  }
  bool ok = false;
  {
    RepoPtr repo(raw);
    ok = fetch_into(repo.get(), url, options, "clone", error);
  }
  if (!ok) {
    cleanup();
    if (!is_repository(dest)) lock.remove_file();
    return std::nullopt;
  }
  // A leftover that is not a repository (a crash before this code existed) is replaced.
  if (fs::exists(dest, ec)) fs::remove_all(dest, ec);
  fs::rename(tmp, dest, ec);
  if (ec) {
    cleanup();
    // A run of an older otel-audit, which took no lock, may have finished the same clone first.
    if (is_repository(dest)) {
      failed = false;
      return dest;
    }
    error = "cannot move the clone of " + shown + " into " + dest.string() + ": " + ec.message();
    return std::nullopt;
  }
  failed = false;
  return dest;
}

void remove_unfinished_clones() {
  std::lock_guard lock(unfinished_mutex());
  for (const fs::path& dir : unfinished()) {
    // The transfer may still be writing into it from another thread: a second pass takes what
    // it wrote after the first.
    for (int pass = 0; pass < 3; ++pass) {
      std::error_code ec;
      fs::remove_all(dir, ec);
      if (!fs::exists(dir, ec)) break;
    }
  }
}

std::string progress_line(const FetchProgress& p, double seconds) {
  bool indexing = p.total_objects > 0 && p.received_objects == p.total_objects &&
                  p.indexed_objects < p.total_objects;
  unsigned done = indexing ? p.indexed_objects : p.received_objects;
  unsigned percent =
      p.total_objects ? static_cast<unsigned>(std::uint64_t(done) * 100 / p.total_objects) : 0;
  std::string line = std::string(indexing ? "indexing" : "receiving") +
                     " objects: " + std::to_string(percent) + "% (" + std::to_string(done) + "/" +
                     std::to_string(p.total_objects) + "), " +
                     human_bytes(static_cast<double>(p.received_bytes));
  if (seconds > 0)
    line += ", " + human_bytes(static_cast<double>(p.received_bytes) / seconds) + "/s";
  return line;
}

} // namespace otelaudit
