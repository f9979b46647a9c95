#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "source/tree.h"

namespace otelaudit {

/// Initialises libgit2 once per process (shut down at exit); every libgit2 user calls it first.
void ensure_libgit2();

/// The files of one commit, read straight from a repository's object database: any branch,
/// tag or commit can be audited without a checkout and without touching a working tree.
/// Submodules and symbolic links are not followed and paths that would escape the root are
/// dropped (audited repositories are untrusted); `target/` and `node_modules/` are not listed,
/// as in DirTree.
class GitTree : public Tree {
public:
  /// Opens the normal or bare repository at `repo` and the commit `rev` names (branch, tag,
  /// full or short id, `HEAD~3`, `main^`; empty = HEAD). nullptr with `error` set on failure.
  static std::unique_ptr<GitTree> open(const std::filesystem::path& repo, const std::string& rev,
                                       std::string& error);
  ~GitTree() override;
  GitTree(const GitTree&) = delete;
  GitTree& operator=(const GitTree&) = delete;

  const std::vector<std::string>& files() const override { return files_; }
  /// A blob missing from the object database (partial copies, pruned objects) gives nullopt
  /// and `git object <id> is missing from the object database`.
  std::optional<std::string> read(const std::string& path, std::string& error) const override;
  const std::vector<Diagnostic>& listing_diagnostics() const override { return diagnostics_; }

  /// The blob id (40 hex) of a listed file: equal ids mean equal content, so results can be
  /// memoised across commits and repositories.
  std::optional<std::string> blob_id(const std::string& path) const;
  std::optional<std::string> content_id(const std::string& path) const override {
    return blob_id(path);
  }
  /// The id (40 hex) of the commit `rev` resolved to.
  const std::string& commit_id() const { return commit_id_; }
  /// The first line of the commit message.
  const std::string& commit_summary() const { return commit_summary_; }
  /// Committer time, seconds since the Unix epoch.
  std::int64_t commit_time() const { return commit_time_; }

private:
  struct Impl;
  GitTree();

  std::unique_ptr<Impl> impl_;
  std::vector<std::string> files_;
  std::vector<Diagnostic> diagnostics_;
  std::string commit_id_;
  std::string commit_summary_;
  std::int64_t commit_time_ = 0;
};

/// One commit of a history walk.
struct CommitInfo {
  std::string id;        // 40 hex
  std::string summary;   // first line of the message
  std::int64_t time = 0; // committer time, seconds since the Unix epoch
};

/// The first-parent history of `rev` (empty: HEAD) in the repository at `repo`, newest first:
/// at most `max_count` commits (0: all) and none older than `since` (0: no limit). nullopt with
/// `error` set when the repository or ref does not exist (same messages as GitTree::open). A
/// commit whose object is missing (a shallow clone's boundary, a damaged repository) ends the
/// history there, and `ended`, when given, says so.
std::optional<std::vector<CommitInfo>> first_parent_history(const std::filesystem::path& repo,
                                                            const std::string& rev,
                                                            std::size_t max_count,
                                                            std::int64_t since, std::string& error,
                                                            std::string* ended = nullptr);

/// Branch and tag names of the repository close to `name` (edit distance at most 2, or one a
/// prefix of the other), at most 5, sorted: suggestions for a ref that does not exist.
std::vector<std::string> close_ref_names(const std::vector<std::string>& names,
                                         const std::string& name);

} // namespace otelaudit
