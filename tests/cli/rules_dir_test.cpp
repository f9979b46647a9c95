// Where the program looks for its rule data (cli/options.h): --rules-dir, then
// $OTEL_AUDIT_RULES_DIR, then ../share/otel-audit/rules from the executable; a named directory
// that is missing is an error naming it, and no directory at all names the place looked at.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <string>

#include "cli/options.h"

namespace fs = std::filesystem;
using otelaudit::cli::locate_rules_dir;

namespace {

/// PREFIX/bin/otel-audit and PREFIX/share/otel-audit/rules in a scratch directory.
struct Prefix {
  fs::path root = fs::temp_directory_path() / ("otel-audit-prefix-" + std::to_string(::getpid()));
  fs::path exe = root / "bin" / "otel-audit";
  fs::path rules = root / "share" / "otel-audit" / "rules";
  fs::path other = root / "other-rules";
  Prefix() {
    fs::remove_all(root);
    fs::create_directories(exe.parent_path());
    fs::create_directories(rules);
    fs::create_directories(other);
  }
  ~Prefix() { fs::remove_all(root); }
};

} // namespace

TEST_CASE("rules dir: the executable's ../share/otel-audit/rules when nothing is named") {
  Prefix p;
  auto found = locate_rules_dir("", "", p.exe);
  REQUIRE(found.dir);
  CHECK(*found.dir == p.rules);
  CHECK(found.error == "");
}

TEST_CASE("rules dir: --rules-dir comes first, then $OTEL_AUDIT_RULES_DIR") {
  Prefix p;
  CHECK(*locate_rules_dir(p.other.string(), p.rules.string(), p.exe).dir == p.other);
  CHECK(*locate_rules_dir("", p.other.string(), p.exe).dir == p.other);
}

TEST_CASE("rules dir: a named directory that does not exist is an error, not a fallback") {
  Prefix p;
  auto found = locate_rules_dir((p.root / "nope").string(), "", p.exe);
  CHECK(!found.dir);
  CHECK(found.error == "the rule data directory \"" + (p.root / "nope").string() +
                           "\" (--rules-dir) is not a directory");
  found = locate_rules_dir("", (p.root / "nope").string(), p.exe);
  CHECK(!found.dir);
  CHECK(found.error == "the rule data directory \"" + (p.root / "nope").string() +
                           "\" ($OTEL_AUDIT_RULES_DIR) is not a directory");
}

TEST_CASE("rules dir: without rules beside the executable the error names where it looked") {
  Prefix p;
  fs::remove_all(p.rules);
  auto found = locate_rules_dir("", "", p.exe);
  CHECK(!found.dir);
  CHECK(found.error == "no rule data directory: --rules-dir and $OTEL_AUDIT_RULES_DIR are not "
                       "set, and \"" +
                           p.rules.string() +
                           "\" (../share/otel-audit/rules from the executable \"" + p.exe.string() +
                           "\") is not a directory; give --rules-dir DIR or set "
                           "OTEL_AUDIT_RULES_DIR");
  found = locate_rules_dir("", "", fs::path());
  CHECK(found.error == "no rule data directory: --rules-dir and $OTEL_AUDIT_RULES_DIR are not "
                       "set, and the executable's own location (which ../share/otel-audit/rules "
                       "is relative to) is unknown; give --rules-dir DIR or set "
                       "OTEL_AUDIT_RULES_DIR");
}
