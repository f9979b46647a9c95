// fix --write below the cli: every file or none, never through a symbolic link.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>

#include "fix/write.h"
#include "support/cli_run.h"
#include "support/git_repo.h"

using namespace otelaudit::fix;
namespace fs = std::filesystem;
using otelaudit::testsupport::read_file;
using otelaudit::testsupport::TempDir;

namespace {

void put(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

std::size_t entries(const fs::path& dir) {
  std::size_t n = 0;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
       ++it)
    ++n;
  return n;
}

} // namespace

TEST_CASE("write: all files are replaced, keeping their permissions") {
  TempDir tmp;
  put(tmp.path() / "Cargo.toml", "a = 1\n");
  put(tmp.path() / "crates/x/Cargo.toml", "b = 1\n");
  fs::permissions(tmp.path() / "crates/x/Cargo.toml", fs::perms(0640));
  std::string error;
  REQUIRE_MESSAGE(write_all({{tmp.path(), "Cargo.toml", "a = 1\n", "a = 2\n"},
                             {tmp.path(), "crates/x/Cargo.toml", "b = 1\n", "b = 2\n"}},
                            error),
                  error);
  CHECK(read_file(tmp.path() / "Cargo.toml") == "a = 2\n");
  CHECK(read_file(tmp.path() / "crates/x/Cargo.toml") == "b = 2\n");
  CHECK((fs::status(tmp.path() / "crates/x/Cargo.toml").permissions() & fs::perms::all) ==
        fs::perms(0640));
  CHECK(entries(tmp.path()) == 4); // no temporary file left
}

TEST_CASE("write: a file changed since it was read stops every write") {
  TempDir tmp;
  put(tmp.path() / "Cargo.toml", "a = 1\n");
  put(tmp.path() / "b/Cargo.toml", "b = 1 # edited meanwhile\n");
  std::string error;
  CHECK_FALSE(write_all({{tmp.path(), "Cargo.toml", "a = 1\n", "a = 2\n"},
                         {tmp.path(), "b/Cargo.toml", "b = 1\n", "b = 2\n"}},
                        error));
  CHECK(error ==
        (tmp.path() / "b/Cargo.toml").string() + " changed since it was read: nothing was written");
  CHECK(read_file(tmp.path() / "Cargo.toml") == "a = 1\n");
  CHECK(read_file(tmp.path() / "b/Cargo.toml") == "b = 1 # edited meanwhile\n");
  CHECK(entries(tmp.path()) == 3);
}

TEST_CASE("write: never through a symbolic link, nor to something that is not a file") {
  TempDir tmp, outside;
  put(outside.path() / "Cargo.toml", "x = 1\n");
  fs::create_directory_symlink(outside.path(), tmp.path() / "linked");
  fs::create_symlink(outside.path() / "Cargo.toml", tmp.path() / "Cargo.toml");
  std::string error;
  CHECK_FALSE(write_all({{tmp.path(), "linked/Cargo.toml", "x = 1\n", "x = 2\n"}}, error));
  CHECK(error == (tmp.path() / "linked").string() + " is a symbolic link: it is not followed");
  CHECK_FALSE(write_all({{tmp.path(), "Cargo.toml", "x = 1\n", "x = 2\n"}}, error));
  CHECK(error == (tmp.path() / "Cargo.toml").string() + " is a symbolic link: it is not followed");
  CHECK_FALSE(write_all({{tmp.path(), "../x/Cargo.toml", "x = 1\n", "x = 2\n"}}, error));
  CHECK(read_file(outside.path() / "Cargo.toml") == "x = 1\n");
  fs::create_directory(tmp.path() / "dir");
  fs::create_directory(tmp.path() / "dir/Cargo.toml");
  CHECK_FALSE(write_all({{tmp.path(), "dir/Cargo.toml", "", "x"}}, error));
  CHECK(error.starts_with("cannot read " + (tmp.path() / "dir/Cargo.toml").string()));
}

TEST_CASE("write: outside any git work tree nothing is uncommitted") {
  TempDir tmp;
  put(tmp.path() / "Cargo.toml", "a = 1\n");
  std::string error;
  // The system temporary directory is in no work tree on the machines the suite runs on.
  CHECK(uncommitted(tmp.path(), {"Cargo.toml"}, error).empty());
  CHECK(error.empty());
}
