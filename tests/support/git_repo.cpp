#include "support/git_repo.h"

#include <git2.h>

#include <cstdlib>
#include <stdexcept>
#include <system_error>

#include "source/git_tree.h"

namespace otelaudit::testsupport {

namespace fs = std::filesystem;

namespace {

void check(int rc, const std::string& what) {
  if (rc >= 0) return;
  const git_error* e = git_error_last();
  throw std::runtime_error(what + ": " + (e && e->message ? e->message : "libgit2 error"));
}

git_oid parse_oid(const std::string& hex) {
  git_oid id;
  check(git_oid_fromstr(&id, hex.c_str()), "bad object id " + hex);
  return id;
}

std::string hex(const git_oid& id) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &id);
  return buf;
}

} // namespace

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "otel-audit-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

GitRepoBuilder::GitRepoBuilder(const fs::path& dir, bool bare) : dir_(dir) {
  ensure_libgit2();
  git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  opts.flags = GIT_REPOSITORY_INIT_MKPATH | (bare ? GIT_REPOSITORY_INIT_BARE : 0);
  opts.initial_head = "main";
  check(git_repository_init_ext(&repo_, dir.string().c_str(), &opts), "init " + dir.string());
}

GitRepoBuilder::~GitRepoBuilder() {
  git_repository_free(repo_);
}

std::string GitRepoBuilder::blob(const std::string& content) {
  git_oid id;
  check(git_blob_create_from_buffer(&id, repo_, content.data(), content.size()), "blob");
  return hex(id);
}

std::string GitRepoBuilder::write_tree(const std::map<std::string, GitEntry>& files) {
  std::map<std::string, std::map<std::string, GitEntry>> dirs;
  git_treebuilder* tb = nullptr;
  check(git_treebuilder_new(&tb, repo_, nullptr), "treebuilder");
  try {
    for (const auto& [path, entry] : files) {
      auto slash = path.find('/');
      if (slash != std::string::npos) {
        dirs[path.substr(0, slash)].emplace(path.substr(slash + 1), entry);
        continue;
      }
      git_oid id = entry.mode == GIT_FILEMODE_COMMIT ? parse_oid(entry.content)
                                                     : parse_oid(blob(entry.content));
      check(git_treebuilder_insert(nullptr, tb, path.c_str(), &id,
                                   static_cast<git_filemode_t>(entry.mode)),
            "insert " + path);
    }
    for (const auto& [name, sub] : dirs) {
      git_oid id = parse_oid(write_tree(sub));
      check(git_treebuilder_insert(nullptr, tb, name.c_str(), &id, GIT_FILEMODE_TREE),
            "insert " + name);
    }
    git_oid out;
    check(git_treebuilder_write(&out, tb), "write tree");
    git_treebuilder_free(tb);
    return hex(out);
  } catch (...) {
    git_treebuilder_free(tb);
    throw;
  }
}

std::string GitRepoBuilder::raw_tree(std::vector<RawTreeEntry> entries) {
  std::string data;
  for (const RawTreeEntry& e : entries) {
    git_oid id = parse_oid(e.id);
    data += e.mode + " " + e.name + '\0';
    data.append(reinterpret_cast<const char*>(id.id), GIT_OID_RAWSZ);
  }
  git_odb* odb = nullptr;
  check(git_repository_odb(&odb, repo_), "odb");
  git_oid out;
  int rc = git_odb_write(&out, odb, data.data(), data.size(), GIT_OBJECT_TREE);
  git_odb_free(odb);
  check(rc, "write raw tree");
  return hex(out);
}

std::string GitRepoBuilder::make_commit(const std::string& tree_id, const std::string& message,
                                        const std::string& update_ref) {
  git_tree* tree = nullptr;
  git_oid tid = parse_oid(tree_id);
  check(git_tree_lookup(&tree, repo_, &tid), "tree lookup");
  git_commit* parent = nullptr;
  git_oid pid;
  if (git_reference_name_to_id(&pid, repo_, update_ref.c_str()) == 0)
    check(git_commit_lookup(&parent, repo_, &pid), "parent lookup");
  clock_ += 60;
  git_signature* author = nullptr;
  git_signature* committer = nullptr;
  check(git_signature_new(&author, "Ada Author", "ada@example.com", clock_, 60), "author");
  check(git_signature_new(&committer, "Cy Committer", "cy@example.com", clock_, 60), "committer");
  git_oid out;
  const git_commit* parents[] = {parent};
  int rc = git_commit_create(&out, repo_, update_ref.c_str(), author, committer, nullptr,
                             message.c_str(), tree, parent ? 1 : 0, parents);
  git_signature_free(author);
  git_signature_free(committer);
  git_commit_free(parent);
  git_tree_free(tree);
  check(rc, "commit");
  return hex(out);
}

std::string GitRepoBuilder::commit(const std::map<std::string, GitEntry>& files,
                                   const std::string& message, const std::string& branch) {
  return make_commit(write_tree(files), message, branch.empty() ? "HEAD" : "refs/heads/" + branch);
}

std::string GitRepoBuilder::commit_tree(const std::string& tree_id, const std::string& message) {
  return make_commit(tree_id, message, "HEAD");
}

void GitRepoBuilder::tag_lightweight(const std::string& name, const std::string& rev) {
  git_object* target = nullptr;
  check(git_revparse_single(&target, repo_, rev.c_str()), "resolve " + rev);
  git_oid out;
  int rc = git_tag_create_lightweight(&out, repo_, name.c_str(), target, 0);
  git_object_free(target);
  check(rc, "tag " + name);
}

std::string GitRepoBuilder::tag_annotated(const std::string& name, const std::string& rev,
                                          const std::string& message) {
  git_object* target = nullptr;
  check(git_revparse_single(&target, repo_, rev.c_str()), "resolve " + rev);
  clock_ += 60;
  git_signature* tagger = nullptr;
  check(git_signature_new(&tagger, "Tia Tagger", "tia@example.com", clock_, 60), "tagger");
  git_oid out;
  int rc = git_tag_create(&out, repo_, name.c_str(), target, tagger, message.c_str(), 0);
  git_signature_free(tagger);
  git_object_free(target);
  check(rc, "tag " + name);
  return hex(out);
}

void GitRepoBuilder::delete_branch(const std::string& name) {
  // git_reference_delete rather than git_branch_delete: the latter's config cleanup leaks in
  // libgit2 1.5.1 (PCRE2 match data) and would fail sanitizer builds.
  git_reference* ref = nullptr;
  check(git_reference_lookup(&ref, repo_, ("refs/heads/" + name).c_str()), "branch " + name);
  int rc = git_reference_delete(ref);
  git_reference_free(ref);
  check(rc, "delete branch " + name);
}

fs::path GitRepoBuilder::loose_object_path(const std::string& id) const {
  return fs::path(git_repository_path(repo_)) / "objects" / id.substr(0, 2) / id.substr(2);
}

} // namespace otelaudit::testsupport
