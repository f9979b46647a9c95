// Hostile git repositories: objects that make libgit2 loop or allocate without bound, a `.git`
// file or alternates that lead to another repository, and trees built to explode the listing. Each
// case is built in a temporary directory (with libgit2 through GitRepoBuilder, or byte by byte
// where libgit2 refuses to write it) and the behaviour is asserted; none asserts a timing.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/audit.h"
#include "rules/ruleset.h"
#include "source/budget.h"
#include "source/file_limit.h"
#include "source/git_tree.h"
#include "support/cli_run.h"
#include "support/git_repo.h"
#include "support/memory.h"

using namespace otelaudit;
using namespace otelaudit::testsupport;
namespace fs = std::filesystem;

namespace {

const std::string kManifest = "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n"
                              "[dependencies]\nopentelemetry = \"0.21\"\n";

/// The CLI run from `cwd`'s point of view does not matter: every path is absolute.
CliRun run(const std::string& args) {
  return run_cli(args, "CI=true NO_COLOR=1");
}

std::string quoted(const fs::path& p) {
  return "'" + p.string() + "'";
}

const Ruleset& rules_027() {
  static const Ruleset rules = [] {
    RulesetResult r = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
    REQUIRE(r.ruleset.has_value());
    return *r.ruleset;
  }();
  return rules;
}

/// "rule file:line:column message" of each finding of the one repository audited.
std::vector<std::string> described(const Tree& tree) {
  AuditResult result = run_audit({{"hostile", "hostile", &tree}}, rules_027());
  std::vector<std::string> out;
  for (const Finding& f : result.repos.front().findings)
    out.push_back(f.rule + " " + f.loc.file + ":" + std::to_string(f.loc.line) + ":" +
                  std::to_string(f.loc.column) + " " + f.message);
  return out;
}

bool has_prefix(const std::vector<std::string>& lines, const std::string& prefix) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.rfind(prefix, 0) == 0; });
}

/// A loose object file of the repository made writable, so that a test can damage it.
fs::path writable(const fs::path& file) {
  fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
  return file;
}

/// `data` compressed as git stores a loose object.
std::string deflated(const std::string& data) {
  uLongf size = compressBound(data.size());
  std::string out(size, '\0');
  REQUIRE(compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                    reinterpret_cast<const Bytef*>(data.data()), data.size(), 6) == Z_OK);
  out.resize(size);
  return out;
}

void write_bytes(const fs::path& file, const std::string& data) {
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << data;
}

/// Writes at `file` a loose object whose zlib stream inflates to "blob <zeros>\0" and that many
/// NUL bytes, valid to its checksum, in a few megabytes and milliseconds: after a full flush
/// every megabyte of zeros compresses to the same bytes, so one compressed megabyte is
/// repeated and the Adler-32 of the whole is combined from its parts. (Its name is not its
/// SHA-1, which would take hashing all of it; nothing that refuses to read it can tell.)
void write_zero_blob(const fs::path& file, std::uint64_t zeros) {
  constexpr std::size_t kMiB = 1 << 20;
  REQUIRE(zeros % kMiB == 0);
  const std::string header = "blob " + std::to_string(zeros) + std::string(1, '\0');
  const std::vector<unsigned char> chunk(kMiB, 0);
  z_stream zs{};
  REQUIRE(deflateInit(&zs, Z_BEST_COMPRESSION) == Z_OK);
  auto step = [&zs](const unsigned char* in, std::size_t n, int flush) {
    std::string out;
    zs.next_in = const_cast<unsigned char*>(in);
    zs.avail_in = static_cast<uInt>(n);
    unsigned char buf[1 << 16];
    do {
      zs.next_out = buf;
      zs.avail_out = sizeof buf;
      deflate(&zs, flush);
      out.append(reinterpret_cast<char*>(buf), sizeof buf - zs.avail_out);
    } while (zs.avail_out == 0 || zs.avail_in > 0);
    return out;
  };
  std::string data =
      step(reinterpret_cast<const unsigned char*>(header.data()), header.size(), Z_FULL_FLUSH);
  const std::string first = step(chunk.data(), kMiB, Z_FULL_FLUSH);
  const std::string second = step(chunk.data(), kMiB, Z_FULL_FLUSH);
  const std::string third = step(chunk.data(), kMiB, Z_FULL_FLUSH);
  REQUIRE(second == third);
  data += first;
  for (std::uint64_t i = 1; i < zeros / kMiB; ++i)
    data += second;
  std::string end = step(nullptr, 0, Z_FINISH);
  deflateEnd(&zs);
  REQUIRE(end.size() >= 4);
  uLong adler = adler32(1, reinterpret_cast<const Bytef*>(header.data()), header.size());
  const uLong chunk_adler = adler32(1, chunk.data(), kMiB);
  for (std::uint64_t i = 0; i < zeros / kMiB; ++i)
    adler = adler32_combine(adler, chunk_adler, kMiB);
  end.resize(end.size() - 4);
  for (int shift : {24, 16, 8, 0})
    end += static_cast<char>((adler >> shift) & 0xFF);
  write_bytes(file, data + end);
}

