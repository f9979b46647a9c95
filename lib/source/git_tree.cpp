#include "source/git_tree.h"

#include "common/paths.h"

#include <git2.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <set>
#include <tuple>
#include <utility>

namespace otelaudit {

namespace {

template <class T, void (*Free)(T*)>
struct GitFree {
  void operator()(T* p) const { Free(p); }
};
template <class T, void (*Free)(T*)>
using GitPtr = std::unique_ptr<T, GitFree<T, Free>>;

using RepoPtr = GitPtr<git_repository, git_repository_free>;
using ObjectPtr = GitPtr<git_object, git_object_free>;
using TreePtr = GitPtr<git_tree, git_tree_free>;
using BlobPtr = GitPtr<git_blob, git_blob_free>;
using RefIterPtr = GitPtr<git_reference_iterator, git_reference_iterator_free>;
using RefPtr = GitPtr<git_reference, git_reference_free>;
using CommitPtr = GitPtr<git_commit, git_commit_free>;

// A hostile repository can reuse one subtree many times over and make the listing explode;
// no real Rust repository comes near this many entries.
constexpr std::size_t kMaxEntries = 2'000'000;

std::string last_git_error() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

std::string hex(const git_oid& id) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &id);
  return buf;
}

std::string missing_object(const git_oid& id) {
  return "git object " + hex(id) + " is missing from the object database";
}

// Names git itself refuses to check out: they would write into .git or outside the root.
bool unsafe_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\\') != std::string::npos)
    return true;
  std::string lower;
  for (char c : name)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // Windows and macOS ignore trailing dots and spaces, and NTFS has 8.3 short names.
  while (!lower.empty() && (lower.back() == '.' || lower.back() == ' '))
    lower.pop_back();
  return lower == ".git" || lower == "git~1" || lower.rfind(".git:", 0) == 0;
}

bool skipped_directory(const std::string& name) {
  return name == "target" || name == "node_modules";
}

std::vector<std::string> ref_short_names(git_repository* repo) {
  std::vector<std::string> names;
  git_reference_iterator* raw = nullptr;
  if (git_reference_iterator_new(&raw, repo) < 0) return names;
  RefIterPtr it(raw);
  git_reference* ref = nullptr;
  while (git_reference_next(&ref, it.get()) == 0) {
    RefPtr owned(ref);
    std::string name = git_reference_name(ref);
    for (const char* prefix : {"refs/heads/", "refs/tags/", "refs/remotes/"}) {
      std::string p = prefix;
      if (name.rfind(p, 0) == 0) {
        std::string short_name = name.substr(p.size());
        if (short_name.size() < 5 || short_name.compare(short_name.size() - 5, 5, "/HEAD") != 0)
          names.push_back(short_name);
        break;
      }
    }
  }
  return names;
}

} // namespace

void ensure_libgit2() {
  struct Guard {
    Guard() { git_libgit2_init(); }
    ~Guard() { git_libgit2_shutdown(); }
  };
  static Guard guard;
}

