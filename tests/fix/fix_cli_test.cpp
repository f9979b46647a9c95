// `otel-audit fix` end to end, on every fixture repository: the golden patch, that `git apply`
// (and `patch -p1`) take it, that --write writes exactly it, that `check` then finds none of the
// manifest problems the fix handles except those it said it left, that a second run changes
// nothing, and that every manifest still parses (and satisfies `cargo metadata` where Cargo is
// installed).
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "audit/audit.h"
#include "fix/fix.h"
#include "golden.h"
#include "rules/context.h"
#include "source/tree.h"
#include "support/cli_run.h"
#include "support/git_repo.h"

using namespace otelaudit;
namespace fs = std::filesystem;
using otelaudit::testsupport::CliRun;
using otelaudit::testsupport::read_file;
using otelaudit::testsupport::TempDir;

namespace {

const fs::path kSource = OTEL_AUDIT_SOURCE_DIR;

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// Runs a shell command in `dir`, capturing its exit code and both streams.
CliRun sh(const fs::path& dir, const std::string& command) {
  TempDir tmp;
  const std::string cmd = "cd " + quoted(dir.string()) + " && " + command + " >" +
                          quoted((tmp.path() / "out").string()) + " 2>" +
                          quoted((tmp.path() / "err").string());
  const int status = std::system(cmd.c_str());
  CliRun r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(tmp.path() / "out");
  r.err = read_file(tmp.path() / "err");
  return r;
}

/// `otel-audit <args>` run in `dir`.
CliRun otel_audit(const fs::path& dir, const std::string& args) {
  return sh(dir, std::string("NO_COLOR=1 ") + quoted(OTEL_AUDIT_BINARY) + " " + args);
}

bool have(const std::string& program) {
  return std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) == 0;
}

/// Every fixture repository, as its path from the source directory.
std::vector<std::string> fixture_repos() {
  std::vector<std::string> out;
  for (const char* group : {"fixtures/ecosystem", "fixtures/cases"})
    for (const auto& e : fs::directory_iterator(kSource / group))
      if (e.is_directory()) out.push_back(std::string(group) + "/" + e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

/// A copy of the fixture `rel` at the same relative path below `root`.
void copy_fixture(const fs::path& root, const std::string& rel) {
  fs::create_directories((root / rel).parent_path());
  fs::copy(kSource / rel, root / rel, fs::copy_options::recursive);
}

std::vector<std::string> manifests(const fs::path& repo) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(repo))
    if (e.is_regular_file() && e.path().filename() == "Cargo.toml")
      out.push_back(e.path().lexically_relative(repo).generic_string());
  std::sort(out.begin(), out.end());
  return out;
}

const Ruleset& rules_027() {
  static const Ruleset rules = [] {
    RulesetResult r = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
    REQUIRE(r.ruleset.has_value());
    return std::move(*r.ruleset);
  }();
  return rules;
}

std::string line_at(const std::string& text, int line) {
  std::istringstream in(text);
  std::string s;
  for (int i = 0; i < line && std::getline(in, s); ++i) {
  }
  while (!s.empty() && (s.back() == '\r' || s.back() == ' '))
    s.pop_back();
  return s;
}

/// The fixable findings the audit reports in `repo`, as "file: text of the line".
std::set<std::string> fixable_findings(const fs::path& repo) {
  DirTree tree(repo);
  RepoAudit audit = audit_repository(RepoInput("r", repo.string(), &tree), rules_027());
  std::set<std::string> out;
  for (const Finding& f : audit.result.findings)
    if (fix::fix_handles(f.rule))
      out.insert(f.loc.file + ": " + line_at(read_file(repo / f.loc.file), f.loc.line));
  return out;
}

/// What the fix leaves, as "file: text of the line".
std::set<std::string> left_by_fix(const fs::path& repo) {
  DirTree tree(repo);
  RepoModel model;
  RepoAudit audit = audit_repository(RepoInput("r", repo.string(), &tree), rules_027(), &model);
  fix::FixOutcome o = fix::fix_repository(model, audit.result.findings, rules_027());
  std::set<std::string> out;
  for (const fix::Skipped& s : o.not_changed)
    out.insert(s.loc.file + ": " + line_at(read_file(repo / s.loc.file), s.loc.line));
  for (const Diagnostic& d : o.unparsed)
    out.insert(d.loc.file + ": (does not parse)");
  return out;
}

