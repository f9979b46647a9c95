#include "source/git_odb.h"

#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>
#include <zlib.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <new>
#include <system_error>
#include <vector>

#include "source/beneath.h"
#include "source/git_tree.h"

namespace otelaudit {

namespace fs = std::filesystem;

namespace {

// "commit 18446744073709551615" and its NUL fit with room to spare; a longer header is damage.
constexpr std::size_t kMaxHeader = 64;
constexpr std::size_t kChunk = 64 * 1024;
// libgit2 follows alternates of alternates this deep (GIT_ALTERNATES_MAX_DEPTH).
constexpr int kMaxAlternateDepth = 5;

std::string hex(const git_oid& id) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &id);
  return buf;
}

std::string last_git_error() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

/// A damaged object: libgit2's error class for compressed data, which git_object_corrupt
/// recognises. Returns -1 for the backend to hand back.
int corrupt(const git_oid& id, const std::string& why) {
  git_error_set_str(GIT_ERROR_ZLIB, ("loose object " + hex(id) + " is corrupt: " + why).c_str());
  return -1;
}

int over_limit(const git_oid& id, std::size_t size, std::uintmax_t limit) {
  git_error_set_str(GIT_ERROR_ODB,
                    ("git object " + hex(id) + " is " + std::to_string(size) +
                     " bytes, over the limit of " + std::to_string(limit) + " bytes: not read")
                        .c_str());
  return -1;
}

/// Runs a backend callback's body: nothing may unwind through libgit2's C frames.
template <class Body>
int guarded(Body&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    git_error_set_oom();
  } catch (const std::exception& e) {
    git_error_set_str(GIT_ERROR_ODB, e.what());
  }
  return -1;
}

/// A loose object's type and size, as its header `<type> <size>\0` says.
struct Header {
  git_object_t type = GIT_OBJECT_INVALID;
  std::size_t size = 0;
  std::size_t length = 0; // bytes of the header, its NUL included
};

bool parse_header(const unsigned char* data, std::size_t n, Header& h, std::string& why) {
  const char* text = reinterpret_cast<const char*>(data);
  const void* nul = std::memchr(text, '\0', n);
  if (!nul) {
    why = n == kMaxHeader ? "a header longer than any object type and size"
                          : "truncated: its data ends inside its header";
    return false;
  }
  const std::string_view header(text, static_cast<const char*>(nul) - text);
  const auto space = header.find(' ');
  if (space == std::string_view::npos) {
    why = "a header without a size";
    return false;
  }
  const std::string type(header.substr(0, space));
  h.type = type == "commit" ? GIT_OBJECT_COMMIT
           : type == "tree" ? GIT_OBJECT_TREE
           : type == "blob" ? GIT_OBJECT_BLOB
           : type == "tag"  ? GIT_OBJECT_TAG
                            : GIT_OBJECT_INVALID;
  if (h.type == GIT_OBJECT_INVALID) {
    why = "a header naming no object type";
    return false;
  }
  const std::string_view digits = header.substr(space + 1);
  if (digits.empty() || digits.size() > 19 || (digits.size() > 1 && digits[0] == '0')) {
    why = "a header whose size is not a number";
    return false;
  }
  std::uint64_t size = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') {
      why = "a header whose size is not a number";
      return false;
    }
    size = size * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (size >= SIZE_MAX) {
    why = "a header whose size is not a number";
    return false;
  }
  h.size = static_cast<std::size_t>(size);
  h.length = header.size() + 1;
  return true;
}

/// One loose object file, inflated only as far as asked and only while each step of zlib makes
/// progress: what libgit2 1.5.1 does not do (its drain loop retries for ever when a truncated
/// stream leaves inflate nothing to do, libgit2#7342).
class LooseFile {
public:
  LooseFile() = default;
  ~LooseFile() {
    if (initialised_) inflateEnd(&zs_);
    if (fd_ >= 0) ::close(fd_);
  }
  LooseFile(const LooseFile&) = delete;
  LooseFile& operator=(const LooseFile&) = delete;

