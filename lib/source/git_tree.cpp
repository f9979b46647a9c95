#include "source/git_tree.h"

#include "common/paths.h"
#include "source/activity.h"
#include "source/budget.h"
#include "source/file_limit.h"
#include "source/git_odb.h"

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
using RefIterPtr = GitPtr<git_reference_iterator, git_reference_iterator_free>;
using RefPtr = GitPtr<git_reference, git_reference_free>;
using CommitPtr = GitPtr<git_commit, git_commit_free>;
using OdbPtr = GitPtr<git_odb, git_odb_free>;
using OdbObjectPtr = GitPtr<git_odb_object, git_odb_object_free>;

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

/// Why the object `id` could not be read, after a libgit2 call returned `rc`: missing, corrupt
/// (unreadable_rule tells these two apart by the text) or otherwise unreadable.
std::string read_failure(int rc, const git_oid& id) {
  if (rc == GIT_ENOTFOUND) return missing_object(id);
  std::string reason = last_git_error();
  if (!git_object_corrupt(rc)) return "cannot read git object " + hex(id) + ": " + reason;
  const std::string own = "loose object " + hex(id) + " is corrupt: ";
  if (reason.rfind(own, 0) == 0) reason.erase(0, own.size());
  return "git object " + hex(id) + " is corrupt: " + reason;
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
  OdbPtr odb;
  std::map<std::string, git_oid> blobs;
  std::string where; // the repository's path, for ReadingNow
  // libgit2 objects must not be used from two threads at once; reads may come in parallel.
  std::mutex mutex;
};

GitTree::GitTree() : impl_(std::make_unique<Impl>()) {}
GitTree::~GitTree() = default;

