// Every input a fuzzer found (fixtures/fuzz-regressions/<target>/) goes again through the entry
// point of its target: fuzz/<target>.cpp itself, linked in by fuzz_targets/<target>.cpp, with
// its invariant checks. In both test builds (plain and ASan/UBSan, scripts/test.sh) a regression
// is a crash, a broken invariant (abort) or a sanitizer report; the outcome each fix promised is
// asserted below.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "common/toml_guard.h"
#include "fuzz_common.h"
#include "hostile/fuzz_targets/targets.h"
#include "model/cargo/manifest.h"
#include "rules/ruleset.h"
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

/// A fuzz target: its name (fuzz/NAME.cpp) and its own entry points, linked in under other
/// names by fuzz_targets/NAME.cpp.
struct Target {
  const char* name;
  int (*run)(const std::uint8_t*, std::size_t);
  int (*init)(int*, char***); // LLVMFuzzerInitialize, when the target has one
};

const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      {"audit", otelaudit_fuzz_audit, otelaudit_fuzz_audit_init},
      {"config", otelaudit_fuzz_config, nullptr},
      {"fix_edit", otelaudit_fuzz_fix_edit, nullptr},
      {"git_loose", otelaudit_fuzz_git_loose, nullptr},
      {"lexer", otelaudit_fuzz_lexer, nullptr},
      {"lockfile", otelaudit_fuzz_lockfile, nullptr},
      {"manifest", otelaudit_fuzz_manifest, nullptr},
      {"modules", otelaudit_fuzz_modules, nullptr},
      {"ruleset", otelaudit_fuzz_ruleset, otelaudit_fuzz_ruleset_init},
      {"semver", otelaudit_fuzz_semver, nullptr},
      {"toml_guard", otelaudit_fuzz_toml_guard, nullptr},
      {"yaml", otelaudit_fuzz_yaml, nullptr},
  };
  return all;
}

const Target* find_target(const std::string& name) {
  for (const Target& t : targets())
    if (name == t.name) return &t;
  return nullptr;
}

/// Runs `input` through the target as libFuzzer would: initialised once, then the input. An
/// invariant that does not hold aborts the process, as it does under libFuzzer.
int run_target(const Target& target, const std::string& input) {
  static std::set<std::string> initialised;
  if (target.init && initialised.insert(target.name).second) {
    int argc = 0;
    char** argv = nullptr;
    REQUIRE(target.init(&argc, &argv) == 0);
  }
  return target.run(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

} // namespace

TEST_CASE("hostile: every fuzz target is linked into the tests") {
  // A new fuzz/NAME.cpp needs a fuzz_targets/NAME.cpp and a row in targets(), or its
  // regression inputs could not run.
  std::set<std::string> sources, linked;
  for (const auto& e : fs::directory_iterator(fs::path(OTEL_AUDIT_SOURCE_DIR) / "fuzz"))
    if (e.path().extension() == ".cpp") sources.insert(e.path().stem().string());
  for (const Target& t : targets())
    linked.insert(t.name);
  CHECK(sources == linked);
}

TEST_CASE("hostile: every fuzz regression input runs through its target's entry point") {
  const fs::path root = fs::path(OTEL_AUDIT_SOURCE_DIR) / "fixtures" / "fuzz-regressions";
  REQUIRE(fs::is_directory(root));
  std::map<std::string, int> inputs;
  for (const auto& dir : fs::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    const std::string name = dir.path().filename().string();
    INFO("target ", name);
    const Target* target = find_target(name);
    REQUIRE(target != nullptr);
    for (const auto& file : fs::directory_iterator(dir.path())) {
      INFO("input ", file.path().filename().string());
      CHECK(run_target(*target, slurp(file.path())) == 0);
      ++inputs[name];
    }
  }
  CHECK(inputs["audit"] >= 1);
  CHECK(inputs["toml_guard"] >= 4);
}

TEST_CASE("hostile: the YAML that hung yaml-cpp 0.7 is a located parse error of the audit") {
  // Found by the audit target: yaml-cpp 0.7 looped for ever on the `,` of this `Cargo..yml`
  // (upstream #1040). libyaml stops earlier, at the invalid UTF-8 of its first line; a lone
  // `,` is tested in tests/deploy/yaml_test.cpp.
  static const RulesetResult rules = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
  REQUIRE(rules.ruleset);
  MemoryTree tree(fuzz::unpack(regression_input("audit", "yaml-lone-comma.txt")));
  AuditResult result = run_audit({{"fuzzed", "fuzzed", &tree}}, *rules.ruleset);
  std::vector<const Finding*> errors;
  for (const Finding& f : result.repos.at(0).findings)
    if (f.rule == "deploy-parse-error") errors.push_back(&f);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0]->loc.file == "Cargo..yml");
  CHECK(errors[0]->loc.line == 1);
  CHECK(errors[0]->loc.column == 7);
  CHECK(errors[0]->message == "not valid YAML: invalid leading UTF-8 octet (byte 0xFF)");
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