  /// 0, GIT_ENOTFOUND when there is no such loose object, or -1 with libgit2's error set.
  int open(int objects_fd, const git_oid& id) {
    const std::string name = hex(id);
    const std::string path = name.substr(0, 2) + "/" + name.substr(2);
    fd_ = open_beneath(objects_fd, path, O_RDONLY | O_NONBLOCK);
    if (fd_ < 0) {
      if (errno == ENOENT || errno == ENOTDIR) return GIT_ENOTFOUND;
      if (errno == ELOOP) return corrupt(id, "a symbolic link, not an object file");
      git_error_set_str(GIT_ERROR_OS,
                        ("cannot open loose object " + name + ": " + std::strerror(errno)).c_str());
      return -1;
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode))
      return corrupt(id, "not a regular file (a FIFO, socket or device)");
    if (inflateInit(&zs_) != Z_OK) {
      git_error_set_oom();
      return -1;
    }
    initialised_ = true;
    input_.resize(kChunk);
    return 0;
  }

  /// Inflates up to `len` bytes into `out`; `got` says how many. Fewer than asked means the
  /// stream ended (ended()) or the file did (truncated). false with `why` when the data is not
  /// a zlib stream or the file cannot be read.
  bool inflate_into(unsigned char* out, std::size_t len, std::size_t& got, std::string& why) {
    got = 0;
    while (got < len && !ended_) {
      if (zs_.avail_in == 0 && !eof_ && !refill(why)) return false;
      if (zs_.avail_in == 0) break; // the file ended first
      const uInt room = static_cast<uInt>(std::min<std::size_t>(len - got, 1u << 30));
      zs_.next_out = out + got;
      zs_.avail_out = room;
      const uInt before_in = zs_.avail_in;
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      got += room - zs_.avail_out;
      if (rc == Z_STREAM_END) {
        ended_ = true;
        break;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        why = std::string("not a valid zlib stream (") + (zs_.msg ? zs_.msg : "zlib error") + ")";
        return false;
      }
      if (zs_.avail_in == before_in && zs_.avail_out == room) {
        // With input and room, zlib always moves; this guards the loop all the same.
        why = "not a valid zlib stream (inflate made no progress)";
        return false;
      }
    }
    return true;
  }

  bool ended() const { return ended_; }

  /// After the end of the stream: whether the file holds more (git refuses such an object).
  bool trailing() {
    if (zs_.avail_in > 0) return true;
    unsigned char byte = 0;
    ssize_t n = 0;
    do
      n = ::read(fd_, &byte, 1);
    while (n < 0 && errno == EINTR);
    return n > 0;
  }

private:
  bool refill(std::string& why) {
    ssize_t n = 0;
    do
      n = ::read(fd_, input_.data(), input_.size());
    while (n < 0 && errno == EINTR);
    if (n < 0) {
      why = std::string("unreadable (") + std::strerror(errno) + ")";
      return false;
    }
    if (n == 0) eof_ = true;
    zs_.next_in = input_.data();
    zs_.avail_in = static_cast<uInt>(n);
    return true;
  }

  int fd_ = -1;
  z_stream zs_{};
  bool initialised_ = false;
  bool eof_ = false;
  bool ended_ = false;
  std::vector<unsigned char> input_;
};

/// The loose objects of one object directory, read with LooseFile and never written.
struct LooseBackend {
  git_odb_backend parent;
  int objects_fd = -1;
  std::uintmax_t limit = 0;
};

LooseBackend* loose_of(git_odb_backend* b) {
  return reinterpret_cast<LooseBackend*>(b);
}

