#include "report/output.h"

#include <atomic>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/write_fd.h"

namespace otelaudit {

namespace {

bool fail(const std::filesystem::path& path, int err, std::string& error) {
  error = "cannot write " + path.string() + ": " + std::strerror(err);
  return false;
}

} // namespace

bool write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           std::string& error) {
  if (!path.has_filename()) return fail(path, EISDIR, error);

  // A device or a pipe (`--output /dev/null`, `--output /dev/stdout`, a FIFO) is written to as
  // it is: renaming a file over it would replace the device node itself.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return fail(path, errno, error);
    int err = write_fd(fd, content) ? 0 : errno;
    if (::close(fd) != 0 && err == 0) err = errno;
    return err == 0 || fail(path, err, error);
  }

  // pid and counter keep concurrent writers (other processes, other threads) apart; O_EXCL
  // refuses to reuse a name that is somehow taken.
  static std::atomic<unsigned> counter{0};
  const std::filesystem::path temp =
      path.parent_path() / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()) +
                            "." + std::to_string(counter++));

  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return fail(path, errno, error);

  int err = 0;
  if (!write_fd(fd, content) || ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(temp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(temp.c_str());
    return fail(path, err, error);
  }
  return true;
}

} // namespace otelaudit
