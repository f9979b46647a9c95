// Hostile repositories: what an audited repository can put in its files to make the audit read
// outside it, recurse without bound, or hold unbounded memory. Each test asserts the findings
// and that the audit completes; none asserts a timing.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "model/cargo/workspace.h"
#include "model/rust/facts.h"
#include "report/text.h"
#include "rules/ruleset.h"
#include "source/beneath.h"
#include "source/budget.h"
#include "source/file_limit.h"
#include "source/tree.h"
#include "support/memory.h"

using namespace otelaudit;
using otelaudit::testsupport::peak_growth_kb;
namespace fs = std::filesystem;

namespace {

/// A directory under the system temp directory, removed with everything in it at scope exit.
class TempDir {
public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("otel-audit-hostile-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

private:
  fs::path path_;
};

void write_file(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out << text;
}

const Ruleset& rules_027() {
  static const Ruleset rules = [] {
    RulesetResult r = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
    REQUIRE(r.ruleset.has_value());
    return *r.ruleset;
  }();
  return rules;
}

RepoResult audit_tree(const Tree& tree) {
  AuditResult result = run_audit({{"hostile", "hostile", &tree}}, rules_027());
  REQUIRE(result.repos.size() == 1);
  return result.repos.front();
}

/// "rule file:line:column message" of each finding, in report order.
std::vector<std::string> described(const RepoResult& repo) {
  std::vector<std::string> out;
  for (const Finding& f : repo.findings)
    out.push_back(f.rule + " " + f.loc.file + ":" + std::to_string(f.loc.line) + ":" +
                  std::to_string(f.loc.column) + " " + f.message);
  return out;
}

std::vector<std::string> rules_of(const RepoResult& repo) {
  std::vector<std::string> out;
  for (const Finding& f : repo.findings)
    out.push_back(f.rule);
  return out;
}

/// Lines joined, so a failed comparison prints both sides.
std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines)
    out += l + "\n";
  return out;
}

bool has_rule(const RepoResult& repo, const std::string& rule) {
  const std::vector<std::string> rules = rules_of(repo);
  return std::find(rules.begin(), rules.end(), rule) != rules.end();
}

const std::string kPackage = "[package]\nname = \"deep\"\nversion = \"0.1.0\"\n";

/// Restores the process-wide file size limit at scope exit.
struct FileLimitGuard {
  std::uintmax_t saved = max_file_size();
  ~FileLimitGuard() { set_max_file_size(saved); }
};

/// Sets the read budget for a scope and restores the one in force before.
struct BudgetGuard {
  ReadBudget saved = read_budget();
  explicit BudgetGuard(const ReadBudget& budget) { set_read_budget(budget); }
  ~BudgetGuard() { set_read_budget(saved); }
};