std::vector<std::string> close_ref_names(const std::vector<std::string>& names,
                                         const std::string& name) {
  std::set<std::pair<std::size_t, std::string>> ranked;
  for (const std::string& candidate : names) {
    if (candidate == name || candidate.empty() || name.empty()) continue;
    std::size_t longer = std::max(candidate.size(), name.size());
    std::size_t shorter = std::min(candidate.size(), name.size());
    bool prefix = candidate.rfind(name, 0) == 0 || name.rfind(candidate, 0) == 0;
    std::size_t distance = longer - shorter > 2 ? 3 : edit_distance(candidate, name);
    if (distance <= 2 || prefix) ranked.insert({std::min<std::size_t>(distance, 3), candidate});
  }
  std::vector<std::string> out;
  for (const auto& [_, candidate] : ranked) {
    if (out.size() == 5) break;
    out.push_back(candidate);
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct GitTree::Impl {
  RepoPtr repo;
  std::map<std::string, git_oid> blobs;
  // libgit2 objects must not be used from two threads at once; reads may come in parallel.
  std::mutex mutex;
};

GitTree::GitTree() : impl_(std::make_unique<Impl>()) {}
GitTree::~GitTree() = default;

std::unique_ptr<GitTree> GitTree::open(const std::filesystem::path& repo_path,
                                       const std::string& rev, std::string& error) {
  ensure_libgit2();
  const std::string where = repo_path.string();
  git_repository* raw_repo = nullptr;
  // NO_SEARCH: the path the user gave is the repository; never climb into an enclosing one.
  if (git_repository_open_ext(&raw_repo, where.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) <
      0) {
    error = "cannot open git repository " + where + ": " + last_git_error();
    return nullptr;
  }
  RepoPtr repo(raw_repo);

  const std::string spec = rev.empty() ? "HEAD" : rev;
  git_object* raw_obj = nullptr;
  int rc = git_revparse_single(&raw_obj, repo.get(), spec.c_str());
  ObjectPtr obj(raw_obj);
  // `HEAD~3` through a commit whose object is gone also says "not found": name the object.
  const git_error* failure = rc < 0 ? git_error_last() : nullptr;
  if (rc == GIT_ENOTFOUND && failure && failure->klass == GIT_ERROR_ODB) {
    error = "cannot resolve \"" + spec + "\" in " + where + ": " + failure->message +
            " (an object on the way is missing: a shallow or damaged repository)";
    return nullptr;
  }
  if (rc == GIT_ENOTFOUND) {
    if (rev.empty() && git_repository_head_unborn(repo.get()) == 1) {
      error = "repository " + where + " has no commits";
      return nullptr;
    }
    error = "ref \"" + spec + "\" not found in " + where;
    std::vector<std::string> close = close_ref_names(ref_short_names(repo.get()), spec);
    if (!close.empty()) {
      error += " (close matches: ";
      for (std::size_t i = 0; i < close.size(); ++i)
        error += (i ? ", " : "") + close[i];
      error += ")";
    }
    return nullptr;
  }
  if (rc == GIT_EAMBIGUOUS) {
    error = "revision \"" + spec + "\" is ambiguous in " + where;
    return nullptr;
  }
  if (rc < 0) {
    error = "cannot resolve \"" + spec + "\" in " + where + ": " + last_git_error();
    return nullptr;
  }
  git_object* raw_commit = nullptr;
  if (git_object_peel(&raw_commit, obj.get(), GIT_OBJECT_COMMIT) < 0) {
    error = "\"" + spec + "\" names a " + git_object_type2string(git_object_type(obj.get())) +
            ", not a commit, in " + where;
    return nullptr;
  }
  ObjectPtr commit_obj(raw_commit);
  auto* commit = reinterpret_cast<git_commit*>(commit_obj.get());

  std::unique_ptr<GitTree> tree(new GitTree());
  tree->commit_id_ = hex(*git_commit_id(commit));
  if (const char* summary = git_commit_summary(commit)) tree->commit_summary_ = summary;
  tree->commit_time_ = static_cast<std::int64_t>(git_commit_time(commit));

  git_tree* raw_root = nullptr;
  rc = git_tree_lookup(&raw_root, repo.get(), git_commit_tree_id(commit));
  if (rc < 0) {
    error = rc == GIT_ENOTFOUND
                ? missing_object(*git_commit_tree_id(commit))
                : "cannot read the tree of commit " + tree->commit_id_ + ": " + last_git_error();
    return nullptr;
  }

  // An explicit stack instead of git_tree_walk: a missing subtree (partial copies) is
  // reported and skipped instead of aborting the whole listing, and depth costs no C stack.
  std::vector<std::pair<std::string, TreePtr>> pending;
  pending.emplace_back("", TreePtr(raw_root));
  std::size_t seen = 0;
  while (!pending.empty()) {
    auto [prefix, current] = std::move(pending.back());
    pending.pop_back();
    std::size_t count = git_tree_entrycount(current.get());
    for (std::size_t i = 0; i < count; ++i) {
      if (++seen > kMaxEntries) {
        tree->diagnostics_.push_back(
            {"file-unreadable",
             {prefix.empty() ? "." : prefix, 0, 0},
             "tree listing stopped after " + std::to_string(kMaxEntries) + " entries"});
        pending.clear();
        break;
      }
      const git_tree_entry* entry = git_tree_entry_byindex(current.get(), i);
      const std::string name = git_tree_entry_name(entry);
      const std::string path = prefix + name;
      if (unsafe_name(name)) {
        tree->diagnostics_.push_back(
            {"path-outside-repo",
             {path, 0, 0},
             "path skipped: it would leave the repository root or write into .git"});
        continue;
      }
      const git_oid* id = git_tree_entry_id(entry);
      switch (git_tree_entry_filemode(entry)) {
      case GIT_FILEMODE_TREE: {
        if (skipped_directory(name)) break;
        git_tree* raw_sub = nullptr;
        int sub_rc = git_tree_lookup(&raw_sub, repo.get(), id);
        if (sub_rc == GIT_ENOTFOUND) {
          tree->diagnostics_.push_back(
              {"git-object-missing", {path, 0, 0}, missing_object(*id) + "; directory not listed"});
          break;
        }
        if (sub_rc < 0) {
          tree->diagnostics_.push_back({"file-unreadable",
                                        {path, 0, 0},
                                        "cannot read git tree " + hex(*id) + ": " +
                                            last_git_error() + "; directory not listed"});
          break;
        }
        pending.emplace_back(path + "/", TreePtr(raw_sub));
        break;
      }
      case GIT_FILEMODE_BLOB:
      case GIT_FILEMODE_BLOB_EXECUTABLE:
        tree->impl_->blobs.emplace(path, *id);
        tree->files_.push_back(path);
        break;
      case GIT_FILEMODE_LINK:
        tree->diagnostics_.push_back(
            {"symlink-skipped",
             {path, 0, 0},
             "symbolic link not followed: audited repositories are untrusted"});
        break;
      case GIT_FILEMODE_COMMIT:
        tree->diagnostics_.push_back({"git-submodule-skipped",
                                      {path, 0, 0},
                                      "git submodule (commit " + hex(*id) + ") not followed"});
        break;
      default:
        break;
      }
    }
  }
  std::sort(tree->files_.begin(), tree->files_.end());
  tree->files_.erase(std::unique(tree->files_.begin(), tree->files_.end()), tree->files_.end());
  std::stable_sort(tree->diagnostics_.begin(), tree->diagnostics_.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.loc.file, a.rule) < std::tie(b.loc.file, b.rule);
                   });
  tree->impl_->repo = std::move(repo);
  return tree;
}

