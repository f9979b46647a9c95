#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

struct git_repository;

namespace otelaudit::testsupport {

/// A fresh directory under the system temporary directory, removed with its content when the
/// object goes away, so tests leave nothing behind.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

/// One tree entry: file content, a symbolic link's target or (mode 0160000) a submodule's
/// commit id in hex.
struct GitEntry {
  GitEntry(const char* c) : content(c) {}
  GitEntry(std::string c, unsigned m = 0100644) : content(std::move(c)), mode(m) {}
  std::string content;
  unsigned mode = 0100644;
};

/// A raw tree entry written without libgit2's name checks, to build hostile trees.
struct RawTreeEntry {
  std::string mode; // octal as git writes it: "100644", "40000", "120000"
  std::string name;
  std::string id; // 40 hex
};

/// Builds a git repository with libgit2 (no `git` binary, no global config involved): fixed
/// author, committer and dates, initial branch `main`, so object ids are the same on every run.
class GitRepoBuilder {
public:
  explicit GitRepoBuilder(const std::filesystem::path& dir, bool bare = false);
  ~GitRepoBuilder();
  GitRepoBuilder(const GitRepoBuilder&) = delete;
  GitRepoBuilder& operator=(const GitRepoBuilder&) = delete;

  /// Commits `files` as the whole tree on `branch` (empty: the branch HEAD points to), with
  /// that branch's tip as parent; returns the commit id.
  std::string commit(const std::map<std::string, GitEntry>& files, const std::string& message,
                     const std::string& branch = "");
  /// Commits an existing tree (see raw_tree) on HEAD.
  std::string commit_tree(const std::string& tree_id, const std::string& message);
  /// Writes a tree object byte for byte, bypassing libgit2's name validation.
  std::string raw_tree(std::vector<RawTreeEntry> entries);
  std::string blob(const std::string& content);
  void tag_lightweight(const std::string& name, const std::string& rev);
  /// Returns the id of the tag object.
  std::string tag_annotated(const std::string& name, const std::string& rev,
                            const std::string& message);
  void delete_branch(const std::string& name);
  /// Where a loose object lives on disk.
  std::filesystem::path loose_object_path(const std::string& id) const;
  const std::filesystem::path& path() const { return dir_; }

private:
  std::string write_tree(const std::map<std::string, GitEntry>& files);
  std::string make_commit(const std::string& tree_id, const std::string& message,
                          const std::string& update_ref);

  std::filesystem::path dir_;
  git_repository* repo_ = nullptr;
  std::int64_t clock_ = 1700000000; // 2023-11-14, advanced one minute per object
};

} // namespace otelaudit::testsupport