/// Reads the object `id`: its header only when `data` is null.
int loose_read_object(LooseBackend* be, const git_oid& id, void** data, std::size_t* len,
                      git_object_t* type) {
  LooseFile file;
  if (int rc = file.open(be->objects_fd, id); rc != 0) return rc;
  unsigned char head[kMaxHeader];
  std::size_t got = 0;
  std::string why;
  if (!file.inflate_into(head, sizeof head, got, why)) return corrupt(id, why);
  Header h;
  if (!parse_header(head, got, h, why)) return corrupt(id, why);
  if (!data) {
    *len = h.size;
    *type = h.type;
    return 0;
  }
  if (h.size > be->limit) return over_limit(id, h.size, be->limit);
  const std::size_t have = got - h.length;
  if (have > h.size) return corrupt(id, "longer than its header says");
  auto* body = static_cast<unsigned char*>(git_odb_backend_data_alloc(&be->parent, h.size + 1));
  if (!body) {
    git_error_set_oom();
    return -1;
  }
  auto fail = [&](const std::string& reason) {
    git_odb_backend_data_free(&be->parent, body);
    return corrupt(id, reason);
  };
  std::memcpy(body, head + h.length, have);
  std::size_t rest = 0;
  if (!file.inflate_into(body + have, h.size - have, rest, why)) return fail(why);
  if (have + rest < h.size)
    return fail(file.ended()
                    ? "shorter than its header says (" + std::to_string(have + rest) + " of " +
                          std::to_string(h.size) + " bytes)"
                    : "truncated: its compressed data ends after " + std::to_string(have + rest) +
                          " of its " + std::to_string(h.size) + " bytes");
  if (!file.ended()) {
    unsigned char extra = 0;
    std::size_t n = 0;
    if (!file.inflate_into(&extra, 1, n, why)) return fail(why);
    if (n > 0) return fail("longer than its header says");
    if (!file.ended()) return fail("truncated: its compressed data stops before its end");
  }
  if (file.trailing()) return fail("data after the end of its compressed stream");
  body[h.size] = 0;
  *data = body;
  *len = h.size;
  *type = h.type;
  return 0;
}

/// Calls `found` with each loose object id whose hex form starts with `prefix` (at least two
/// digits); stops when it returns nonzero, and returns that.
template <class Found>
int loose_each(LooseBackend* be, const std::string& prefix, Found&& found) {
  const std::string dir = prefix.substr(0, 2);
  const int fd = open_beneath(be->objects_fd, dir, O_RDONLY | O_DIRECTORY | O_NONBLOCK);
  if (fd < 0) return 0;
  DIR* listing = ::fdopendir(fd);
  if (!listing) {
    ::close(fd);
    return 0;
  }
  std::unique_ptr<DIR, int (*)(DIR*)> closer(listing, ::closedir);
  const std::string rest = prefix.substr(2);
  while (const dirent* entry = ::readdir(listing)) {
    const std::string_view name = entry->d_name;
    if (name.size() != GIT_OID_HEXSZ - 2 || name.compare(0, rest.size(), rest) != 0) continue;
    git_oid id;
    if (git_oid_fromstrn(&id, (dir + std::string(name)).c_str(), GIT_OID_HEXSZ) < 0) continue;
    if (int rc = found(id); rc != 0) return rc;
  }
  return 0;
}

/// The one loose object whose id starts with the first `len` hex digits of `short_id`.
int loose_find_prefix(LooseBackend* be, const git_oid* short_id, std::size_t len, git_oid& out) {
  const std::string prefix = hex(*short_id).substr(0, len);
  int matches = 0;
  loose_each(be, prefix, [&](const git_oid& id) {
    out = id;
    return ++matches > 1 ? 1 : 0;
  });
  if (matches == 0) {
    git_error_set_str(GIT_ERROR_ODB, ("no loose object starts with " + prefix).c_str());
    return GIT_ENOTFOUND;
  }
  if (matches > 1) {
    git_error_set_str(GIT_ERROR_ODB, ("more than one loose object starts with " + prefix).c_str());
    return GIT_EAMBIGUOUS;
  }
  return 0;
}

int loose_read(void** data, std::size_t* len, git_object_t* type, git_odb_backend* b,
               const git_oid* id) {
  return guarded([&] { return loose_read_object(loose_of(b), *id, data, len, type); });
}

int loose_read_header(std::size_t* len, git_object_t* type, git_odb_backend* b, const git_oid* id) {
  return guarded([&] { return loose_read_object(loose_of(b), *id, nullptr, len, type); });
}

int loose_read_prefix(git_oid* out, void** data, std::size_t* len, git_object_t* type,
                      git_odb_backend* b, const git_oid* short_id, std::size_t short_len) {
  return guarded([&] {
    git_oid id = *short_id;
    if (short_len < GIT_OID_HEXSZ)
      if (int rc = loose_find_prefix(loose_of(b), short_id, short_len, id); rc != 0) return rc;
    int rc = loose_read_object(loose_of(b), id, data, len, type);
    if (rc == 0) git_oid_cpy(out, &id);
    return rc;
  });
}

