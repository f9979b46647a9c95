#include "source/beneath.h"

#include <atomic>
#include <cerrno>
#include <string>

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace otelaudit {

namespace {

// Set once openat2 answered ENOSYS (a kernel before 5.6, or a sandbox that hides it): every
// later call walks instead of asking again.
std::atomic<bool> g_no_openat2{false};

/// False for what no listed path holds and a walk must not take: an absolute path, an empty
/// component, `.` or `..`.
bool plain_relative(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view part = path.substr(start, slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = slash + 1;
  }
  return true;
}

int open_walk(int dir_fd, std::string_view path, int flags) {
  int current = dir_fd;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = path.find('/', start);
    const std::string part(
        path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    const bool last = slash == std::string_view::npos;
    const int next = last ? ::openat(current, part.c_str(), flags | O_NOFOLLOW | O_CLOEXEC)
                          : ::openat(current, part.c_str(),
                                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    int saved = errno;
    // O_DIRECTORY on a link says ENOTDIR; a link is what it is, as openat2 says.
    struct stat st {};
    if (next < 0 && !last && saved == ENOTDIR &&
        ::fstatat(current, part.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
      saved = ELOOP;
    if (current != dir_fd) ::close(current);
    errno = saved;
    if (next < 0 || last) return next;
    current = next;
    start = slash + 1;
  }
}

} // namespace

int open_beneath(int dir_fd, std::string_view path, int flags, BeneathMode mode) {
  if (!plain_relative(path)) {
    errno = EXDEV;
    return -1;
  }
  if (mode == BeneathMode::automatic && !g_no_openat2.load(std::memory_order_relaxed)) {
    open_how how{};
    how.flags = static_cast<std::uint64_t>(flags | O_NOFOLLOW | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    const std::string text(path);
    const long fd = ::syscall(SYS_openat2, dir_fd, text.c_str(), &how, sizeof how);
    if (fd >= 0 || errno != ENOSYS) return static_cast<int>(fd);
    g_no_openat2.store(true, std::memory_order_relaxed);
  }
  return open_walk(dir_fd, path, flags);
}

} // namespace otelaudit
