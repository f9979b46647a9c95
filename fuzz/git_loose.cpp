// libFuzzer target: the bounded reader of loose git objects (lib/source/git_odb.cpp). The input
// is the content of one loose object file, the object of a fixed id in a bare repository made
// once in a temporary directory; each run opens the repository through open_audited_repository
// (so no object cache of libgit2 carries a result over) and reads the object's header, then
// the object. libFuzzer's timeout catches the endless loop libgit2 1.5.1 has on truncated
// streams (libgit2#7342) should the reader ever fall back to it.
#include <git2.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "fuzz_common.h"
#include "source/git_odb.h"
#include "source/git_tree.h"

using namespace otelaudit;

namespace {

// The blob "fn main() {}\n": a valid input (seeds hold one) reads back in full.
constexpr const char* kId = "f328e4d9d04c31d0d70d16d21a07d1613be9d577";
constexpr std::uintmax_t kLimit = 1 << 20;

struct Fixture {
  std::filesystem::path dir;
  std::filesystem::path object;
  git_oid id{};
  Fixture() {
    ensure_libgit2();
    std::string pattern = (std::filesystem::temp_directory_path() / "fuzz-git-XXXXXX").string();
    fuzz::check(::mkdtemp(pattern.data()) != nullptr, "mkdtemp");
    dir = pattern;
    git_repository* repo = nullptr;
    fuzz::check(git_repository_init(&repo, dir.c_str(), 1) == 0, "git_repository_init");
    git_repository_free(repo);
    git_oid_fromstr(&id, kId);
    object = dir / "objects" / std::string(kId, 2) / std::string(kId + 2);
    std::filesystem::create_directories(object.parent_path());
  }
  ~Fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  {
    std::ofstream out(fixture.object, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  std::string error;
  git_repository* repo = open_audited_repository(fixture.dir, kLimit, error);
  fuzz::check(repo != nullptr, "the fixture repository opens");
  git_odb* odb = nullptr;
  fuzz::check(git_repository_odb(&odb, repo) == 0, "its object database");

  std::size_t header_size = 0;
  git_object_t header_type = GIT_OBJECT_INVALID;
  const int header_rc = git_odb_read_header(&header_size, &header_type, odb, &fixture.id);
  git_odb_object* object = nullptr;
  const int rc = git_odb_read(&object, odb, &fixture.id);
  if (rc == 0) {
    // Read in full: the header agreed, the size is within the limit, the content is the id's.
    fuzz::check(header_rc == 0, "an object that reads has a header");
    fuzz::check(git_odb_object_size(object) == header_size, "size as its header says");
    fuzz::check(git_odb_object_type(object) == header_type, "type as its header says");
    fuzz::check(header_size <= kLimit, "no object over the limit is read");
    git_oid hashed;
    fuzz::check(git_odb_hash(&hashed, git_odb_object_data(object), git_odb_object_size(object),
                             git_odb_object_type(object)) == 0 &&
                    git_oid_equal(&hashed, &fixture.id),
                "the content hashes to its id");
    git_odb_object_free(object);
  } else {
    // Refused: as damaged (git-object-corrupt), as over the limit, or as an object of another
    // id; never as missing, since the file is there.
    fuzz::check(rc != GIT_ENOTFOUND, "an object file that is there is not missing");
    const git_error* e = git_error_last();
    fuzz::check(e && e->message && *e->message, "a refusal says why");
  }
  git_odb_free(odb);
  git_repository_free(repo);
  return 0;
}