/// A repository whose main holds kManifest, src/main.rs (`main_rs`) and src/lib.rs.
struct AppRepo {
  TempDir tmp;
  fs::path dir;
  std::string commit, main_rs_id;
  explicit AppRepo(const std::string& main_rs) : dir(tmp.path() / "repo") {
    GitRepoBuilder repo(dir);
    commit = repo.commit({{"Cargo.toml", kManifest.c_str()},
                          {"src/main.rs", main_rs.c_str()},
                          {"src/lib.rs", "pub fn f() {}\n"}},
                         "app");
    main_rs_id = repo.blob(main_rs);
  }
  fs::path loose(const std::string& id) const {
    return dir / ".git" / "objects" / id.substr(0, 2) / id.substr(2);
  }
};

/// Source text that compresses to a few hundred bytes at least.
std::string varied_source() {
  std::string text = "fn main() {\n";
  for (int i = 0; i < 400; ++i)
    text += "    let v" + std::to_string(i) + " = " + std::to_string(i * 7919 % 1000) + ";\n";
  return text + "}\n";
}

} // namespace
TEST_CASE("hostile git: a truncated loose object is a git-object-corrupt finding, not an endless "
          "loop") {
  // libgit2 1.5.1 retried inflate for ever on a stream cut short (libgit2#7342): check, scan
  // and history spun at 100% CPU. --timeout 60 only guards the test against that old hang.
  const std::string source = varied_source();
  AppRepo app(source);
  const fs::path file = writable(app.loose(app.main_rs_id));
  REQUIRE(fs::file_size(file) > 200);
  fs::resize_file(file, 100);

  const std::string prefix = "cannot read: git object " + app.main_rs_id +
                             " is corrupt: truncated: its compressed data ends after ";
  const std::string suffix = " of its " + std::to_string(source.size()) + " bytes";
  CliRun r = run("check --ref main --format json --fail-on none --timeout 60 " + quoted(app.dir));
  REQUIRE(r.code == 0);
  const auto report = nlohmann::json::parse(r.out);
  bool corrupt = false, judged = false;
  for (const auto& f : report["repos"][0]["findings"]) {
    const std::string message = f["message"];
    if (f["rule"] == "git-object-corrupt" && f["file"] == "src/main.rs" &&
        message.rfind(prefix, 0) == 0 && message.ends_with(suffix))
      corrupt = true;
    if (f["rule"] == "otel-version-behind") judged = true; // the rest is still audited
  }
  CHECK(corrupt);
  CHECK(judged);

  r = run("scan --ref main --timeout 60 " + quoted(app.dir));
  CHECK(r.code == 0);
  CHECK(r.out.find("\"git-object-corrupt\"") != std::string::npos);
  r = run("history --timeout 60 " + quoted(app.dir));
  CHECK(r.code == 0);
  CHECK(r.err == "");
}

