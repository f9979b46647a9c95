// Runs that share one --cache-dir, as parallel CI jobs on one machine do: they take turns on
// each cached URL (a lock file beside the copy), and none leaves a temporary clone behind, not
// even one ended by a watchdog or killed. Every case is built in a temporary directory with a
// local repository served by file:// URL or a socket that never answers; none asserts a timing.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "source/remote.h"
#include "support/cli_run.h"
#include "support/git_repo.h"

extern char** environ;

using namespace otelaudit;
using namespace otelaudit::testsupport;
namespace fs = std::filesystem;

namespace {

const char* const kManifest = "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n"
                              "[dependencies]\nopentelemetry = \"0.27\"\n";

/// otel-audit started in the background with CI=true, its output going to files.
class Background {
public:
  Background(const std::vector<std::string>& args, const fs::path& dir)
      : out_(dir / "out"), err_(dir / "err") {
    fs::create_directories(dir);
    std::vector<std::string> words{OTEL_AUDIT_BINARY};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& w : words)
      argv.push_back(w.data());
    argv.push_back(nullptr);
    std::vector<std::string> env{"CI=true", "NO_COLOR=1"};
    for (char** e = environ; *e; ++e)
      env.emplace_back(*e);
    std::vector<char*> envp;
    for (std::string& e : env)
      envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(rc == 0);
  }
  ~Background() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  pid_t pid() const { return pid_; }

  /// True once the process has ended (then wait() returns at once).
  bool ended() {
    if (pid_ <= 0) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
    pid_ = 0;
    code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return true;
  }

  CliRun wait() {
    if (pid_ > 0) {
      int status = 0;
      REQUIRE(::waitpid(pid_, &status, 0) == pid_);
      pid_ = 0;
      code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    return {code_, read_file(out_), read_file(err_)};
  }

private:
  pid_t pid_ = 0;
  int code_ = -1;
  fs::path out_, err_;
};

/// Whether the process `pid` has `file` open.
bool has_open(pid_t pid, const fs::path& file) {
  std::error_code ec;
  for (const auto& fd : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    std::error_code lec;
    if (fs::read_symlink(fd.path(), lec) == file) return true;
  }
  return false;
}

/// The names of the temporary clones left in `cache`.
std::vector<std::string> temporaries(const fs::path& cache) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(cache, ec))
    if (e.path().filename().string().rfind(".tmp-", 0) == 0)
      out.push_back(e.path().filename().string());
  return out;
}

/// A loopback port that completes the TCP handshake (the kernel does it) and never answers.
class SilentServer {
public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 4) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    url_ = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/x.git";
  }
  ~SilentServer() { ::close(fd_); }
  const std::string& url() const { return url_; }

private:
  int fd_ = -1;
  std::string url_;
};

void write_text(const fs::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
}

/// A word of the shell command line run_cli runs (std::quoted would be found for a string).
std::string shell_word(const std::string& s) {
  return "'" + s + "'";
}

} // namespace