int loose_exists(git_odb_backend* b, const git_oid* id) {
  const std::string name = hex(*id);
  const int fd = open_beneath(loose_of(b)->objects_fd, name.substr(0, 2) + "/" + name.substr(2),
                              O_RDONLY | O_NONBLOCK);
  if (fd < 0) return 0;
  ::close(fd);
  return 1;
}

int loose_exists_prefix(git_oid* out, git_odb_backend* b, const git_oid* short_id,
                        std::size_t len) {
  return guarded([&] { return loose_find_prefix(loose_of(b), short_id, len, *out); });
}

int loose_foreach(git_odb_backend* b, git_odb_foreach_cb cb, void* payload) {
  return guarded([&] {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 256; ++i) {
      const std::string prefix{digits[i >> 4], digits[i & 15]};
      if (int rc =
              loose_each(loose_of(b), prefix, [&](const git_oid& id) { return cb(&id, payload); });
          rc != 0)
        return rc;
    }
    return 0;
  });
}

void loose_free(git_odb_backend* b) {
  LooseBackend* be = loose_of(b);
  if (be->objects_fd >= 0) ::close(be->objects_fd);
  delete be;
}

/// libgit2's pack reader behind a check of each object's size before it is inflated: the
/// header of a packed object is a few bytes, its content may claim gigabytes.
struct PackBackend {
  git_odb_backend parent;
  git_odb_backend* inner = nullptr;
  std::uintmax_t limit = 0;
};

PackBackend* pack_of(git_odb_backend* b) {
  return reinterpret_cast<PackBackend*>(b);
}

int pack_read(void** data, std::size_t* len, git_object_t* type, git_odb_backend* b,
              const git_oid* id) {
  PackBackend* be = pack_of(b);
  std::size_t size = 0;
  git_object_t t = GIT_OBJECT_INVALID;
  if (int rc = be->inner->read_header(&size, &t, be->inner, id); rc < 0) return rc;
  if (size > be->limit) return over_limit(*id, size, be->limit);
  return be->inner->read(data, len, type, be->inner, id);
}

int pack_read_prefix(git_oid* out, void** data, std::size_t* len, git_object_t* type,
                     git_odb_backend* b, const git_oid* short_id, std::size_t short_len) {
  PackBackend* be = pack_of(b);
  git_oid id = *short_id;
  if (short_len < GIT_OID_HEXSZ)
    if (int rc = be->inner->exists_prefix(&id, be->inner, short_id, short_len); rc < 0) return rc;
  int rc = pack_read(data, len, type, b, &id);
  if (rc == 0) git_oid_cpy(out, &id);
  return rc;
}

int pack_read_header(std::size_t* len, git_object_t* type, git_odb_backend* b, const git_oid* id) {
  return pack_of(b)->inner->read_header(len, type, pack_of(b)->inner, id);
}

int pack_exists(git_odb_backend* b, const git_oid* id) {
  return pack_of(b)->inner->exists(pack_of(b)->inner, id);
}

int pack_exists_prefix(git_oid* out, git_odb_backend* b, const git_oid* short_id, std::size_t len) {
  return pack_of(b)->inner->exists_prefix(out, pack_of(b)->inner, short_id, len);
}

int pack_refresh(git_odb_backend* b) {
  return pack_of(b)->inner->refresh(pack_of(b)->inner);
}

int pack_foreach(git_odb_backend* b, git_odb_foreach_cb cb, void* payload) {
  return pack_of(b)->inner->foreach (pack_of(b)->inner, cb, payload);
}

void pack_free(git_odb_backend* b) {
  PackBackend* be = pack_of(b);
  be->inner->free(be->inner);
  delete be;
}

template <class T, void (*Free)(T*)>
struct GitFree {
  void operator()(T* p) const { Free(p); }
};
using RepoPtr = std::unique_ptr<git_repository, GitFree<git_repository, git_repository_free>>;
using OdbPtr = std::unique_ptr<git_odb, GitFree<git_odb, git_odb_free>>;