TEST_CASE("hostile git: damaged loose objects of every shape are corrupt, never read") {
  const std::string source = varied_source();
  AppRepo app(source);
  const fs::path file = writable(app.loose(app.main_rs_id));
  struct Case {
    std::string name;
    std::string bytes; // the loose file's new content; empty: a FIFO instead of a file
    std::string why;
  };
  const std::string body = "fn main() {}\n";
  const std::vector<Case> cases = {
      // libgit2 1.5.1 copied the body into a buffer sized from the header: out of bounds
      // (libgit2#7177).
      {"header understates", deflated("blob 4" + std::string(1, '\0') + body),
       "longer than its header says"},
      {"header overstates", deflated("blob 99" + std::string(1, '\0') + body),
       "shorter than its header says (13 of 99 bytes)"},
      {"no zlib", "blob 13" + std::string(1, '\0') + body,
       "not a valid zlib stream (incorrect header check)"},
      {"trailing data", deflated("blob 13" + std::string(1, '\0') + body) + "junk",
       "data after the end of its compressed stream"},
      {"no type", deflated("blub 13" + std::string(1, '\0') + body),
       "a header naming no object type"},
      {"bad size", deflated("blob 1x" + std::string(1, '\0') + body),
       "a header whose size is not a number"},
      {"endless header", deflated(std::string(100, 'b')),
       "a header longer than any object type and size"},
      // A read of a FIFO blocks until a writer comes: for ever.
      {"fifo", "", "not a regular file (a FIFO, socket or device)"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    fs::remove(file);
    if (c.bytes.empty())
      REQUIRE(::mkfifo(file.c_str(), 0644) == 0);
    else
      write_bytes(file, c.bytes);
    std::string error;
    auto tree = GitTree::open(app.dir, "main", error);
    REQUIRE(tree);
    CHECK_FALSE(tree->read("src/main.rs", error).has_value());
    CHECK(error == "git object " + app.main_rs_id + " is corrupt: " + c.why);
    CHECK(unreadable_rule(error) == "git-object-corrupt");
    CHECK(tree->read("src/lib.rs", error) == std::optional<std::string>("pub fn f() {}\n"));
  }
  // Content that inflates well but is not what its id says: libgit2's hash check.
  fs::remove(file);
  write_bytes(file, deflated("blob 13" + std::string(1, '\0') + body));
  std::string error;
  auto tree = GitTree::open(app.dir, "main", error);
  REQUIRE(tree);
  CHECK_FALSE(tree->read("src/main.rs", error).has_value());
  CHECK(error.rfind("git object " + app.main_rs_id + " is corrupt: object hash mismatch", 0) == 0);
}

TEST_CASE("hostile git: a damaged commit is named, in check and in history") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "repo";
  std::string first, second;
  {
    GitRepoBuilder repo(dir);
    first = repo.commit({{"Cargo.toml", kManifest.c_str()}}, "one");
    second = repo.commit({{"Cargo.toml", kManifest.c_str()}, {"README", "x\n"}}, "two");
  }
  const fs::path loose = dir / ".git" / "objects" / first.substr(0, 2) / first.substr(2);
  fs::resize_file(writable(loose), 30);
  CliRun r = run("check --timeout 60 --ref main~1 " + quoted(dir));
  CHECK(r.code == 2);
  CHECK(r.err.rfind("otel-audit: error: cannot resolve \"main~1\" in " + dir.string() +
                        ": loose object " + first + " is corrupt: truncated: ",
                    0) == 0);
  r = run("history --format json --timeout 60 " + quoted(dir));
  REQUIRE(r.code == 0);
  const auto trend = nlohmann::json::parse(r.out);
  CHECK(trend["commits"].size() == 1);
  CHECK(trend["ended"].get<std::string>().rfind("the history ends at commit " + first +
                                                    ", whose object cannot be read (git object " +
                                                    first + " is corrupt: truncated: ",
                                                0) == 0);
}