/// The features written for an OpenTelemetry crate (or the bridge) on the target line that
/// the crate does not have there, as "file: crate feature".
std::vector<std::string> unknown_features(const fs::path& repo) {
  DirTree tree(repo);
  RepoModel model;
  audit_repository(RepoInput("r", repo.string(), &tree), rules_027(), &model);
  const LineInfo& line = rules_027().target_line();
  std::vector<std::string> out;
  for (const PackageModel& pkg : model.cargo.packages)
    for (const Dependency& dep : pkg.dependencies) {
      const CrateOnLine* e = line.find(dep.package);
      if (!e || !e->features_known || !dep.req) continue;
      std::string error;
      std::optional<VersionReq> req = parse_requirement(dep.req->value, error);
      if (!req) continue;
      const std::vector<std::string> lines = rules_027().selected_lines(dep.package, *req);
      if (lines.empty() || lines.back() != line.line) continue;
      for (const Located& f : dep.features)
        if (f.value != "default" &&
            std::find(e->features.begin(), e->features.end(), f.value) == e->features.end())
          out.push_back(pkg.manifest_file + ": " + dep.package + " " + f.value);
    }
  return out;
}

std::string golden_name(const std::string& rel) {
  std::string name = rel.substr(std::string("fixtures/").size());
  std::replace(name.begin(), name.end(), '/', '-');
  return "fix/" + name + ".txt";
}

} // namespace

TEST_CASE("fix: golden patches of every fixture repository, applied, written, checked, rerun") {
  const bool cargo = have("cargo");
  if (!cargo)
    MESSAGE("cargo is not installed: the `cargo metadata --offline --no-deps` part is skipped");
  const bool patch = have("patch");
  for (const std::string& rel : fixture_repos()) {
    CAPTURE(rel);
    CliRun first = otel_audit(kSource, "fix " + rel);
    check_golden(golden_name(rel),
                 first.out + (first.err.empty() ? "" : "-- stderr --\n" + first.err));
    const bool unparsed = first.err.find("does not parse") != std::string::npos ||
                          first.err.find("nothing was changed") != std::string::npos;
    CHECK(first.code == (unparsed ? 3 : 0));
    const bool changes = first.out.starts_with("diff --git ");

    // The patch applies where it was printed (the whole output: the notes after it are no
    // part of it).
    TempDir applied;
    copy_fixture(applied.path(), rel);
    std::ofstream(applied.path() / "fix.patch", std::ios::binary) << first.out;
    if (changes) {
      CliRun check = sh(applied.path(), "git apply --check fix.patch");
      CHECK_MESSAGE(check.code == 0, check.err);
      if (patch) {
        CliRun dry = sh(applied.path(), "patch -p1 --dry-run --batch -s < fix.patch");
        CHECK_MESSAGE(dry.code == 0, dry.out << dry.err);
      }
      CHECK(sh(applied.path(), "git apply fix.patch").code == 0);
    }

    // --write writes what the patch says, nothing more.
    TempDir written;
    copy_fixture(written.path(), rel);
    const std::set<std::string> left = left_by_fix(written.path() / rel);
    CliRun write = otel_audit(written.path(), "fix " + rel + " --write");
    CHECK(write.code == (unparsed ? 3 : 0));
    for (const std::string& m : manifests(written.path() / rel)) {
      CAPTURE(m);
      CHECK(read_file(written.path() / rel / m) == read_file(applied.path() / rel / m));
      const std::string text = read_file(written.path() / rel / m);
      if (unparsed) {
        CHECK(text == read_file(kSource / rel / m)); // nothing written
        continue;
      }
      ManifestResult parsed = parse_manifest(text, m);
      CHECK(parsed.manifest.has_value());
      for (const Diagnostic& d : parsed.diagnostics)
        CHECK_MESSAGE(d.rule != "manifest-parse-error", d.message);
    }
    if (unparsed) continue;

    // Every feature written for a crate on the target exists there (Cargo refuses the rest).
    for (const std::string& f : unknown_features(written.path() / rel))
      CHECK_MESSAGE(false, "a feature the crate does not have on 0.27 after fix --write: " << f);

    // check: what remains of the fixable findings is what the fix said it left.
    for (const std::string& f : fixable_findings(written.path() / rel))
      CHECK_MESSAGE(left.count(f), "still reported after fix --write: " << f);

    // Idempotent: a second run finds nothing to change.
    CliRun again = otel_audit(written.path(), "fix " + rel);
    CHECK(again.code == 0);
    CHECK(again.out.find("diff --git") == std::string::npos);
    CHECK(again.out.find("the manifests need no change") != std::string::npos);
    CHECK(otel_audit(written.path(), "fix " + rel + " --check").code == 0);
    if (changes) CHECK(otel_audit(kSource, "fix " + rel + " --check").code == 1);

    // Cargo reads every rewritten manifest (packages without a target get an empty lib.rs in
    // the copy, as Cargo needs one target to load a package).
    if (cargo && changes) {
      for (const std::string& m : manifests(written.path() / rel)) {
        const fs::path dir = (written.path() / rel / m).parent_path();
        if (read_file(dir / "Cargo.toml").find("[package]") != std::string::npos &&
            !fs::exists(dir / "src/lib.rs") && !fs::exists(dir / "src/main.rs")) {
          fs::create_directories(dir / "src");
          std::ofstream(dir / "src/lib.rs");
        }
      }
      for (const std::string& m : manifests(written.path() / rel)) {
        CAPTURE(m);
        CliRun meta = sh((written.path() / rel / m).parent_path(),
                         "cargo metadata --offline --no-deps --format-version 1");
        CHECK_MESSAGE(meta.code == 0, meta.err);
      }
    }
  }
}

