#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "report/output.h"

using namespace otelaudit;
namespace fs = std::filesystem;

namespace {

// A fresh, empty directory removed again when the test ends.
struct ScratchDir {
  fs::path path;
  ScratchDir() {
    static int n = 0;
    path = fs::temp_directory_path() /
           ("otel-audit-output-test." + std::to_string(::getpid()) + "." + std::to_string(n++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

} // namespace

TEST_CASE("report output: writes a new file and leaves nothing else") {
  ScratchDir dir;
  std::string error;
  CHECK(write_file_atomically(dir.path / "report.json", "{}\n", error));
  CHECK(error.empty());
  CHECK(slurp(dir.path / "report.json") == "{}\n");
  CHECK(dir.entries() == std::vector<std::string>{"report.json"});
}

TEST_CASE("report output: replaces an existing file whole") {
  ScratchDir dir;
  { std::ofstream(dir.path / "report.md") << "an older, much longer report than the new one\n"; }
  std::string error;
  CHECK(write_file_atomically(dir.path / "report.md", "new\n", error));
  CHECK(slurp(dir.path / "report.md") == "new\n");
  CHECK(dir.entries() == std::vector<std::string>{"report.md"});
  CHECK(write_file_atomically(dir.path / "report.md", "", error));
  CHECK(slurp(dir.path / "report.md") == "");
}

TEST_CASE("report output: a missing directory is an error naming the path") {
  ScratchDir dir;
  const fs::path target = dir.path / "missing" / "report.json";
  std::string error;
  CHECK_FALSE(write_file_atomically(target, "{}\n", error));
  CHECK(error == "cannot write " + target.string() + ": No such file or directory");
  CHECK(dir.entries().empty());
}

TEST_CASE("report output: a failed rename removes the temporary file") {
  ScratchDir dir;
  fs::create_directories(dir.path / "report.json" / "inside");
  std::string error;
  CHECK_FALSE(write_file_atomically(dir.path / "report.json", "{}\n", error));
  CHECK(error == "cannot write " + (dir.path / "report.json").string() + ": Is a directory");
  CHECK(dir.entries() == std::vector<std::string>{"report.json"});
  CHECK(fs::is_directory(dir.path / "report.json" / "inside"));
}

TEST_CASE("report output: a path without a file name is refused") {
  ScratchDir dir;
  std::string error;
  const fs::path target = dir.path.string() + "/";
  CHECK_FALSE(write_file_atomically(target, "x", error));
  CHECK(error == "cannot write " + target.string() + ": Is a directory");
  CHECK(dir.entries().empty());
}

TEST_CASE("report output: a pipe or device is written as it is, never replaced") {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("otel-audit-fifo-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path fifo = dir / "report.fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::string received;
  std::thread reader([&] {
    std::ifstream in(fifo, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    received = ss.str();
  });
  std::string error;
  CHECK(write_file_atomically(fifo, "{\"schema\": \"otel-audit/v1\"}\n", error));
  reader.join();
  CHECK(received == "{\"schema\": \"otel-audit/v1\"}\n");
  CHECK(fs::is_fifo(fifo)); // still the pipe, not a regular file renamed over it
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
  fs::remove_all(dir);
}
