// Every input a fuzzer found (fixtures/fuzz-regressions/<target>/) goes again through the entry
// point of its target, as in fuzz/<target>.cpp: under the sanitizer build (scripts/test.sh) a
// regression is a crash or a sanitizer report, not a wrong value.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include "audit/audit.h"
#include "cargo/lockfile.h"
#include "cargo/manifest.h"
#include "cargo/semver.h"
#include "cargo/toml_guard.h"
#include "cargo/workspace.h"
#include "common/paths.h"
#include "config/config.h"
#include "fuzz_common.h"
#include "rules/ruleset.h"
#include "rust/facts.h"
#include "rust/lexer.h"
#include "rust/modules.h"
#include "source/tree.h"

using namespace otelaudit;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The text of one regression input of fixtures/fuzz-regressions/TARGET/.
std::string regression_input(const char* target, const char* name) {
  return slurp(fs::path(OTEL_AUDIT_SOURCE_DIR) / "fixtures" / "fuzz-regressions" / target / name);
}

/// What the TOML guard says of a toml_guard regression input, as a Cargo.toml.
std::optional<Diagnostic> guard_regression(const char* name) {
  return toml_prescan(regression_input("toml_guard", name), "Cargo.toml", "manifest-parse-error");
}

/// The entry point of each fuzz target, called the way the target calls it.
const std::map<std::string, std::function<void(std::string_view)>>& entry_points() {
  static const std::map<std::string, std::function<void(std::string_view)>> entries = {
      {"manifest", [](std::string_view t) { (void)parse_manifest(t, "crates/member/Cargo.toml"); }},
      {"lockfile",
       [](std::string_view t) {
         LockfileResult r = parse_lockfile(t, "Cargo.lock");
         if (r.lockfile)
           for (const LockedPackage& p : r.lockfile->packages)
             (void)r.lockfile->find(p.name);
       }},
      {"semver",
       [](std::string_view t) {
         std::string_view req_text = t, version_text;
         if (auto nl = t.find('\n'); nl != std::string_view::npos) {
           req_text = t.substr(0, nl);
           version_text = t.substr(nl + 1);
         }
         std::string error;
         std::optional<VersionReq> req = parse_requirement(req_text, error);
         std::optional<Version> v = parse_version(version_text);
         if (v) (void)parse_version(v->str());
         if (req) {
           if (v) (void)req->matches(*v);
           if (auto min = req->minimum()) (void)req->matches(*min);
           (void)req->selected_line(v ? std::vector<Version>{*v} : std::vector<Version>{});
         }
       }},
      {"toml_guard",
       [](std::string_view t) {
         (void)toml_prescan(t, "Cargo.toml", "manifest-parse-error");
         (void)parse_manifest(t, "Cargo.toml"); // runs toml++ when the guard lets it through
       }},
      {"lexer",
       [](std::string_view t) {
         rust::LexResult r = rust::lex(t);
         for (const rust::Token& token : r.tokens) {
           std::string error;
           (void)rust::unescape_string(token, &error);
         }
       }},
      {"config", [](std::string_view t) { (void)parse_config(t, "otel-audit.toml"); }},
      {"ruleset",
       [](std::string_view t) { fuzz::run_ruleset(t); }},
      {"audit",
       [](std::string_view t) {
         static const RulesetResult rules = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
         REQUIRE(rules.ruleset);
         MemoryTree tree(fuzz::unpack(t));
         (void)run_audit({{"fuzzed", "fuzzed", &tree}}, *rules.ruleset);
       }},
      {"modules",
       [](std::string_view t) {
         std::map<std::string, std::string> manifests;
         std::map<std::string, rust::FileFacts> facts;
         std::vector<std::string> rs_files;
         for (auto& [name, text] : fuzz::unpack(t)) {
           if (resolve_relative("", name) != name || name.empty()) continue;
           if (name == "Cargo.toml" || name.ends_with("/Cargo.toml")) {
             manifests.emplace(name, std::move(text));
           } else if (name.ends_with(".rs")) {
             facts.emplace(name, rust::extract_facts(text));
             rs_files.push_back(name);
           }
         }
         MemoryTree tree(std::move(manifests));
         (void)build_module_tree(rs_files, facts, load_cargo(tree));
       }},
  };
  return entries;
}

} // namespace

TEST_CASE("hostile: every fuzz regression input runs through its target's entry point") {
  const fs::path root = fs::path(OTEL_AUDIT_SOURCE_DIR) / "fixtures" / "fuzz-regressions";
  REQUIRE(fs::is_directory(root));
  int inputs = 0;
  for (const auto& dir : fs::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    const std::string target = dir.path().filename().string();
    INFO("target ", target);
    REQUIRE(entry_points().count(target) == 1);
    for (const auto& file : fs::directory_iterator(dir.path())) {
      INFO("input ", file.path().filename().string());
      entry_points().at(target)(slurp(file.path()));
      ++inputs;
    }
  }
  CHECK(inputs >= 1);
}

