#pragma once
#include <filesystem>
#include <string>
#include <vector>

// How `otel-audit fix --write` changes files: only files that git has no uncommitted changes
// in (unless the user allows it), and all of them or none.

namespace otelaudit::fix {

/// One file to rewrite: the repository it belongs to, its path there, the text it was
/// planned from and the text to write.
struct PendingWrite {
  std::filesystem::path root;
  std::string file; // relative to root, '/' separators
  std::string before;
  std::string after;
};

/// The files of `files` (relative to `root`) with changes git has not committed: modified,
/// staged or untracked (`cargo fix`'s rule). Empty when there are none or when `root` is in no
/// git work tree; `error` is set when git cannot tell.
std::vector<std::string> uncommitted(const std::filesystem::path& root,
                                     const std::vector<std::string>& files, std::string& error);

/// Writes every file or none. Each is checked first (no symbolic link between its root and
/// it, a regular file that still holds `before`), written to a temporary file beside it
/// (same permissions, flushed to disk) and, once all are written, renamed over it. When
/// anything fails, the files already renamed get their old text back, the temporary files are
/// removed, and `error` says what failed.
bool write_all(const std::vector<PendingWrite>& writes, std::string& error);

} // namespace otelaudit::fix
