#include "fix/write.h"

#include <git2.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/write_fd.h"
#include "source/git_tree.h"

namespace otelaudit::fix {

namespace fs = std::filesystem;

namespace {

std::string system_error(const fs::path& p, int err) {
  return p.string() + ": " + std::strerror(err);
}

/// The file's content read without following a symbolic link; nullopt when that fails.
std::optional<std::string> read_nofollow(const fs::path& p, struct stat& st, int& err) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    err = errno;
    return std::nullopt;
  }
  std::string out;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    err = S_ISREG(st.st_mode) ? errno : EINVAL;
    ::close(fd);
    return std::nullopt;
  }
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = errno;
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

/// No component from `root` down to `file` is a symbolic link (an audited repository may hold
/// links that lead out of it).
bool no_links(const fs::path& root, const std::string& file, std::string& error) {
  fs::path p = root;
  for (const fs::path& part : fs::path(file)) {
    if (part == ".." || part == "." || part.empty()) {
      error = (root / file).string() + ": not a plain path inside the repository";
      return false;
    }
    p /= part;
    std::error_code ec;
    if (fs::symlink_status(p, ec).type() == fs::file_type::symlink) {
      error = p.string() + " is a symbolic link: it is not followed";
      return false;
    }
  }
  return true;
}

/// A temporary file beside `target` holding `content` with `mode`, flushed to disk.
std::optional<fs::path> write_temp(const fs::path& target, std::string_view content, mode_t mode,
                                   std::string& error) {
  static std::atomic<unsigned> counter{0};
  const fs::path temp =
      target.parent_path() / ("." + target.filename().string() + ".otel-audit-fix." +
                              std::to_string(::getpid()) + "." + std::to_string(counter++));
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "cannot write " + system_error(temp, errno);
    return std::nullopt;
  }
  int err = 0;
  if (::fchmod(fd, mode & 07777) != 0 || !write_fd(fd, content) || ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) {
    ::unlink(temp.c_str());
    error = "cannot write " + system_error(temp, err);
    return std::nullopt;
  }
  return temp;
}

struct GitRepo {
  git_repository* repo = nullptr;
  ~GitRepo() { git_repository_free(repo); }
};

std::string last_git_error() {
  const ::git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

} // namespace

std::vector<std::string> uncommitted(const fs::path& root, const std::vector<std::string>& files,
                                     std::string& error) {
  error.clear();
  ensure_libgit2();
  GitRepo g;
  const int rc = git_repository_open_ext(&g.repo, root.c_str(), 0, nullptr);
  if (rc == GIT_ENOTFOUND) return {};
  if (rc < 0) {
    error = "cannot read the git repository of " + root.string() + ": " + last_git_error();
    return {};
  }
  const char* workdir = git_repository_workdir(g.repo);
  if (!workdir) return {}; // bare: no work tree to compare with
  std::error_code ec;
  const fs::path top = fs::canonical(workdir, ec);
  if (ec) {
    error = "cannot resolve " + std::string(workdir) + ": " + ec.message();
    return {};
  }
  std::vector<std::string> out;
  for (const std::string& file : files) {
    const fs::path abs = fs::weakly_canonical(root / file, ec);
    if (ec) continue;
    const fs::path rel = abs.lexically_relative(top);
    if (rel.empty() || *rel.begin() == "..") continue; // not in this work tree
    unsigned flags = 0;
    const int st = git_status_file(&flags, g.repo, rel.generic_string().c_str());
    if (st == GIT_ENOTFOUND) {
      out.push_back(file);
      continue;
    }
    if (st < 0) {
      error = "cannot read the git status of " + (root / file).string() + ": " + last_git_error();
      return {};
    }
    if (flags & ~static_cast<unsigned>(GIT_STATUS_CURRENT | GIT_STATUS_IGNORED))
      out.push_back(file);
  }
  return out;
}

bool write_all(const std::vector<PendingWrite>& writes, std::string& error) {
  // 1. Every file is where it was, as it was, and not reached through a link.
  std::vector<mode_t> modes;
  for (const PendingWrite& w : writes) {
    if (!no_links(w.root, w.file, error)) return false;
    struct stat st {};
    int err = 0;
    std::optional<std::string> now = read_nofollow(w.root / w.file, st, err);
    if (!now) {
      error = "cannot read " + system_error(w.root / w.file, err);
      return false;
    }
    if (*now != w.before) {
      error = (w.root / w.file).string() + " changed since it was read: nothing was written";
      return false;
    }
    modes.push_back(st.st_mode);
  }
  // 2. The new texts go to temporary files.
  std::vector<fs::path> temps;
  auto remove_temps = [&](std::size_t from) {
    for (std::size_t i = from; i < temps.size(); ++i)
      ::unlink(temps[i].c_str());
  };
  for (std::size_t i = 0; i < writes.size(); ++i) {
    std::optional<fs::path> t =
        write_temp(writes[i].root / writes[i].file, writes[i].after, modes[i], error);
    if (!t) {
      remove_temps(0);
      error += ": nothing was written";
      return false;
    }
    temps.push_back(*t);
  }
  // 3. Renamed over the files; a failure puts the old texts back.
  for (std::size_t i = 0; i < writes.size(); ++i) {
    const fs::path target = writes[i].root / writes[i].file;
    if (::rename(temps[i].c_str(), target.c_str()) == 0) continue;
    error = "cannot replace " + system_error(target, errno);
    remove_temps(i);
    for (std::size_t j = 0; j < i; ++j) {
      const fs::path back = writes[j].root / writes[j].file;
      std::string ignored;
      std::optional<fs::path> t = write_temp(back, writes[j].before, modes[j], ignored);
      if (!t || ::rename(t->c_str(), back.c_str()) != 0) {
        if (t) ::unlink(t->c_str());
        error += "; and " + back.string() + " could not be restored";
      }
    }
    error += i == 0 ? ": nothing was written" : ": the files already written were restored";
    return false;
  }
  return true;
}

} // namespace otelaudit::fix