TEST_CASE("hostile git: a .git file or link to another repository is refused, one inside is "
          "fine") {
  TempDir tmp;
  const fs::path victim = tmp.path() / "victim";
  std::string secret_commit;
  {
    GitRepoBuilder repo(victim);
    secret_commit = repo.commit(
        {{"Cargo.toml", "[package]\nname = \"victim-secret\"\nversion = \"1.0.0\"\n"}}, "secret");
  }
  const fs::path repo = tmp.path() / "repo";
  fs::create_directories(repo);
  write_bytes(repo / ".git", "gitdir: " + (victim / ".git").string() + "\n");
  const std::string refused =
      "otel-audit: error: cannot open git repository " + repo.string() +
      ": its .git file points to " + (victim / ".git").string() +
      ", outside the audited directory (an audited repository may not make otel-audit read "
      "another one: audit that repository by its own path)\n";
  for (const char* command : {"check --ref main", "scan --ref main", "history"}) {
    CAPTURE(command);
    CliRun r = run(std::string(command) + " --timeout 60 " + quoted(repo));
    CHECK(r.code == 2);
    CHECK(r.out == "");
    CHECK(r.err == refused);
  }
  // A relative gitdir that climbs out, and a .git that is a link: the same.
  write_bytes(repo / ".git", "gitdir: ../victim/.git\n");
  CHECK(run("check --ref main " + quoted(repo))
            .err.find("its .git file points to ../victim/.git, "
                      "outside the audited directory") != std::string::npos);
  fs::remove(repo / ".git");
  fs::create_directory_symlink(victim / ".git", repo / ".git");
  CliRun r = run("check --ref main " + quoted(repo));
  CHECK(r.code == 2);
  CHECK(r.err == "otel-audit: error: cannot open git repository " + repo.string() +
                     ": its git directory is " + fs::canonical(victim / ".git").string() +
                     ", outside the audited directory (an audited repository may not make "
                     "otel-audit read another one: audit that repository by its own path)\n");

  // Alternates: objects/info/alternates naming the other repository's objects.
  const fs::path borrower = tmp.path() / "borrower";
  {
    GitRepoBuilder b(borrower);
    b.commit({{"Cargo.toml", kManifest.c_str()}}, "own");
  }
  write_bytes(borrower / ".git" / "objects" / "info" / "alternates",
              (victim / ".git" / "objects").string() + "\n");
  r = run("check --ref main " + quoted(borrower));
  CHECK(r.code == 2);
  CHECK(r.err == "otel-audit: error: cannot open git repository " + borrower.string() + ": " +
                     fs::canonical(borrower / ".git" / "objects").string() +
                     "/info/alternates names " + (victim / ".git" / "objects").string() +
                     ", outside the audited directory (an audited repository may not make "
                     "otel-audit read another one)\n");

  // A git directory inside the audited one, as a worktree or submodule has: audited.
  fs::remove(repo / ".git");
  fs::create_directories(repo / "meta");
  fs::copy(victim / ".git", repo / "meta" / "git", fs::copy_options::recursive);
  write_bytes(repo / ".git", "gitdir: meta/git\n");
  r = run("check --ref main --format json --fail-on none " + quoted(repo));
  CHECK(r.code == 0);
  CHECK(nlohmann::json::parse(r.out)["repos"][0]["commit"] == secret_commit);
}

