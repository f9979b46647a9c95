#pragma once
// Writing a whole buffer to a file descriptor, shared by the report writer and the fix writer
// (both write a temporary file and rename it).
#include <cerrno>
#include <string_view>

#include <unistd.h>

namespace otelaudit {

/// Writes all of `content` to `fd`, retrying short writes and EINTR; false with errno set on an
/// error.
inline bool write_fd(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

} // namespace otelaudit