/// `n` directories named `d`, each inside the one before, below `root` (made with openat: the
/// path of the deepest one is far longer than PATH_MAX), with `file` and its text at the bottom.
void nest_directories(const fs::path& root, int n, const std::string& file,
                      const std::string& text) {
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY);
  REQUIRE(fd >= 0);
  for (int i = 0; i < n; ++i) {
    REQUIRE(::mkdirat(fd, "d", 0755) == 0);
    const int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY);
    ::close(fd);
    REQUIRE(next >= 0);
    fd = next;
  }
  const int out = ::openat(fd, file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::close(fd);
  REQUIRE(out >= 0);
  REQUIRE(::write(out, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  ::close(out);
}

/// Removes a tree too deep for std::filesystem (whose paths stop at PATH_MAX).
void remove_deep(const fs::path& dir) {
  const std::string command = "rm -rf '" + dir.string() + "'";
  REQUIRE(std::system(command.c_str()) == 0);
}

/// What `work` returns, computed in a child process (which may change its own limits).
template <class Work>
std::string in_child(Work work) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    std::string out;
    try {
      out = work();
    } catch (const std::exception& e) {
      out = std::string("exception: ") + e.what();
    }
    (void)!::write(fds[1], out.data(), out.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  ::waitpid(pid, nullptr, 0);
  return out;
}

} // namespace

TEST_CASE("hostile: symbolic links out of the repository are reported and never read") {
  TempDir tmp;
  const fs::path outside = tmp.path() / "outside";
  write_file(outside / "Cargo.toml", "[package]\nname = \"secret\"\nversion = \"1.0.0\"\n\n"
                                     "[dependencies]\nopentelemetry-jaeger = \"0.20\"\n");
  const fs::path repo = tmp.path() / "repo";
  write_file(repo / "Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
  fs::create_directories(repo / "crates" / "evil");
  fs::create_symlink(outside / "Cargo.toml", repo / "crates" / "evil" / "Cargo.toml");
  fs::create_directory_symlink(outside, repo / "crates" / "linked");
  fs::create_symlink("../../../../../../../../../etc/passwd", repo / "Cargo.lock");

  DirTree tree(repo);
  CHECK(joined(tree.files()) == joined({"Cargo.toml"}));
  std::string error;
  CHECK_FALSE(tree.read("crates/evil/Cargo.toml", error).has_value());
  CHECK(error == "not a listed file of the repository");
  CHECK_FALSE(tree.read("Cargo.lock", error).has_value());
  CHECK_FALSE(tree.read("crates/linked/Cargo.toml", error).has_value());
  CHECK_FALSE(tree.read("../outside/Cargo.toml", error).has_value());

  const RepoResult result = audit_tree(tree);
  const std::string skipped = " symbolic link not followed: audited repositories are untrusted";
  CHECK(joined(described(result)) ==
        joined({
            "symlink-skipped Cargo.lock:0:0" + skipped,
            "no-lockfile Cargo.toml:1:1 Cargo.lock could not be used (see its own finding): "
            "versions are judged from requirements alone",
            "workspace-member-missing Cargo.toml:2:12 workspace member glob \"crates/*\" "
            "matches no Cargo.toml",
            "symlink-skipped crates/evil/Cargo.toml:0:0" + skipped,
            "symlink-skipped crates/linked:0:0" + skipped,
        }));
  CHECK(result.sources.size() == 1);
  CHECK(result.sources.count("Cargo.toml") == 1);
}

TEST_CASE("hostile: a member glob and path dependencies that climb out of the root are "
          "path-outside-repo") {
  DirTree tree(fs::path(OTEL_AUDIT_SOURCE_DIR) / "fixtures" / "hostile" / "escape");
  const RepoResult result = audit_tree(tree);
  std::vector<std::string> outside;
  for (const std::string& d : described(result))
    if (d.starts_with("path-outside-repo")) outside.push_back(d);
  CHECK(joined(outside) ==
        joined({
            "path-outside-repo Cargo.toml:5:5 workspace member \"../../etc/*\" points outside "
            "the repository",
            "path-outside-repo Cargo.toml:6:5 workspace member \"../../../../../../../../..\" "
            "points outside the repository",
            "path-outside-repo Cargo.toml:10:19 path dependency \"passwd\" points outside the "
            "repository: \"/etc/passwd\"",
            "path-outside-repo crates/app/Cargo.toml:7:16 path dependency \"etc\" points "
            "outside the repository: \"../../../../etc\"",
            "path-outside-repo crates/app/Cargo.toml:8:19 path dependency \"shadow\" points "
            "outside the repository: \"../../../..//etc/shadow\"",
        }));
  // Only the repository's own files were read.
  for (const auto& [file, text] : result.sources)
    CHECK_MESSAGE(std::find(tree.files().begin(), tree.files().end(), file) != tree.files().end(),
                  file);
}

TEST_CASE("hostile: 10,000 levels of nested TOML are a located parse error, not a stack "
          "overflow") {
  const int n = 10000;
  std::string arrays = kPackage + "[package.metadata]\nx = ";
  arrays += std::string(n, '[') + std::string(n, ']') + "\n";
  std::string tables = kPackage + "[package.metadata]\nx = ";
  for (int i = 0; i < n; ++i)
    tables += "{a = ";
  tables += "1" + std::string(n, '}') + "\n";
  std::string header = kPackage + "[package.metadata";
  for (int i = 0; i < n; ++i)
    header += ".b";
  header += "]\nx = 1\n";
  // 100,000 dotted parts: 35,000 overflowed the 8 MB stack in toml++ 3.3.0 before the guard.
  std::string dotted = kPackage + "[package.metadata]\na";
  for (int i = 0; i < 10 * n; ++i)
    dotted += ".b";
  dotted += " = 1\n";

  const std::string message = " TOML nested deeper than 128 levels (tables, dotted keys, arrays)";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {arrays, "manifest-parse-error Cargo.toml:5:131" + message},
      {tables, "manifest-parse-error Cargo.toml:5:635" + message},
      {header, "manifest-parse-error Cargo.toml:4:270" + message},
      {dotted, "manifest-parse-error Cargo.toml:5:254" + message},
  };
  for (const auto& [text, expected] : cases) {
    MemoryTree tree({{"Cargo.toml", text}});
    const RepoResult result = audit_tree(tree);
    CHECK(joined(described(result)) == joined({expected}));
  }

  std::string lock = "version = 3\n\n[[package]]\nname = \"x\"\ndependencies = ";
  lock += std::string(n, '[') + "\n";
  MemoryTree tree({{"Cargo.toml", kPackage}, {"Cargo.lock", lock}});
  CHECK(joined(described(audit_tree(tree))) ==
        joined({"lockfile-parse-error Cargo.lock:5:143" + message,
                "no-lockfile Cargo.toml:1:1 Cargo.lock could not be used (see its own "
                "finding): versions are judged from requirements alone"}));
}

TEST_CASE("hostile: TOML nesting below the limit still parses") {
  std::string text = kPackage + "[package.metadata.a.b]\nc.d.e = ";
  text += std::string(100, '[') + std::string(100, ']') + "\n";
  MemoryTree tree({{"Cargo.toml", text}});
  const RepoResult result = audit_tree(tree);
  CHECK_FALSE(has_rule(result, "manifest-parse-error"));
  CHECK(joined(rules_of(result)) == joined({"no-lockfile"}));
}

TEST_CASE("hostile: a binary file named Cargo.toml is a parse error at its first NUL byte") {
  TempDir tmp;
  std::string elf("\x7f"
                  "ELF\x02\x01\x01",
                  7);
  elf += std::string(57, '\0') + "\xff\xfe binary";
  write_file(tmp.path() / "Cargo.toml", elf);
  write_file(tmp.path() / "Cargo.lock", std::string("\0\0\0\0", 4));
  DirTree tree(tmp.path());
  CHECK(joined(described(audit_tree(tree))) ==
        joined({
            "lockfile-parse-error Cargo.lock:1:1 NUL byte 0x00 in TOML text",
            "manifest-parse-error Cargo.toml:1:8 NUL byte 0x00 in TOML text",
        }));
}

TEST_CASE("hostile: a line of 10 MB is read, and a finding after it keeps its position") {
  TempDir tmp;
  const std::size_t mb10 = 10u << 20;
  write_file(tmp.path() / "a" / "Cargo.toml",
             "# " + std::string(mb10, 'x') + "\n" + kPackage +
                 "\n[dependencies]\nopentelemetry-jaeger = \"0.20\"\n");
  // A bare key of 10 MB with a non-ASCII byte at its end: the column counts every byte.
  write_file(tmp.path() / "b" / "Cargo.toml",
             "[package]\n" + std::string(mb10, 'x') + "\xc3\xa4 = 1\n");
  DirTree tree(tmp.path());
  const RepoResult result = audit_tree(tree);
  std::vector<std::string> located;
  for (const Finding& f : result.findings)
    located.push_back(f.rule + " " + f.loc.file + ":" + std::to_string(f.loc.line));
  CHECK(joined(located) == joined({
                               "no-lockfile a/Cargo.toml:2",
                               "deprecated-exporter a/Cargo.toml:7",
                               "manifest-parse-error b/Cargo.toml:2",
                           }));
  CHECK(described(result).back() ==
        "manifest-parse-error b/Cargo.toml:2:10485761 non-ASCII byte 0xC3 outside a string or "
        "comment (TOML bare keys are ASCII)");
}

TEST_CASE("hostile: a 200 MB Cargo.lock is not read and says so") {
  TempDir tmp;
  write_file(tmp.path() / "Cargo.toml", kPackage);
  { std::ofstream create(tmp.path() / "Cargo.lock"); }
  // Sparse: the file system stores no data for it, so the test costs no disk.
  fs::resize_file(tmp.path() / "Cargo.lock", std::uintmax_t{200} << 20);
  DirTree tree(tmp.path());
  CHECK(joined(tree.files()) == joined({"Cargo.toml"}));
  std::string error;
  CHECK_FALSE(tree.read("Cargo.lock", error).has_value());
  CHECK(joined(described(audit_tree(tree))) ==
        joined({
            "file-too-large Cargo.lock:0:0 file of 209715200 bytes not read (limit 16777216 "
            "bytes)",
            "no-lockfile Cargo.toml:1:1 Cargo.lock could not be used (see its own finding): "
            "versions are judged from requirements alone",
        }));
}

TEST_CASE("hostile: the file size limit applies at exactly its value") {
  FileLimitGuard guard;
  set_max_file_size(64);
  TempDir tmp;
  write_file(tmp.path() / "at-limit.rs", std::string(64, 'x'));
  write_file(tmp.path() / "over-limit.rs", std::string(65, 'x'));
  write_file(tmp.path() / "crates" / "big" / "Cargo.toml",
             kPackage + "description = \"" + std::string(64, 'd') + "\"\n");
  DirTree tree(tmp.path());
  CHECK(joined(tree.files()) == joined({"at-limit.rs"}));
  std::vector<std::string> diags;
  for (const Diagnostic& d : tree.listing_diagnostics())
    diags.push_back(d.rule + " " + d.loc.file + " " + d.message);
  std::sort(diags.begin(), diags.end());
  CHECK(joined(diags) ==
        joined({
            "file-too-large crates/big/Cargo.toml file of 123 bytes not read (limit 64 bytes)",
            "file-too-large over-limit.rs file of 65 bytes not read (limit 64 bytes)",
        }));
  set_max_file_size(kDefaultMaxFileSize);
  CHECK(DirTree(tmp.path()).files().size() == 3);
}

TEST_CASE("hostile: a FIFO named Cargo.lock is reported, not read (reading it would block)") {
  TempDir tmp;
  write_file(tmp.path() / "Cargo.toml", kPackage);
  REQUIRE(::mkfifo((tmp.path() / "Cargo.lock").c_str(), 0600) == 0);
  DirTree tree(tmp.path());
  CHECK(joined(tree.files()) == joined({"Cargo.toml"}));
  CHECK(joined(described(audit_tree(tree))) ==
        joined({"file-unreadable Cargo.lock:0:0 special file (FIFO, socket or device) not read",
                "no-lockfile Cargo.toml:1:1 Cargo.lock could not be used (see its own "
                "finding): versions are judged from requirements alone"}));
}

TEST_CASE("hostile: a Cargo.toml of 4 MB of quotes completes (the TOML guard was quadratic)") {
  // Each `"` of the run used to count the rest of the run: 200 KB took 3 s, 4 MB about 20 min.
  MemoryTree tree({{"Cargo.toml", "a = " + std::string(std::size_t{4} << 20, '"') + "\n"}});
  CHECK(joined(described(audit_tree(tree))) ==
        joined({"manifest-parse-error Cargo.toml:1:13 Error while parsing key-value pair: "
                "expected a comment or whitespace, saw '\"'"}));
}

TEST_CASE("hostile: a module whose file was skipped is not reported missing") {
  FileLimitGuard guard;
  set_max_file_size(64);
  TempDir tmp;
  write_file(tmp.path() / "Cargo.toml", kPackage);
  write_file(tmp.path() / "src" / "main.rs", "mod big;\nmod secret;\nmod gone;\nfn main() {}\n");
  write_file(tmp.path() / "src" / "big.rs", std::string(100, '/') + "\n");
  fs::create_symlink("/etc/passwd", tmp.path() / "src" / "secret.rs");
  DirTree tree(tmp.path());
  CHECK(joined(described(audit_tree(tree))) ==
        joined({
            "no-lockfile Cargo.toml:1:1 no Cargo.lock beside Cargo.toml: versions are judged from "
            "requirements alone",
            "file-too-large src/big.rs:0:0 file of 101 bytes not read (limit 64 bytes)",
            "module-not-found src/main.rs:3:5 module \"gone\" not found: expected src/gone.rs or "
            "src/gone/mod.rs",
            "symlink-skipped src/secret.rs:0:0 symbolic link not followed: audited repositories "
            "are untrusted",
        }));
}

TEST_CASE("hostile: 200,000 nested inline modules are facts linear in their number") {
  // Each `mod` used to copy the names of every inline module around it (up to the 256 levels
  // the walk tracks): this 1.4 MB file held 51 million strings, 1.6 GB.
  std::string text;
  for (int i = 0; i < 200000; ++i)
    text += "mod a {";
  text += "mod leaf;";
  const rust::FileFacts facts = rust::extract_facts(text);
  REQUIRE(facts.mods.size() == 200001);
  std::size_t stored_chars = 0, wrong_parent = 0;
  for (std::size_t k = 0; k < facts.mods.size(); ++k) {
    const rust::ModDecl& m = facts.mods[k];
    stored_chars += m.name.size() + (m.path_attr ? m.path_attr->size() : 0);
    // The module around it; beyond the tracked depth, the innermost tracked one.
    if (m.parent != static_cast<int>(std::min<std::size_t>(k, 256)) - 1) ++wrong_parent;
  }
  CHECK(stored_chars == 200000 + 4); // one name per module: "a" and "leaf"
  CHECK(wrong_parent == 0);
  CHECK(sizeof(rust::ModDecl) <= 128);

  // The module tree is built from the parent chain, once per distinct inline module.
  MemoryTree tree({{"Cargo.toml", kPackage}, {"src/lib.rs", text}});
  std::string dir = "src/";
  for (int i = 0; i < 256; ++i)
    dir += "a/";
  CHECK(joined(described(audit_tree(tree))) ==
        joined({"no-lockfile Cargo.toml:1:1 no Cargo.lock beside Cargo.toml: versions are judged "
                "from requirements alone",
                "module-not-found src/lib.rs:1:1400005 module \"leaf\" not found: expected " + dir +
                    "leaf.rs or " + dir + "leaf/mod.rs"}));
}

TEST_CASE("hostile: a 16 MiB .rs file of one-character tokens is lexed in bounded memory") {
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer's shadow memory and quarantine are no part of the tool's footprint.
  return;
#endif
  // The lexer kept a 32-byte Token per token for the whole file: 864 MB for this one (16 MiB,
  // the file size limit). Its code tokens now take 6 bytes each.
  const long growth = peak_growth_kb([] {
    const std::string text(std::size_t{16} << 20, ';');
    const rust::FileFacts facts = rust::extract_facts(text);
    if (facts.line_count != 1) throw std::runtime_error("wrong facts"); // measured as -1
  });
  REQUIRE(growth > 0);
  MESSAGE("peak growth " << growth << " kB");
  CHECK(growth < 200 * 1024); // the text itself included
}

TEST_CASE("hostile: a directory swapped for a link to outside after the listing is not read "
          "through") {
  // O_NOFOLLOW covers only the last component: with crates/ replaced by a link between the
  // listing and the reading, crates/app/Cargo.toml was read from the other directory.
  TempDir tmp;
  const fs::path outside = tmp.path() / "outside";
  write_file(outside / "app" / "Cargo.toml", "[package]\nname = \"secret\"\nversion = \"1.0.0\"\n");
  const fs::path repo = tmp.path() / "repo";
  write_file(repo / "Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
  write_file(repo / "crates" / "app" / "Cargo.toml", kPackage);
  DirTree tree(repo);
  REQUIRE(joined(tree.files()) == joined({"Cargo.toml", "crates/app/Cargo.toml"}));

  // The swap a concurrent writer can make while the audit runs.
  fs::rename(repo / "crates", repo / "crates.listed");
  fs::create_directory_symlink(outside, repo / "crates");
  std::string error;
  CHECK_FALSE(tree.read("crates/app/Cargo.toml", error).has_value());
  CHECK(error == "not read: a symbolic link replaced it or a directory on its path since it was "
                 "listed (links are not followed)");
  const RepoResult result = audit_tree(tree);
  CHECK(has_rule(result, "file-unreadable"));
  for (const auto& [file, text] : result.sources)
    CHECK_MESSAGE(text.find("secret") == std::string::npos, file);

  // Each way of opening refuses a link on any component, `..` and absolute paths.
  const int dir = ::open(repo.c_str(), O_RDONLY | O_DIRECTORY);
  REQUIRE(dir >= 0);
  for (BeneathMode mode : {BeneathMode::automatic, BeneathMode::walk}) {
    CAPTURE(static_cast<int>(mode));
    errno = 0;
    CHECK(open_beneath(dir, "crates/app/Cargo.toml", O_RDONLY, mode) == -1);
    CHECK(errno == ELOOP);
    CHECK(open_beneath(dir, "crates.listed/../crates/app/Cargo.toml", O_RDONLY, mode) == -1);
    CHECK(errno == EXDEV);
    CHECK(open_beneath(dir, "/etc/passwd", O_RDONLY, mode) == -1);
    CHECK(errno == EXDEV);
    CHECK(open_beneath(dir, "crates.listed//app/Cargo.toml", O_RDONLY, mode) == -1);
    CHECK(errno == EXDEV);
    const int fd = open_beneath(dir, "crates.listed/app/Cargo.toml", O_RDONLY, mode);
    CHECK(fd >= 0);
    char buf[9] = {};
    CHECK(::read(fd, buf, 9) == 9);
    CHECK(std::string(buf, 9) == "[package]");
    ::close(fd);
  }
  ::close(dir);
}

TEST_CASE("hostile: 10,000 nested directories stop at the depth budget, the rest is audited") {
#if defined(__SANITIZE_ADDRESS__)
  constexpr bool measure = false;
#else
  constexpr bool measure = true;
#endif
  TempDir tmp;
  const fs::path repo = tmp.path() / "repo";
  write_file(repo / "Cargo.toml", kPackage + "\n[dependencies]\nopentelemetry-jaeger = \"0.20\"\n");
  nest_directories(repo, 10000, "lib.rs", "fn deep() {}\n");
  // The directory listing kept a path and a directory stream for every level: 5 GB here.
  if (measure) {
    const long growth = peak_growth_kb([&] { (void)audit_tree(DirTree(repo)); });
    REQUIRE(growth > 0);
    MESSAGE("peak growth " << growth << " kB");
    CHECK(growth < 100 * 1024);
  }
  DirTree tree(repo);
  std::string depth128;
  for (int i = 0; i < 128; ++i)
    depth128 += i ? "/d" : "d";
  const RepoResult result = audit_tree(tree);
  CHECK(joined(rules_of(result)) ==
        joined({"no-lockfile", "deprecated-exporter", "repository-budget-exceeded"}));
  CHECK(described(result).back() ==
        "repository-budget-exceeded " + depth128 +
            ":0:0 repository budget \"depth\" of 128 levels reached: directory not listed");
  remove_deep(repo);
}

TEST_CASE("hostile: a listing past the entries or path bytes budget stops with a finding") {
  TempDir tmp;
  write_file(tmp.path() / "Cargo.toml", kPackage);
  for (int i = 0; i < 30; ++i)
    write_file(tmp.path() / "many" / ("f" + std::to_string(100 + i) + ".txt"), "x");
  {
    ReadBudget budget;
    budget.entries = 20;
    BudgetGuard guard(budget);
    DirTree tree(tmp.path());
    CHECK(tree.files().size() == 19); // Cargo.toml and 18 files of many/ (many/ is an entry)
    CHECK(joined(described(audit_tree(tree))) ==
          joined({"no-lockfile Cargo.toml:1:1 no Cargo.lock beside Cargo.toml: versions are "
                  "judged from requirements alone",
                  "repository-budget-exceeded many:0:0 repository budget \"entries\" of 20 "
                  "entries reached: the listing stopped here; the files not listed yet are not "
                  "audited"}));
  }
  {
    ReadBudget budget;
    budget.path_bytes = 100; // "Cargo.toml" and "many" are 14 bytes, each "many/f1NN.txt" 13
    BudgetGuard guard(budget);
    DirTree tree(tmp.path());
    CHECK(tree.files().size() == 7);
    CHECK(joined(rules_of(audit_tree(tree))) ==
          joined({"no-lockfile", "repository-budget-exceeded"}));
  }
}

TEST_CASE("hostile: eight 16 MiB files of NUL bytes get one finding each, in bounded memory") {
#if defined(__SANITIZE_ADDRESS__)
  constexpr bool measure = false;
#else
  constexpr bool measure = true;
#endif
  // The lexer stored a diagnostic per NUL byte (about 1 GB a file), the audit peaked above
  // 5 GB, an allocation failure in the facts extraction was swallowed so that the files past
  // the fifth got no finding at all, and the text report of one such file was 251 MB.
  TempDir tmp;
  write_file(tmp.path() / "Cargo.toml", kPackage);
  write_file(tmp.path() / "src" / "main.rs", "fn main() {}\n");
  for (int i = 1; i <= 8; ++i) {
    const fs::path file = tmp.path() / "src" / ("z" + std::to_string(i) + ".rs");
    { std::ofstream create(file); }
    fs::resize_file(file, std::uintmax_t{16} << 20); // sparse: reads as NUL bytes, costs no disk
  }
  if (measure) {
    const long growth = peak_growth_kb([&] {
      DirTree tree(tmp.path());
      (void)audit_tree(tree);
    });
    REQUIRE(growth > 0);
    MESSAGE("peak growth " << growth << " kB");
    CHECK(growth < 400 * 1024); // the files themselves, 16 MiB each, a few at a time
  }
  DirTree tree(tmp.path());
  AuditResult result = run_audit({{"hostile", "hostile", &tree}}, rules_027());
  std::vector<std::string> expected = {
      "no-lockfile Cargo.toml:1:1 no Cargo.lock beside Cargo.toml: versions are judged from "
      "requirements alone"};
  for (int i = 1; i <= 8; ++i)
    expected.push_back("source-lex-error src/z" + std::to_string(i) +
                       ".rs:0:0 binary content (a NUL byte at line 1, column 1): not Rust source "
                       "text, not analysed");
  CHECK(joined(described(result.repos.front())) == joined(expected));
  CHECK(result.repos.front().sources.size() == 1); // no binary text kept for the report
  CHECK(render_text(result, {}).size() < 4096);
}

TEST_CASE("hostile: an allocation failure while extracting a file's facts is a finding") {
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer reserves terabytes of address space: an address-space limit cannot work.
  return;
#endif
  // 16 MiB of `;` need about 100 MB of code tokens; the child may grow by 64 MB. The failure
  // used to be swallowed: the file had no finding and looked clean.
  (void)rules_027(); // loaded before the child limits itself
  const std::string found = in_child([] {
    MemoryTree tree(
        {{"Cargo.toml", kPackage}, {"src/main.rs", std::string(std::size_t{16} << 20, ';')}});
    // Every large block from mmap, which the limit counts: a free block of the heap, left by
    // the tests before, would otherwise serve the allocation that is meant to fail.
    ::mallopt(M_MMAP_THRESHOLD, 1 << 20);
    ::malloc_trim(0);
    const long size_kb = testsupport::status_kb("VmSize:");
    rlimit limit{};
    limit.rlim_cur = limit.rlim_max = static_cast<rlim_t>(size_kb + 64 * 1024) * 1024;
    if (size_kb <= 0 || ::setrlimit(RLIMIT_AS, &limit) != 0) return std::string("no limit");
    AuditPolicy policy;
    policy.jobs = 1;
    AuditResult result = run_audit({{"hostile", "hostile", &tree}}, rules_027(), policy);
    std::string out;
    for (const std::string& d : described(result.repos.front()))
      if (d.find("src/main.rs") != std::string::npos) out += d + "\n";
    return out;
  });
  CHECK(found == "file-unreadable src/main.rs:0:0 out of memory while extracting its facts: only "
                 "partly analysed\n");
}

TEST_CASE("hostile: 20,000 repeated workspace member globs are expanded once") {
#if defined(__SANITIZE_ADDRESS__)
  constexpr bool measure = false;
#else
  constexpr bool measure = true;
#endif
  // Each repeat was expanded again: 20,000 copies of 200 paths, and gigabytes with more crates.
  std::map<std::string, std::string> files;
  std::string members;
  for (int i = 0; i < 20000; ++i)
    members += i ? ", \"crates/*\"" : "\"crates/*\"";
  files["Cargo.toml"] = "[workspace]\nmembers = [" + members + "]\n";
  for (int i = 0; i < 200; ++i)
    files["crates/c" + std::to_string(i) + "/Cargo.toml"] =
        "[package]\nname = \"c" + std::to_string(i) + "\"\nversion = \"0.1.0\"\n";
  MemoryTree tree(files);
  if (measure) {
    const long growth = peak_growth_kb([&] { (void)load_cargo(tree); });
    REQUIRE(growth > 0);
    MESSAGE("peak growth " << growth << " kB");
    CHECK(growth < 64 * 1024);
  }
  const CargoModel cargo = load_cargo(tree);
  REQUIRE(cargo.workspaces.size() == 1);
  CHECK(cargo.workspaces[0].members.size() == 200);
  CHECK(cargo.diagnostics.empty());
}

TEST_CASE("hostile: member globs past the budget are a located finding, the rest is audited") {
  ReadBudget budget;
  budget.member_glob_tests = 1000;
  BudgetGuard guard(budget);
  std::map<std::string, std::string> files;
  std::string members = "\"crates/*\"";
  for (int i = 0; i < 20000; ++i)
    members += ", \"crates/c" + std::to_string(i) + "*\"";
  files["Cargo.toml"] = "[workspace]\nmembers = [" + members + "]\n";
  for (int i = 0; i < 200; ++i)
    files["crates/c" + std::to_string(i) + "/Cargo.toml"] =
        "[package]\nname = \"c" + std::to_string(i) + "\"\nversion = \"0.1.0\"\n";
  MemoryTree tree(files);
  const CargoModel cargo = load_cargo(tree);
  REQUIRE(cargo.workspaces.size() == 1);
  CHECK(cargo.workspaces[0].members.size() == 200); // the first glob found them all
  std::vector<std::string> diags;
  for (const Diagnostic& d : cargo.diagnostics)
    diags.push_back(d.rule + " " + d.loc.file + ":" + std::to_string(d.loc.line) + ":" +
                    std::to_string(d.loc.column) + " " + d.message);
  // 201 tests for each glob (the root and 200 crates): the fifth glob, "crates/c3*" at column
  // 66 of line 2, crosses 1000.
  CHECK(joined(diags) ==
        joined({"repository-budget-exceeded Cargo.toml:2:66 repository budget \"member globs\" "
                "of 1000 directory tests reached: this workspace member glob and the ones after "
                "it are not expanded"}));
}