TEST_CASE("hostile git: a few hundred KB of tree that repeats long names 40 levels deep stops at "
          "the path bytes budget") {
#if defined(__SANITIZE_ADDRESS__)
  constexpr bool measure = false;
#else
  constexpr bool measure = true;
#endif
  // Each level holds two entries of 251-character names pointing at the level below: 2^40
  // paths of 10 KB. The listing ran for minutes and past 9 GB before std::bad_alloc.
  TempDir tmp;
  const fs::path dir = tmp.path() / "bomb";
  {
    GitRepoBuilder repo(dir);
    std::string level = repo.raw_tree({{"100644", "leaf.rs", repo.blob("fn leaf() {}\n")}});
    for (int i = 0; i < 40; ++i)
      level = repo.raw_tree({{"40000", std::string(250, 'a') + "1", level},
                             {"40000", std::string(250, 'a') + "2", level}});
    const std::string root =
        repo.raw_tree({{"100644", "Cargo.toml", repo.blob(kManifest)}, {"40000", "bomb", level}});
    repo.commit_tree(root, "bomb");
  }
  std::uintmax_t objects = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir / ".git" / "objects"))
    if (e.is_regular_file()) objects += e.file_size();
  CHECK(objects < 64 * 1024);
  if (measure) {
    const long growth = peak_growth_kb([&] {
      std::string error;
      auto tree = GitTree::open(dir, "", error);
      if (!tree) throw std::runtime_error(error);
      (void)described(*tree);
    });
    REQUIRE(growth > 0);
    MESSAGE("peak growth " << growth << " kB");
    CHECK(growth < 400 * 1024);
  }
  std::string error;
  auto tree = GitTree::open(dir, "", error);
  REQUIRE(tree);
  const std::vector<std::string> found = described(*tree);
  CHECK(has_prefix(found, "otel-version-behind Cargo.toml:6:17 "));
  std::size_t budget = 0;
  for (const std::string& f : found)
    if (f.rfind("repository-budget-exceeded bomb/", 0) == 0 &&
        f.ends_with(" repository budget \"path bytes\" of 67108864 bytes reached: the listing "
                    "stopped here; the files not listed yet are not audited"))
      ++budget;
  CHECK(budget == 1);
}

TEST_CASE("hostile git: 10,000 nested directories stop at the depth budget") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "deep";
  {
    GitRepoBuilder repo(dir);
    std::string level = repo.raw_tree({{"100644", "lib.rs", repo.blob("fn deep() {}\n")}});
    for (int i = 0; i < 10000; ++i)
      level = repo.raw_tree({{"40000", "d", level}});
    repo.commit_tree(
        repo.raw_tree({{"100644", "Cargo.toml", repo.blob(kManifest)}, {"40000", "d", level}}),
        "deep");
  }
  std::string error;
  auto tree = GitTree::open(dir, "", error);
  REQUIRE(tree);
  CHECK(tree->files() == std::vector<std::string>{"Cargo.toml"});
  std::string depth129 = "d";
  for (int i = 1; i < 128; ++i)
    depth129 += "/d";
  REQUIRE(tree->listing_diagnostics().size() == 1);
  const Diagnostic& d = tree->listing_diagnostics().front();
  CHECK(d.rule == "repository-budget-exceeded");
  CHECK(d.loc.file == depth129);
  CHECK(d.message == "repository budget \"depth\" of 128 levels reached: directory not listed");
}

