#include "source/tree.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source/file_limit.h"

namespace otelaudit {

namespace fs = std::filesystem;

namespace {

bool skipped_directory(const std::string& name) {
  return name == ".git" || name == "target" || name == "node_modules";
}

std::atomic<std::uintmax_t> g_max_file_size{kDefaultMaxFileSize};

/// Why a file over the size limit is not read, for the listing and for read() alike.
std::string too_large(std::uintmax_t size, std::uintmax_t limit) {
  return "file of " + std::to_string(size) + " bytes not read (limit " + std::to_string(limit) +
         " bytes)";
}

} // namespace

std::string_view unreadable_rule(std::string_view read_error) {
  return read_error.substr(0, 11) == "git object " ? "git-object-missing" : "file-unreadable";
}

std::uintmax_t max_file_size() {
  return g_max_file_size.load(std::memory_order_relaxed);
}

void set_max_file_size(std::uintmax_t bytes) {
  g_max_file_size.store(bytes, std::memory_order_relaxed);
}

DirTree::DirTree(fs::path root) : root_(std::move(root)) {
  std::error_code ec;
  fs::recursive_directory_iterator it(root_, fs::directory_options::none, ec), end;
  if (ec) {
    diagnostics_.push_back(
        {"file-unreadable", {".", 0, 0}, "cannot list directory: " + ec.message()});
    return;
  }
  while (it != end) {
    const fs::directory_entry& entry = *it;
    // Lexical: fs::relative resolves symbolic links, which named a link by its target
    // (`../../../etc/passwd`) instead of by where it sits in the repository.
    std::string rel = entry.path().lexically_relative(root_).generic_string();
    std::error_code sec;
    if (entry.is_symlink(sec)) {
      diagnostics_.push_back({"symlink-skipped",
                              {rel, 0, 0},
                              "symbolic link not followed: audited repositories are untrusted"});
    } else if (entry.is_directory(sec)) {
      if (skipped_directory(entry.path().filename().string())) it.disable_recursion_pending();
    } else if (entry.is_regular_file(sec)) {
      const std::uintmax_t size = entry.file_size(sec);
      if (!sec && size > max_file_size()) {
        diagnostics_.push_back({"file-too-large", {rel, 0, 0}, too_large(size, max_file_size())});
      } else {
        files_.push_back(rel);
      }
    } else if (!sec) {
      // Reading a FIFO named Cargo.lock would block the audit forever.
      diagnostics_.push_back(
          {"file-unreadable", {rel, 0, 0}, "special file (FIFO, socket or device) not read"});
    }
    it.increment(ec);
    if (ec) {
      diagnostics_.push_back({"file-unreadable", {rel, 0, 0}, "cannot list: " + ec.message()});
      ec.clear();
    }
  }
  std::sort(files_.begin(), files_.end());
}

std::optional<std::string> DirTree::read(const std::string& path, std::string& error) const {
  // Only listed files: a path from the repository's own text (`../../etc/passwd`), a symbolic
  // link or a file over the size limit is never opened, whoever asks.
  if (!std::binary_search(files_.begin(), files_.end(), path)) {
    error = "not a listed file of the repository";
    return std::nullopt;
  }
  // One read into a buffer of the listed size: no stream copies. O_NOFOLLOW and O_NONBLOCK,
  // and a regular-file check on the opened file, in case the entry was replaced by a symbolic
  // link or a FIFO since it was listed; the size limit holds for a file that grew since.
  const std::string full = (root_ / path).string();
  const int fd = ::open(full.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open file";
    return std::nullopt;
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    error = "not a regular file";
    return std::nullopt;
  }
  const std::uintmax_t limit = max_file_size();
  if (static_cast<std::uintmax_t>(st.st_size) > limit) {
    error = too_large(static_cast<std::uintmax_t>(st.st_size), limit);
    return std::nullopt;
  }
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = "read error";
      return std::nullopt;
    }
    if (n == 0) break; // shrank since fstat
    got += static_cast<std::size_t>(n);
  }
  text.resize(got);
  return text;
}

MemoryTree::MemoryTree(std::map<std::string, std::string> files) : content_(std::move(files)) {
  for (const auto& [name, _] : content_)
    names_.push_back(name);
}

std::optional<std::string> MemoryTree::read(const std::string& path, std::string& error) const {
  auto it = content_.find(path);
  if (it == content_.end()) {
    error = "no such file";
    return std::nullopt;
  }
  return it->second;
}

} // namespace otelaudit
