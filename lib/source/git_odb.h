#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

struct git_repository;

namespace otelaudit {

/// Opens the git repository at `dir` (a work tree with its `.git`, or a bare repository; no
/// search upwards) to read audited content from it, or nullptr with `error` set. Audited
/// repositories are untrusted, so:
/// - the git directory, its common directory, the object directory and every alternate object
///   directory must lie inside `dir`: a `.git` file (`gitdir: /elsewhere`), a `commondir` file
///   or `objects/info/alternates` naming another repository on the machine is refused with an
///   error naming it (a worktree or submodule git directory inside `dir` is fine);
/// - loose objects are read by a reader of this project (zlib, bounded), not by libgit2 1.5.1,
///   which loops for ever on a truncated one (libgit2#7342) and writes past its buffer on one
///   whose header understates its size (libgit2#7177); a loose file that is a symbolic link,
///   a FIFO or damaged is a corrupt object (git_object_corrupt), never a hang;
/// - no object larger than `max_object_size` bytes is inflated, loose or packed: its header is
///   read first (a 3 GiB blob costs a few bytes of reading, not 3 GiB of memory).
/// The caller frees the repository with git_repository_free.
git_repository* open_audited_repository(const std::filesystem::path& dir,
                                        std::uintmax_t max_object_size, std::string& error);

/// True when the libgit2 call that just returned `rc` failed because an object's data is
/// damaged (a bad zlib stream, a header that does not parse, content that does not hash to its
/// id), as opposed to missing or unreadable; git_error_last() says how.
bool git_object_corrupt(int rc);

} // namespace otelaudit