TEST_CASE("hostile git: a blob over the file size limit is file-too-large, never inflated") {
#if defined(__SANITIZE_ADDRESS__)
  constexpr bool measure = false;
#else
  constexpr bool measure = true;
#endif
  AppRepo app("fn main() {}\n");
  // A 3 GiB blob of zeros in place of src/main.rs: libgit2 allocated and inflated all of it.
  const fs::path file = writable(app.loose(app.main_rs_id));
  fs::remove(file);
  write_zero_blob(file, std::uint64_t{3} << 30);
  CHECK(fs::file_size(file) < 8 << 20);
  const std::string expected = "file-too-large src/main.rs:0:0 cannot read: file of 3221225472 "
                               "bytes not read (limit 16777216 bytes)";
  if (measure) {
    const long growth = peak_growth_kb([&] {
      std::string error;
      auto tree = GitTree::open(app.dir, "main", error);
      if (!tree) throw std::runtime_error(error);
      if (!has_prefix(described(*tree), expected)) throw std::runtime_error("no finding");
    });
    REQUIRE(growth > 0);
    MESSAGE("peak growth " << growth << " kB");
    CHECK(growth < 100 * 1024);
  }
  std::string error;
  auto tree = GitTree::open(app.dir, "main", error);
  REQUIRE(tree);
  CHECK(has_prefix(described(*tree), expected));
  CHECK(has_prefix(described(*tree), "otel-version-behind Cargo.toml:6:17 "));

  // The limit the directory reader applies, at its value: a real blob one byte over it.
  const std::uintmax_t saved = max_file_size();
  set_max_file_size(1 << 20);
  TempDir tmp;
  {
    GitRepoBuilder repo(tmp.path() / "r");
    repo.commit({{"at.rs", std::string(1 << 20, '/').c_str()},
                 {"over.rs", std::string((1 << 20) + 1, '/').c_str()}},
                "sizes");
  }
  auto sized = GitTree::open(tmp.path() / "r", "", error);
  set_max_file_size(saved);
  REQUIRE(sized);
  set_max_file_size(1 << 20);
  CHECK(sized->read("at.rs", error).has_value());
  CHECK_FALSE(sized->read("over.rs", error).has_value());
  set_max_file_size(saved);
  CHECK(error == "file of 1048577 bytes not read (limit 1048576 bytes)");
  CHECK(unreadable_rule(error) == "file-too-large");
}

TEST_CASE("hostile git: the entries budget stops a git listing with a finding") {
  TempDir tmp;
  std::map<std::string, GitEntry> files;
  for (int i = 0; i < 30; ++i)
    files.emplace("f" + std::to_string(100 + i) + ".rs", "fn f() {}\n");
  {
    GitRepoBuilder repo(tmp.path() / "r");
    repo.commit(files, "many");
  }
  const ReadBudget saved = read_budget();
  ReadBudget budget;
  budget.entries = 10;
  set_read_budget(budget);
  std::string error;
  auto tree = GitTree::open(tmp.path() / "r", "", error);
  set_read_budget(saved);
  REQUIRE(tree);
  CHECK(tree->files().size() == 10);
  REQUIRE(tree->listing_diagnostics().size() == 1);
  CHECK(tree->listing_diagnostics().front().loc.file == ".");
  CHECK(tree->listing_diagnostics().front().message ==
        "repository budget \"entries\" of 10 entries reached: the listing stopped here; the files "
        "not listed yet are not audited");
}

TEST_CASE("hostile git: --timeout ends a read blocked inside libgit2 and names where it was") {
  // A FIFO where libgit2 expects the branch main: libgit2 opens refs without O_NONBLOCK, and
  // open(2) of a FIFO waits for a writer, for ever. No call of libgit2 can be interrupted;
  // --timeout ends the run (exit 3) and says which repository and what it was reading.
  AppRepo app("fn main() {}\n");
  const fs::path ref = app.dir / ".git" / "refs" / "heads" / "main";
  REQUIRE(fs::is_regular_file(ref));
  fs::remove(ref);
  REQUIRE(::mkfifo(ref.c_str(), 0644) == 0);
  const std::string stopped = "otel-audit: error: the run did not finish within 1 s and was "
                              "stopped (raise the limit with --timeout SECONDS, 0 for none); "
                              "under way: resolving \"main\" in " +
                              app.dir.string() + "\n";
  for (const char* command : {"check --ref main", "scan --ref main", "history --ref main"}) {
    CAPTURE(command);
    CliRun r = run(std::string(command) + " --timeout 1 " + quoted(app.dir));
    CHECK(r.code == 3);
    CHECK(r.out == "");
    CHECK(r.err == stopped);
  }
}
