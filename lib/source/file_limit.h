#pragma once
#include <cstdint>
#include <string>

namespace otelaudit {

/// The default size above which a DirTree does not read a file (16 MiB): the largest real
/// Cargo.lock files are a few MiB, and an audited repository must not be able to make the
/// tool hold hundreds of megabytes per file.
inline constexpr std::uintmax_t kDefaultMaxFileSize = std::uintmax_t{16} << 20;

/// The limit DirTree applies while it lists a directory: larger files are left out of
/// `files()` and reported as `file-too-large`. Process-wide so the cli (and tests) can set it
/// without a Tree interface change; set it before constructing trees.
std::uintmax_t max_file_size();
void set_max_file_size(std::uintmax_t bytes);

/// Why a file (or git blob) over the size limit is not read: `file of N bytes not read (limit
/// L bytes)`, the same for a directory on disk and a git tree, so both are `file-too-large`.
std::string file_too_large(std::uintmax_t size, std::uintmax_t limit);

} // namespace otelaudit
