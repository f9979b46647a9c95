#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/location.h"

namespace otelaudit {

/// A repository's files. Abstract so that a directory on disk, a git tree and an in-memory
/// tree (tests) are read the same way by the model.
class Tree {
public:
  virtual ~Tree() = default;
  /// Every regular file, relative to the root with '/' separators, sorted.
  virtual const std::vector<std::string>& files() const = 0;
  /// The content of `path`; nullopt with `error` set when it cannot be read.
  virtual std::optional<std::string> read(const std::string& path, std::string& error) const = 0;
  /// Problems met while listing (symlinks not followed, unreadable directories).
  virtual const std::vector<Diagnostic>& listing_diagnostics() const = 0;
  /// An id that is equal exactly when two files' contents are (a git blob id), so results can
  /// be memoised across commits; nullopt when the tree has none (a directory on disk).
  virtual std::optional<std::string> content_id(const std::string& path) const {
    (void)path;
    return std::nullopt;
  }
};

/// The rule a failed Tree::read is reported under, from its error text: "git-object-missing"
/// for a blob missing from a git object database, "git-object-corrupt" for a damaged one (as
/// GitTree's errors say), "file-too-large" for a file over the size limit, else
/// "file-unreadable".
std::string_view unreadable_rule(std::string_view read_error);

/// A directory on disk. Symbolic links are not followed, on any component of a path, even one
/// swapped in while the audit runs (audited repositories are untrusted); `.git`, `target` and
/// `node_modules` directories are not listed; the listing keeps to the read budget
/// (source/budget.h).
class DirTree : public Tree {
public:
  explicit DirTree(std::filesystem::path root);
  ~DirTree() override;
  DirTree(const DirTree&) = delete;
  DirTree& operator=(const DirTree&) = delete;
  const std::vector<std::string>& files() const override { return files_; }
  std::optional<std::string> read(const std::string& path, std::string& error) const override;
  const std::vector<Diagnostic>& listing_diagnostics() const override { return diagnostics_; }
  const std::filesystem::path& root() const { return root_; }

private:
  std::filesystem::path root_;
  int root_fd_ = -1; // every file is opened below it
  std::vector<std::string> files_;
  std::vector<Diagnostic> diagnostics_;
};

/// Files held in memory: parse-from-string tests build repositories with it.
class MemoryTree : public Tree {
public:
  explicit MemoryTree(std::map<std::string, std::string> files);
  const std::vector<std::string>& files() const override { return names_; }
  std::optional<std::string> read(const std::string& path, std::string& error) const override;
  const std::vector<Diagnostic>& listing_diagnostics() const override { return diagnostics_; }

private:
  std::map<std::string, std::string> content_;
  std::vector<std::string> names_;
  std::vector<Diagnostic> diagnostics_;
};

} // namespace otelaudit