std::unique_ptr<GitTree> GitTree::open(const std::filesystem::path& repo_path,
                                       const std::string& rev, std::string& error) {
  ensure_libgit2();
  const std::string where = repo_path.string();
  const std::uintmax_t limit = max_file_size();
  std::optional<ReadingNow> now(std::in_place, "opening git repository " + where);
  RepoPtr repo(open_audited_repository(repo_path, limit, error));
  if (!repo) return nullptr;
  git_odb* raw_odb = nullptr;
  if (git_repository_odb(&raw_odb, repo.get()) < 0) {
    error = "cannot open git repository " + where + ": " + last_git_error();
    return nullptr;
  }
  OdbPtr odb(raw_odb);

  const std::string spec = rev.empty() ? "HEAD" : rev;
  now.emplace("resolving \"" + spec + "\" in " + where);
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

  now.emplace("listing the tree of commit " + tree->commit_id_ + " in " + where);
  // The header first: a tree object may claim gigabytes.
  std::size_t size = 0;
  git_object_t type = GIT_OBJECT_INVALID;
  git_tree* raw_root = nullptr;
  rc = git_odb_read_header(&size, &type, odb.get(), git_commit_tree_id(commit));
  if (rc == 0 && size > limit) {
    error = "cannot read the tree of commit " + tree->commit_id_ + ": " +
            budget_exceeded("file size", limit, "bytes",
                            "its root tree object is " + std::to_string(size) + " bytes");
    return nullptr;
  }
  if (rc == 0) rc = git_tree_lookup(&raw_root, repo.get(), git_commit_tree_id(commit));
  if (rc < 0) {
    error = rc == GIT_ENOTFOUND || git_object_corrupt(rc)
                ? read_failure(rc, *git_commit_tree_id(commit))
                : "cannot read the tree of commit " + tree->commit_id_ + ": " + last_git_error();
    return nullptr;
  }

  // An explicit stack instead of git_tree_walk: a missing subtree (partial copies) is
  // reported and skipped instead of aborting the whole listing, and depth costs no C stack.
  // The budgets are checked entry by entry: a tree whose entries all point at one subtree lists
  // 2^depth paths from a few hundred bytes, so the listing must stop before memory does.
  const ReadBudget budget = read_budget();
  struct Pending {
    std::string prefix;
    std::size_t depth = 0; // of the entries in `tree`
    TreePtr tree;
  };
  std::vector<Pending> pending;
  pending.push_back({"", 1, TreePtr(raw_root)});
  std::size_t entries = 0;
  std::size_t path_bytes = 0;
  // A listing that reaches the entries or path bytes budget stops where it is.
  auto stop = [&](const std::string& prefix, const char* name, std::size_t value,
                  const char* unit) {
    tree->diagnostics_.push_back(
        {kBudgetRule,
         {prefix.empty() ? "." : prefix.substr(0, prefix.size() - 1), 0, 0},
         budget_exceeded(name, value, unit,
                         "the listing stopped here; the files not listed yet are not audited")});
    pending.clear();
  };
  while (!pending.empty()) {
    Pending current = std::move(pending.back());
    pending.pop_back();
    const std::string& prefix = current.prefix;
    std::size_t count = git_tree_entrycount(current.tree.get());
    for (std::size_t i = 0; i < count; ++i) {
      const git_tree_entry* entry = git_tree_entry_byindex(current.tree.get(), i);
      const std::string name = git_tree_entry_name(entry);
      if (++entries > budget.entries) {
        stop(prefix, "entries", budget.entries, "entries");
        break;
      }
      if ((path_bytes += prefix.size() + name.size()) > budget.path_bytes) {
        stop(prefix, "path bytes", budget.path_bytes, "bytes");
        break;
      }
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
        if (current.depth + 1 > budget.depth) {
          tree->diagnostics_.push_back(
              {kBudgetRule,
               {path, 0, 0},
               budget_exceeded("depth", budget.depth, "levels", "directory not listed")});
          break;
        }
        ReadingNow reading("reading git tree " + hex(*id) + " (" + path + "/) in " + where);
        int sub_rc = git_odb_read_header(&size, &type, odb.get(), id);
        if (sub_rc == 0 && size > limit) {
          tree->diagnostics_.push_back(
              {kBudgetRule,
               {path, 0, 0},
               budget_exceeded("file size", limit, "bytes",
                               "git tree " + hex(*id) + " is " + std::to_string(size) +
                                   " bytes; directory not listed")});
          break;
        }
        git_tree* raw_sub = nullptr;
        if (sub_rc == 0) sub_rc = git_tree_lookup(&raw_sub, repo.get(), id);
        if (sub_rc < 0) {
          const std::string why = read_failure(sub_rc, *id);
          tree->diagnostics_.push_back(
              {std::string(unreadable_rule(why)), {path, 0, 0}, why + "; directory not listed"});
          break;
        }
        pending.push_back({path + "/", current.depth + 1, TreePtr(raw_sub)});
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
  tree->impl_->odb = std::move(odb);
  tree->impl_->where = where;
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
  ReadingNow reading("reading " + path + " (git object " + hex(it->second) + ") in " +
                     impl_->where);
  // The size from the header before the content: a blob over the file size limit is
  // file-too-large, as on disk, and never inflated.
  std::size_t size = 0;
  git_object_t type = GIT_OBJECT_INVALID;
  int rc = git_odb_read_header(&size, &type, impl_->odb.get(), &it->second);
  if (rc < 0) {
    error = read_failure(rc, it->second);
    return std::nullopt;
  }
  const std::uintmax_t limit = max_file_size();
  if (size > limit) {
    error = file_too_large(size, limit);
    return std::nullopt;
  }
  git_odb_object* raw = nullptr;
  rc = git_odb_read(&raw, impl_->odb.get(), &it->second);
  if (rc < 0) {
    error = read_failure(rc, it->second);
    return std::nullopt;
  }
  OdbObjectPtr object(raw);
  const char* data = static_cast<const char*>(git_odb_object_data(object.get()));
  return std::string(data, git_odb_object_size(object.get()));
}

std::optional<std::vector<CommitInfo>> first_parent_history(const std::filesystem::path& repo_path,
                                                            const std::string& rev,
                                                            std::size_t max_count,
                                                            std::int64_t since, std::string& error,
                                                            std::string* ended) {
  // Resolving through GitTree gives the same errors (missing ref, close matches) as check.
  auto start = GitTree::open(repo_path, rev, error);
  if (!start) return std::nullopt;
  ReadingNow reading("walking the first-parent history of commit " + start->commit_id() + " in " +
                     repo_path.string());
  RepoPtr repo(open_audited_repository(repo_path, max_file_size(), error));
  if (!repo) return std::nullopt;
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
    if (int rc = git_commit_lookup(&raw_commit, repo.get(), &id); rc < 0) {
      if (ended)
        *ended = rc == GIT_ENOTFOUND
                     ? "the history ends at commit " + hex(id) +
                           ", whose object is missing from the object database (a shallow or "
                           "damaged repository)"
                     : "the history ends at commit " + hex(id) + ", whose object cannot be read (" +
                           read_failure(rc, id) + ")";
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