/// Adds the pack and loose readers of `objects` to `odb`, as alternates when `alternate`.
bool add_object_dir(git_odb* odb, const fs::path& objects, bool alternate, std::uintmax_t limit,
                    std::string& error) {
  const int fd = ::open(objects.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open the object directory " + objects.string() + ": " + std::strerror(errno);
    return false;
  }
  auto* loose = new LooseBackend();
  git_odb_init_backend(&loose->parent, GIT_ODB_BACKEND_VERSION);
  loose->objects_fd = fd;
  loose->limit = limit;
  loose->parent.read = loose_read;
  loose->parent.read_prefix = loose_read_prefix;
  loose->parent.read_header = loose_read_header;
  loose->parent.exists = loose_exists;
  loose->parent.exists_prefix = loose_exists_prefix;
  loose->parent.foreach = loose_foreach;
  loose->parent.free = loose_free;

  git_odb_backend* inner = nullptr;
  if (git_odb_backend_pack(&inner, objects.c_str()) < 0) {
    error = "cannot read the packs of " + objects.string() + ": " + last_git_error();
    loose_free(&loose->parent);
    return false;
  }
  auto* pack = new PackBackend();
  git_odb_init_backend(&pack->parent, GIT_ODB_BACKEND_VERSION);
  pack->inner = inner;
  pack->limit = limit;
  pack->parent.read = pack_read;
  pack->parent.read_prefix = pack_read_prefix;
  pack->parent.read_header = pack_read_header;
  pack->parent.exists = pack_exists;
  pack->parent.exists_prefix = pack_exists_prefix;
  pack->parent.refresh = pack_refresh;
  pack->parent.foreach = pack_foreach;
  pack->parent.free = pack_free;

  // Packs before loose objects, as libgit2's own order (priorities 2 and 1).
  auto add = alternate ? git_odb_add_alternate : git_odb_add_backend;
  if (add(odb, &pack->parent, 2) < 0) {
    pack_free(&pack->parent);
    loose_free(&loose->parent);
    error = "cannot read " + objects.string() + ": " + last_git_error();
    return false;
  }
  if (add(odb, &loose->parent, 1) < 0) {
    loose_free(&loose->parent);
    error = "cannot read " + objects.string() + ": " + last_git_error();
    return false;
  }
  return true;
}

/// `path` with its symbolic links resolved lies inside `root` (itself resolved). A path that
/// does not exist is not outside: whoever opens it fails.
bool outside(const fs::path& path, const fs::path& root) {
  std::error_code ec;
  const fs::path real = fs::canonical(path, ec);
  if (ec) return false;
  const std::string r = root.string(), p = real.string();
  return !(p == r || (p.size() > r.size() && p.compare(0, r.size(), r) == 0 &&
                      (r.back() == '/' || p[r.size()] == '/')));
}

/// The first line of a small text file (a `.git` file, an alternates list), read without
/// following a symbolic link; empty when there is none.
std::string read_small(const fs::path& file, std::size_t max = 64 * 1024) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return {};
  std::string text(max, '\0');
  std::size_t got = 0;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    while (got < text.size()) {
      const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
  }
  ::close(fd);
  text.resize(got);
  return text;
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  return std::string(s);
}

/// The object directory and, depth first, the alternates it names (relative ones from the
/// object directory, as git reads them), each once; an error names one outside `root`.
bool object_dirs(const fs::path& objects, const fs::path& root, const std::string& where, int depth,
                 std::vector<fs::path>& out, std::string& error) {
  std::error_code ec;
  const fs::path real = fs::canonical(objects, ec);
  if (ec) return true; // git skips an alternate that does not exist
  for (const fs::path& known : out)
    if (known == real) return true;
  out.push_back(real);
  // A link in objects/pack can hand libgit2 another repository's pack.
  for (const fs::directory_entry& entry : fs::directory_iterator(real / "pack", ec)) {
    std::error_code lec;
    if (entry.is_symlink(lec) && outside(entry.path(), root)) {
      error = "cannot open git repository " + where + ": " +
              (real / "pack" / entry.path().filename()).string() +
              " is a symbolic link to a file outside the audited directory (an audited "
              "repository may not make otel-audit read another one)";
      return false;
    }
  }
  if (depth >= kMaxAlternateDepth) return true;
  const std::string list = read_small(real / "info" / "alternates");
  std::size_t start = 0;
  while (start < list.size()) {
    std::size_t end = list.find('\n', start);
    if (end == std::string::npos) end = list.size();
    const std::string line = trimmed(std::string_view(list).substr(start, end - start));
    start = end + 1;
    if (line.empty() || line[0] == '#') continue;
    fs::path alternate = line;
    if (alternate.is_relative()) alternate = real / alternate;
    if (outside(alternate, root)) {
      error = "cannot open git repository " + where + ": " +
              (real / "info" / "alternates").string() + " names " + line +
              ", outside the audited directory (an audited repository may not make otel-audit "
              "read another one)";
      return false;
    }
    if (!object_dirs(alternate, root, where, depth + 1, out, error)) return false;
  }
  return true;
}

} // namespace