std::optional<std::string> GitTree::blob_id(const std::string& path) const {
  auto it = impl_->blobs.find(path);
  if (it == impl_->blobs.end()) return std::nullopt;
  return hex(it->second);
}

std::optional<std::string> GitTree::read(const std::string& path, std::string& error) const {
  auto it = impl_->blobs.find(path);
  if (it == impl_->blobs.end()) {
    error = "no such file";
    return std::nullopt;
  }
  std::lock_guard lock(impl_->mutex);
  git_blob* raw = nullptr;
  int rc = git_blob_lookup(&raw, impl_->repo.get(), &it->second);
  if (rc == GIT_ENOTFOUND) {
    error = missing_object(it->second);
    return std::nullopt;
  }
  if (rc < 0) {
    error = "cannot read git object " + hex(it->second) + ": " + last_git_error();
    return std::nullopt;
  }
  BlobPtr blob(raw);
  const char* data = static_cast<const char*>(git_blob_rawcontent(blob.get()));
  return std::string(data, static_cast<std::size_t>(git_blob_rawsize(blob.get())));
}

std::optional<std::vector<CommitInfo>> first_parent_history(const std::filesystem::path& repo_path,
                                                            const std::string& rev,
                                                            std::size_t max_count,
                                                            std::int64_t since, std::string& error,
                                                            std::string* ended) {
  // Resolving through GitTree gives the same errors (missing ref, close matches) as check.
  auto start = GitTree::open(repo_path, rev, error);
  if (!start) return std::nullopt;
  git_repository* raw_repo = nullptr;
  if (git_repository_open_ext(&raw_repo, repo_path.string().c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH,
                              nullptr) < 0) {
    error = "cannot open git repository " + repo_path.string() + ": " + last_git_error();
    return std::nullopt;
  }
  RepoPtr repo(raw_repo);
  // Walked by hand, parent by parent: a revision walker stops at the first missing object as
  // if the history ended there, and says nothing.
  std::vector<CommitInfo> out;
  git_oid id;
  if (git_oid_fromstr(&id, start->commit_id().c_str()) < 0) {
    error = "cannot walk the history of " + repo_path.string() + ": " + last_git_error();
    return std::nullopt;
  }
  while (max_count == 0 || out.size() < max_count) {
    git_commit* raw_commit = nullptr;
    if (git_commit_lookup(&raw_commit, repo.get(), &id) < 0) {
      if (ended)
        *ended = "the history ends at commit " + hex(id) +
                 ", whose object is missing from the object database (a shallow or damaged "
                 "repository)";
      break;
    }
    CommitPtr commit(raw_commit);
    CommitInfo info;
    info.id = hex(id);
    if (const char* summary = git_commit_summary(commit.get())) info.summary = summary;
    info.time = static_cast<std::int64_t>(git_commit_time(commit.get()));
    if (since > 0 && info.time < since) break;
    out.push_back(std::move(info));
    if (git_commit_parentcount(commit.get()) == 0) break;
    git_oid_cpy(&id, git_commit_parent_id(commit.get(), 0));
  }
  return out;
}

} // namespace otelaudit
