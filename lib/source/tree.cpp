#include "source/tree.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source/activity.h"
#include "source/beneath.h"
#include "source/budget.h"
#include "source/file_limit.h"

namespace otelaudit {

namespace fs = std::filesystem;

namespace {

bool skipped_directory(const std::string& name) {
  return name == ".git" || name == "target" || name == "node_modules";
}

std::atomic<std::uintmax_t> g_max_file_size{kDefaultMaxFileSize};

} // namespace

std::string file_too_large(std::uintmax_t size, std::uintmax_t limit) {
  return "file of " + std::to_string(size) + " bytes not read (limit " + std::to_string(limit) +
         " bytes)";
}

std::string_view unreadable_rule(std::string_view read_error) {
  if (read_error.starts_with("git object ")) {
    if (read_error.find(" is missing from the object database") != std::string_view::npos)
      return "git-object-missing";
    if (read_error.find(" is corrupt: ") != std::string_view::npos) return "git-object-corrupt";
  }
  if (read_error.starts_with("file of ") &&
      read_error.find(" bytes not read (limit ") != std::string_view::npos)
    return "file-too-large";
  return "file-unreadable";
}

std::uintmax_t max_file_size() {
  return g_max_file_size.load(std::memory_order_relaxed);
}

void set_max_file_size(std::uintmax_t bytes) {
  g_max_file_size.store(bytes, std::memory_order_relaxed);
}

DirTree::DirTree(fs::path root) : root_(std::move(root)) {
  // The root is the directory the user named: a link to it is followed. Below it nothing is:
  // every directory is opened relative to its parent's descriptor with O_NOFOLLOW, so a
  // directory swapped for a link while the listing runs is never entered.
  root_fd_ = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd_ < 0) {
    diagnostics_.push_back({"file-unreadable",
                            {".", 0, 0},
                            std::string("cannot list directory: ") + std::strerror(errno)});
    return;
  }
  const ReadBudget budget = read_budget();
  const std::uintmax_t limit = max_file_size();
  // A descriptor shared by the subdirectories still to open below it; depth first, so at most
  // one per level of the current path is open (and the depth budget bounds the levels).
  struct Fd {
    int fd;
    explicit Fd(int d) : fd(d) {}
    ~Fd() { ::close(fd); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
  };
  struct Pending {
    std::shared_ptr<Fd> parent; // null: the root itself
    std::string name;           // in the parent
    std::string rel;            // relative path with a trailing '/', empty for the root
    std::size_t depth = 0;      // levels below the root of the entries inside
  };
  std::vector<Pending> pending;
  pending.push_back({nullptr, "", "", 1});
  std::size_t entries = 0;
  std::size_t path_bytes = 0;
  auto here = [](const std::string& rel) {
    return rel.empty() ? std::string(".") : rel.substr(0, rel.size() - 1);
  };
  while (!pending.empty()) {
    Pending dir = std::move(pending.back());
    pending.pop_back();
    const int fd = dir.parent
                       ? ::openat(dir.parent->fd, dir.name.c_str(),
                                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
                       : ::dup(root_fd_);
    if (fd < 0) {
      diagnostics_.push_back(
          errno == ELOOP
              ? Diagnostic{"symlink-skipped",
                           {here(dir.rel), 0, 0},
                           "symbolic link not followed: audited repositories are untrusted"}
              : Diagnostic{"file-unreadable",
                           {here(dir.rel), 0, 0},
                           std::string("cannot list directory: ") + std::strerror(errno)});
      continue;
    }
    auto self = std::make_shared<Fd>(fd);
    // The names first, then the descriptor stays for the subdirectories to be opened from.
    std::vector<std::string> names;
    {
      const int listing_fd = ::dup(fd);
      DIR* listing = listing_fd < 0 ? nullptr : ::fdopendir(listing_fd);
      if (!listing) {
        if (listing_fd >= 0) ::close(listing_fd);
        diagnostics_.push_back({"file-unreadable",
                                {here(dir.rel), 0, 0},
                                std::string("cannot list directory: ") + std::strerror(errno)});
        continue;
      }
      errno = 0;
      while (const dirent* e = ::readdir(listing)) {
        const std::string_view name = e->d_name;
        if (name != "." && name != "..") names.emplace_back(name);
        errno = 0;
      }
      if (errno != 0)
        diagnostics_.push_back({"file-unreadable",
                                {here(dir.rel), 0, 0},
                                std::string("cannot list: ") + std::strerror(errno)});
      ::closedir(listing);
    }
    std::sort(names.begin(), names.end());
    bool stopped = false;
    for (const std::string& name : names) {
      std::string rel = dir.rel + name;
      if (++entries > budget.entries || (path_bytes += rel.size()) > budget.path_bytes) {
        const bool by_entries = entries > budget.entries;
        diagnostics_.push_back(
            {kBudgetRule,
             {here(dir.rel), 0, 0},
             budget_exceeded(by_entries ? "entries" : "path bytes",
                             by_entries ? budget.entries : budget.path_bytes,
                             by_entries ? "entries" : "bytes",
                             "the listing stopped here; the files not listed yet are not "
                             "audited")});
        stopped = true;
        break;
      }
      struct stat st {};
      if (::fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        diagnostics_.push_back(
            {"file-unreadable", {rel, 0, 0}, std::string("cannot list: ") + std::strerror(errno)});
      } else if (S_ISLNK(st.st_mode)) {
        diagnostics_.push_back({"symlink-skipped",
                                {rel, 0, 0},
                                "symbolic link not followed: audited repositories are untrusted"});
      } else if (S_ISDIR(st.st_mode)) {
        if (skipped_directory(name)) continue;
        if (dir.depth + 1 > budget.depth) {
          diagnostics_.push_back(
              {kBudgetRule,
               {rel, 0, 0},
               budget_exceeded("depth", budget.depth, "levels", "directory not listed")});
          continue;
        }
        pending.push_back({self, name, rel + "/", dir.depth + 1});
      } else if (S_ISREG(st.st_mode)) {
        const auto size = static_cast<std::uintmax_t>(st.st_size);
        if (size > limit)
          diagnostics_.push_back({"file-too-large", {rel, 0, 0}, file_too_large(size, limit)});
        else
          files_.push_back(std::move(rel));
      } else {
        // Reading a FIFO named Cargo.lock would block the audit forever.
        diagnostics_.push_back(
            {"file-unreadable", {rel, 0, 0}, "special file (FIFO, socket or device) not read"});
      }
    }
    if (stopped) break;
  }
  std::sort(files_.begin(), files_.end());
}

DirTree::~DirTree() {
  if (root_fd_ >= 0) ::close(root_fd_);
}

std::optional<std::string> DirTree::read(const std::string& path, std::string& error) const {
  // Only listed files: a path from the repository's own text (`../../etc/passwd`), a symbolic
  // link or a file over the size limit is never opened, whoever asks.
  if (!std::binary_search(files_.begin(), files_.end(), path)) {
    error = "not a listed file of the repository";
    return std::nullopt;
  }
  // One read into a buffer of the listed size: no stream copies. Opened below the root's
  // descriptor without following a link on any component, with O_NONBLOCK, and checked to be
  // regular, in case a directory on the way or the file itself was replaced by a link or a
  // FIFO since it was listed; the size limit holds for a file that grew since.
  ReadingNow reading("reading " + path + " in " + root_.string());
  const int fd = open_beneath(root_fd_, path, O_RDONLY | O_NONBLOCK);
  if (fd < 0) {
    error = errno == ELOOP || errno == EXDEV
                ? "not read: a symbolic link replaced it or a directory on its path since it "
                  "was listed (links are not followed)"
                : "cannot open file";
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
    error = file_too_large(static_cast<std::uintmax_t>(st.st_size), limit);
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