TEST_CASE("hostile: the deep dotted key regression is rejected by the TOML guard") {
  ManifestResult r =
      parse_manifest(regression_input("toml_guard", "deep-dotted-key.toml"), "Cargo.toml");
  CHECK_FALSE(r.manifest.has_value());
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].rule == "manifest-parse-error");
  CHECK(r.diagnostics[0].loc.line == 6);
  CHECK(r.diagnostics[0].loc.column == 254);
  CHECK(r.diagnostics[0].message ==
        "TOML nested deeper than 128 levels (tables, dotted keys, arrays)");
}

TEST_CASE("hostile: a quote inside a bare value does not open a string for the TOML guard") {
  // Found by the toml_guard target: toml++ scans `2222…eac'''` as one bare value, quotes
  // included, and its whitespace check on the following U+032A reached TOML_UNREACHABLE.
  std::optional<Diagnostic> d = guard_regression("quote-inside-bare-value.toml");
  REQUIRE(d.has_value());
  CHECK(d->loc.line == 2);
  CHECK(d->loc.column == 47);
  CHECK(d->message == "non-ASCII byte 0xCC outside a string or comment (TOML bare keys are ASCII)");
  CHECK(toml_prescan("x = 2'\xcc\xaa'\n", "a", "r")->loc.column == 7);
  CHECK(toml_prescan("x = true\"\xcc\xaa\"\n", "a", "r")->loc.column == 10);
  // Quotes that do open strings: after `=`, `[`, `,`, `{`, whitespace, and after a dot in keys.
  CHECK_FALSE(
      toml_prescan("a.\"b.\xc3\xa4\" = '\xc3\xa4'\n[x.'\xc3\xa4']\ny = [\"\xc3\xa4\",'\xc3\xa4']\n"
                   "z = {k=\"\xc3\xa4\"}\n",
                   "a", "r")
          .has_value());
}

TEST_CASE("hostile: inside a bare value nothing opens a string or an array for the TOML guard") {
  // Found by the toml_guard target after the fix above: `=22…r[policy`, the control
  // character 0x1D, three single quotes, then U+032A. toml++ reads all of it as one bare
  // value up to white space or `]},#`; the guard took the `[` for an inline array and the
  // quotes, which followed the control character, for a multi-line string.
  std::optional<Diagnostic> d = guard_regression("control-char-inside-bare-value.toml");
  REQUIRE(d.has_value());
  CHECK(d->loc.line == 2);
  CHECK(d->loc.column == 47);
  CHECK(d->message == "non-ASCII byte 0xCC outside a string or comment (TOML bare keys are ASCII)");
  CHECK(toml_prescan("x = 1[\"\xcc\xaa\"]\n", "a", "r")->loc.column == 8);
  CHECK(toml_prescan("x = [1\x1d'''\xcc\xaa'''\n]\n", "a", "r")->loc.column == 11);
  // Values that end before a quote: at white space, `,`, `]`, `}` or `#`.
  CHECK_FALSE(toml_prescan("x = [1,\"\xc3\xa4\"]\ny = {a = 1,b = '\xc3\xa4'}\n"
                           "d = 1979-05-27 07:32:00 # \xc3\xa4\nz = [true\n,\"\xc3\xa4\"]\n",
                           "a", "r")
                  .has_value());
}

TEST_CASE(
    "hostile: after a backslash in a multi-line string, what toml++ cannot check is refused") {
  // Found by the toml_guard target: in a """ string, toml++ asks "is this whitespace?" of the
  // character after `\` and, after a line-ending backslash, of every character up to the
  // first that is not; for U+FEFD (and U+032A, U+00E9, …) the answer is TOML_UNREACHABLE.
  std::optional<Diagnostic> d = guard_regression("after-line-ending-backslash.toml");
  REQUIRE(d.has_value());
  CHECK(d->loc.line == 33);
  CHECK(d->loc.column == 1);
  CHECK(d->message == "character U+FEFD after a backslash in a multi-line string, which toml++ "
                      "3.3.0 cannot check for white space safely");
  CHECK(toml_prescan("s = \"\"\"\\\xc3\xa9\"\"\"\n", "a", "r")->loc.column == 9);
  CHECK(toml_prescan("s = \"\"\"a\\\n  \n  \xc3\xa9t\xc3\xa9\"\"\"\n", "a", "r")->loc.line == 3);
  CHECK(toml_prescan("s = \"\"\"a\\ \xe3\x80\x80\n \xcc\xaa\"\"\"\n", "a", "r")->loc.line == 2);
  // Where toml++ does not ask, or asks of a code point it answers: accepted.
  CHECK_FALSE(
      toml_prescan("s = \"\"\"\xc3\xa9\\n\xc3\xa9\\\n  t\xc3\xa9\"\"\"\nt = \"\\\\\xc3\xa9\"\n"
                   "u = '''\\\n\xc3\xa9'''\nv = \"\"\"\\\n\xe3\x80\x80x\"\"\"\n",
                   "a", "r")
          .has_value());
}