git_repository* open_audited_repository(const fs::path& dir, std::uintmax_t max_object_size,
                                        std::string& error) {
  ensure_libgit2();
  const std::string where = dir.string();
  std::error_code ec;
  const fs::path root = fs::canonical(dir, ec);
  if (ec) {
    error = "cannot open git repository " + where + ": " + ec.message();
    return nullptr;
  }
  const std::string refusal =
      ", outside the audited directory (an audited repository may not make otel-audit read "
      "another one: audit that repository by its own path)";
  // Before libgit2 opens anything: a `.git` file names the git directory to use.
  const fs::path dotgit = dir / ".git";
  if (fs::is_regular_file(fs::symlink_status(dotgit, ec))) {
    const std::string first = read_small(dotgit, 4096);
    const std::string line = trimmed(std::string_view(first).substr(0, first.find('\n')));
    if (line.rfind("gitdir:", 0) == 0) {
      const std::string target = trimmed(std::string_view(line).substr(7));
      fs::path gitdir = target;
      if (gitdir.is_relative()) gitdir = dir / gitdir;
      if (!target.empty() && outside(gitdir, root)) {
        error =
            "cannot open git repository " + where + ": its .git file points to " + target + refusal;
        return nullptr;
      }
    }
  }
  git_repository* raw = nullptr;
  // NO_SEARCH: the path the user gave is the repository; never climb into an enclosing one.
  if (git_repository_open_ext(&raw, where.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) < 0) {
    error = "cannot open git repository " + where + ": " + last_git_error();
    return nullptr;
  }
  RepoPtr repo(raw);
  // A symbolic link as .git, or a `commondir` file (as a linked worktree has), leads elsewhere
  // just as well.
  for (const char* path : {git_repository_path(repo.get()), git_repository_commondir(repo.get())}) {
    if (path && outside(path, root)) {
      error = "cannot open git repository " + where + ": its git directory is " +
              fs::canonical(path, ec).string() + refusal;
      return nullptr;
    }
  }
  std::vector<fs::path> dirs;
  const char* common = git_repository_commondir(repo.get());
  const fs::path objects = fs::path(common ? common : git_repository_path(repo.get())) / "objects";
  if (outside(objects, root)) {
    error = "cannot open git repository " + where + ": its object directory is " +
            fs::canonical(objects, ec).string() + refusal;
    return nullptr;
  }
  if (!object_dirs(objects, root, where, 0, dirs, error)) return nullptr;
  git_odb* raw_odb = nullptr;
  if (git_odb_new(&raw_odb) < 0) {
    error = "cannot open git repository " + where + ": " + last_git_error();
    return nullptr;
  }
  OdbPtr odb(raw_odb);
  for (std::size_t i = 0; i < dirs.size(); ++i)
    if (!add_object_dir(odb.get(), dirs[i], i > 0, max_object_size, error)) return nullptr;
  if (git_repository_set_odb(repo.get(), odb.get()) < 0) {
    error = "cannot open git repository " + where + ": " + last_git_error();
    return nullptr;
  }
  return repo.release();
}

bool git_object_corrupt(int rc) {
  if (rc == GIT_EMISMATCH) return true;
  const git_error* e = git_error_last();
  return e && (e->klass == GIT_ERROR_ZLIB || e->klass == GIT_ERROR_OBJECT);
}

} // namespace otelaudit