TEST_CASE("fix: --write and --check together, a URL and a missing directory are usage errors") {
  CliRun both = otel_audit(kSource, "fix fixtures/cases/fix-crlf --write --check");
  CHECK(both.code == 2);
  CHECK(both.err == "otel-audit: error: --write and --check cannot be combined: --check only "
                    "tells whether a fix would change something\n");
  CliRun url = otel_audit(kSource, "fix https://github.com/LLM-Dev-Ops/edge-agent.git");
  CHECK(url.code == 2);
  CHECK(url.err == "otel-audit: error: https://github.com/LLM-Dev-Ops/edge-agent.git is not a "
                   "directory: fix changes a repository's files on disk, so give the directory "
                   "of a work tree\n");
  CHECK(otel_audit(kSource, "fix fixtures/no-such-repo").code == 2);
  CHECK(otel_audit(kSource, "fix").code == 2);
}

TEST_CASE("fix: --write refuses files with uncommitted changes unless --allow-dirty") {
  if (!have("git")) {
    MESSAGE("git is not installed: skipped");
    return;
  }
  TempDir tmp;
  const fs::path repo = tmp.path() / "repo";
  fs::copy(kSource / "fixtures/cases/fix-renamed", repo, fs::copy_options::recursive);
  const std::string git =
      "git -c user.name=t -c user.email=t@example.com -c init.defaultBranch=main";
  REQUIRE(sh(repo, git + " init -q && " + git + " add -A && " + git + " commit -qm x").code == 0);
  const std::string original = read_file(repo / "Cargo.toml");

  // Changed and not committed: refused, nothing written.
  std::ofstream(repo / "Cargo.toml", std::ios::app) << "# a local change\n";
  CliRun dirty = otel_audit(tmp.path(), "fix repo --write");
  CHECK(dirty.code == 2);
  CHECK(dirty.err == "otel-audit: error: nothing was written: repo/Cargo.toml has uncommitted "
                     "changes; commit or stash them first, or pass --allow-dirty\n");
  CHECK(read_file(repo / "Cargo.toml") == original + "# a local change\n");
  // Allowed: written.
  CHECK(otel_audit(tmp.path(), "fix repo --write --allow-dirty").code == 0);
  CHECK(read_file(repo / "Cargo.toml").find("\"=0.27.1\"") != std::string::npos);

  // Committed: written without asking.
  REQUIRE(sh(repo, git + " checkout -q -- Cargo.toml").code == 0);
  CHECK(read_file(repo / "Cargo.toml") == original);
  CHECK(otel_audit(tmp.path(), "fix repo --write").code == 0);
  CHECK(read_file(repo / "Cargo.toml").find("\"=0.27.1\"") != std::string::npos);

  // Untracked counts as uncommitted.
  const fs::path other = tmp.path() / "other";
  fs::copy(kSource / "fixtures/cases/fix-crlf", other, fs::copy_options::recursive);
  REQUIRE(sh(other, git + " init -q").code == 0);
  CliRun untracked = otel_audit(tmp.path(), "fix other --write");
  CHECK(untracked.code == 2);
  CHECK(untracked.err.find("other/Cargo.toml has uncommitted changes") != std::string::npos);
}

TEST_CASE("fix: the paths of the patch are relative to the current directory") {
  // From inside the repository the paths have no prefix; from above it, the repository's path.
  CliRun inside = otel_audit(kSource / "fixtures/cases/fix-crlf", "fix .");
  CHECK(inside.out.starts_with("diff --git a/Cargo.toml b/Cargo.toml\n"));
  CliRun absolute = otel_audit(kSource / "fixtures",
                               "fix " + quoted((kSource / "fixtures/cases/fix-crlf").string()));
  CHECK(absolute.out.starts_with(
      "diff --git a/cases/fix-crlf/Cargo.toml b/cases/fix-crlf/Cargo.toml\n"));
}
