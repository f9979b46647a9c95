#pragma once
#include <filesystem>
#include <string>
#include <string_view>

namespace otelaudit {

/// Writes `content` to `path` so that readers see either the old file or the whole new one:
/// the bytes go to a uniquely named temporary file in the same directory, which is flushed to
/// disk, closed and then renamed over `path`. On failure the temporary file is removed, nothing
/// at `path` changes, and `error` says `cannot write <path>: <system error>`.
bool write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           std::string& error);

} // namespace otelaudit