TEST_CASE("hostile cache: a run waits its turn while another fetches the same URL") {
  // Parallel runs fetching one URL into one cache failed about one time in 25 on the cached
  // copy's HEAD.lock, which libgit2 takes while it moves HEAD. Here the other run is this test:
  // it holds the URL's lock and, as a fetch under way does, the copy's HEAD.lock.
  TempDir tmp;
  std::string first;
  {
    GitRepoBuilder upstream(tmp.path() / "upstream");
    first = upstream.commit({{"Cargo.toml", kManifest}}, "one");
  }
  const std::string url = "file://" + (tmp.path() / "upstream").string();
  const fs::path cache = tmp.path() / "cache";
  CliRun clone = run_cli("check --format json --fail-on none --cache-dir " +
                             shell_word(cache.string()) + " " + shell_word(url),
                         "CI=true");
  REQUIRE(clone.code == 0);
  const fs::path copy = cache / cache_key(url);
  const fs::path lock_file = cache / (cache_key(url) + ".lock");
  REQUIRE(fs::is_regular_file(lock_file));
  std::string second;
  {
    GitRepoBuilder upstream(tmp.path() / "upstream");
    second = upstream.commit({{"Cargo.toml", kManifest}, {"README", "two\n"}}, "two");
  }

  const int lock = ::open(lock_file.c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(lock >= 0);
  REQUIRE(::flock(lock, LOCK_EX) == 0);
  write_text(copy / "HEAD.lock", "ref: refs/heads/main\n");
  Background run(
      {"check", "--format", "json", "--fail-on", "none", "--cache-dir", cache.string(), url},
      tmp.path() / "run");
  // It opens the lock file and waits; before the lock existed it went on and failed on
  // HEAD.lock ("failed to lock file … HEAD.lock for writing").
  const fs::path lock_path = fs::canonical(lock_file);
  while (!run.ended() && !has_open(run.pid(), lock_path))
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const bool waited = !run.ended();
  CHECK(waited);
  // The other run finishes: its HEAD.lock goes, then its lock.
  fs::remove(copy / "HEAD.lock");
  ::close(lock);
  CliRun r = run.wait();
  CHECK(r.code == 0);
  CHECK(r.err == "");
  if (r.code == 0) CHECK(nlohmann::json::parse(r.out)["repos"][0]["commit"] == second);
  CHECK(temporaries(cache).empty());
}

TEST_CASE("hostile cache: eight runs cloning, then fetching, one URL into one cache all succeed") {
  TempDir tmp;
  const fs::path upstream_dir = tmp.path() / "upstream";
  std::string tip;
  {
    GitRepoBuilder upstream(upstream_dir);
    tip = upstream.commit({{"Cargo.toml", kManifest}}, "one");
  }
  const std::string url = "file://" + upstream_dir.string();
  const fs::path cache = tmp.path() / "cache";
  for (int round = 0; round < 3; ++round) {
    CAPTURE(round);
    if (round > 0) {
      GitRepoBuilder upstream(upstream_dir);
      tip = upstream.commit({{"Cargo.toml", kManifest}, {"README", std::to_string(round)}},
                            "round " + std::to_string(round));
    }
    std::vector<std::unique_ptr<Background>> runs;
    for (int i = 0; i < 8; ++i)
      runs.push_back(std::make_unique<Background>(
          std::vector<std::string>{"check", "--format", "json", "--fail-on", "none", "--cache-dir",
                                   cache.string(), url},
          tmp.path() / ("run-" + std::to_string(round) + "-" + std::to_string(i))));
    for (auto& run : runs) {
      CliRun r = run->wait();
      CHECK(r.code == 0);
      CHECK(r.err == "");
      if (r.code == 0) CHECK(nlohmann::json::parse(r.out)["repos"][0]["commit"] == tip);
    }
  }
  CHECK(temporaries(cache).empty());
}

TEST_CASE("hostile cache: a temporary clone of a run that was killed goes with the next run") {
  TempDir tmp;
  {
    GitRepoBuilder upstream(tmp.path() / "upstream");
    upstream.commit({{"Cargo.toml", kManifest}}, "one");
  }
  const std::string url = "file://" + (tmp.path() / "upstream").string();
  const fs::path cache = tmp.path() / "cache";
  const std::string key = cache_key(url);
  // What a run killed with SIGKILL in the middle of its clone leaves; and a directory of the
  // same prefix that no run of this URL makes, which is not this run's to remove.
  const std::string killed = ".tmp-" + key + "-4242-123456";
  const std::string other = ".tmp-" + key + "-other-1-2";
  fs::create_directories(cache / killed / "objects" / "pack");
  fs::create_directories(cache / other);
  CliRun r = run_cli("check --fail-on none --cache-dir " + shell_word(cache.string()) + " " +
                         shell_word(url),
                     "CI=true");
  CHECK(r.code == 0);
  CHECK(temporaries(cache) == std::vector<std::string>{other});
}

TEST_CASE("hostile cache: a clone ended by --network-timeout or --timeout leaves no temporary "
          "clone") {
  SilentServer server;
  TempDir tmp;
  const fs::path cache = tmp.path() / "cache";
  CliRun r = run_cli("check --network-timeout 1 --cache-dir " + shell_word(cache.string()) + " " +
                         server.url(),
                     "CI=true");
  CHECK(r.code == 3);
  CHECK(r.err.find("no data from " + server.url() + " for 1 s: giving up") != std::string::npos);
  CHECK(temporaries(cache).empty());

  r = run_cli("check --network-timeout 0 --timeout 1 --cache-dir " + shell_word(cache.string()) +
                  " " + server.url(),
              "CI=true");
  CHECK(r.code == 3);
  CHECK(r.out == "");
  const std::string stopped = "otel-audit: error: the run did not finish within 1 s and was "
                              "stopped (raise the limit with --timeout SECONDS, 0 for none); "
                              "under way: cloning " +
                              server.url() + " into " +
                              (cache / (".tmp-" + cache_key(server.url()) + "-")).string();
  CHECK(r.err.rfind(stopped, 0) == 0);
  CHECK(temporaries(cache).empty());
}
