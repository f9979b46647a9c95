#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "config/config.h"

using namespace otelaudit;
namespace fs = std::filesystem;

namespace {

// "line:column message" per error, one per line: compact and exact to compare.
std::string format(const ConfigResult& r) {
  std::ostringstream out;
  for (const Diagnostic& d : r.errors)
    out << d.loc.line << ":" << d.loc.column << " " << d.message << "\n";
  return out.str();
}

std::string errors_of(std::string_view text) {
  ConfigResult r = parse_config(text, "otel-audit.toml");
  CHECK(r.config.has_value() == r.errors.empty());
  for (const Diagnostic& d : r.errors) {
    CHECK(d.rule == "config-invalid");
    CHECK(d.loc.file == "otel-audit.toml");
  }
  return format(r);
}

Config parse_ok(std::string_view text) {
  ConfigResult r = parse_config(text, "otel-audit.toml");
  INFO(format(r));
  REQUIRE(r.errors.empty());
  REQUIRE(r.config.has_value());
  return *r.config;
}

} // namespace

TEST_CASE("config: repositories with defaults") {
  Config c = parse_ok(R"([[repo]]
name = "shield"
path = "../shield"

[[repo]]
name = "edge-agent"
url = "https://github.com/LLM-Dev-Ops/edge-agent"
ref = "v0.1.0"
component = "edge"
)");
  CHECK(c.file == "otel-audit.toml");
  REQUIRE(c.repos.size() == 2);
  CHECK(c.repos[0].name == "shield");
  CHECK(c.repos[0].path == "../shield"); // kept as written: only load_config resolves
  CHECK(c.repos[0].url.empty());
  CHECK(c.repos[0].ref.empty());
  CHECK(c.repos[0].component == "shield");
  CHECK(c.repos[0].loc == Location{"otel-audit.toml", 1, 1});
  CHECK(c.repos[1].name == "edge-agent");
  CHECK(c.repos[1].path.empty());
  CHECK(c.repos[1].url == "https://github.com/LLM-Dev-Ops/edge-agent");
  CHECK(c.repos[1].ref == "v0.1.0");
  CHECK(c.repos[1].component == "edge");
  CHECK(c.repos[1].loc == Location{"otel-audit.toml", 5, 1});
  CHECK_FALSE(c.policy.target.has_value());
  CHECK_FALSE(c.policy.fail_on.has_value());
  CHECK_FALSE(c.policy.fail_on_none);
  CHECK_FALSE(c.policy.min_score.has_value());
  CHECK(c.policy.severity.empty());
  CHECK(c.policy.ignore.empty());
}

TEST_CASE("config: an empty file is a valid config with nothing in it") {
  Config c = parse_ok("# nothing yet\n");
  CHECK(c.repos.empty());
  CHECK(c.policy.severity.empty());
}

TEST_CASE("config: policy values, overrides in document order, ignores") {
  Config c = parse_ok(R"([[repo]]
name = "policy-engine"
path = "policy-engine"

[policy]
target = "0.27"
fail-on = "high"
min-score = 70

[policy.severity]
"no-lockfile" = "medium"
"companion-drift" = "info"

[[policy.ignore]]
rule = "deprecated-exporter"
repo = "policy-engine"
path = "crates/legacy/**"
reason = "removed in the 0.27 migration"

[[policy.ignore]]
rule = "no-lockfile"
reason = "libraries do not commit Cargo.lock"
)");
  CHECK(c.policy.target == "0.27");
  CHECK(c.policy.fail_on == Severity::high);
  CHECK_FALSE(c.policy.fail_on_none);
  CHECK(c.policy.min_score == 70);
  REQUIRE(c.policy.severity.size() == 2);
  CHECK(c.policy.severity[0].rule == "no-lockfile");
  CHECK(c.policy.severity[0].severity == Severity::medium);
  CHECK(c.policy.severity[0].loc == Location{"otel-audit.toml", 11, 1});
  CHECK(c.policy.severity[1].rule == "companion-drift");
  CHECK(c.policy.severity[1].severity == Severity::info);
  CHECK(c.policy.severity[1].loc == Location{"otel-audit.toml", 12, 1});
  REQUIRE(c.policy.ignore.size() == 2);
  CHECK(c.policy.ignore[0].rule == "deprecated-exporter");
  CHECK(c.policy.ignore[0].repo == "policy-engine");
  CHECK(c.policy.ignore[0].path == "crates/legacy/**");
  CHECK(c.policy.ignore[0].reason == "removed in the 0.27 migration");
  CHECK(c.policy.ignore[0].loc == Location{"otel-audit.toml", 14, 1});
  CHECK(c.policy.ignore[1].rule == "no-lockfile");
  CHECK(c.policy.ignore[1].repo.empty());
  CHECK(c.policy.ignore[1].path.empty());
  CHECK(c.policy.ignore[1].loc == Location{"otel-audit.toml", 20, 1});
}

TEST_CASE("config: fail-on none and the range ends of min-score") {
  Config c = parse_ok("[policy]\nfail-on = \"none\"\nmin-score = 0\n");
  CHECK(c.policy.fail_on_none);
  CHECK_FALSE(c.policy.fail_on.has_value());
  CHECK(c.policy.min_score == 0);
  CHECK(parse_ok("[policy]\nmin-score = 100\n").policy.min_score == 100);
  CHECK(parse_ok("[policy]\nfail-on = \"blocker\"\n").policy.fail_on == Severity::blocker);
  // Dotted keys and inline tables are the same TOML as section headers.
  Config d = parse_ok("policy.fail-on = \"low\"\nrepo = [{ name = \"a\", path = \"a\" }]\n");
  CHECK(d.policy.fail_on == Severity::low);
  REQUIRE(d.repos.size() == 1);
  CHECK(d.repos[0].loc == Location{"otel-audit.toml", 2, 9});
}

TEST_CASE("config: every error of a file is reported at once, in file order") {
  CHECK(errors_of(R"([[repo]]
name = "shield"
paht = "x"
url = "u"
path = "p"

[[repo]]
name = "shield"
path = "q"

[policy]
fail-on = "fatal"
min-score = 101
target = 0.27
[policy.severity]
"companion-drift" = "info"
"deprecated-exporters" = "low"
[[policy.ignore]]
rule = "no-lockfile"
repo = "nope"
)") == R"(3:1 unknown key "paht" in [[repo]] (did you mean "path"?)
5:8 [[repo]] "shield" has both "path" and "url": give one
8:8 duplicate repository name "shield" (first at line 2)
12:11 "fail-on" must be one of blocker, high, medium, low, info, none
13:13 "min-score" must be an integer from 0 to 100
14:10 "target" must be a quoted version line like "0.27"
17:1 unknown rule "deprecated-exporters" (did you mean "deprecated-exporter"?)
18:1 [[policy.ignore]] needs a "reason"
20:8 ignore entry names repository "nope", which is not a [[repo]]
)");
}

TEST_CASE("config: unknown keys everywhere, with a suggestion only when one is close") {
  CHECK(errors_of(R"(repos = 1
verbose = true
[policy]
fail_on = "high"
colour = "red"
[[policy.ignore]]
rule = "no-lockfile"
reason = "r"
repository = "x"
resaon = "y"
)") == R"(1:1 unknown top-level key "repos" (did you mean "repo"?)
2:1 unknown top-level key "verbose"
4:1 unknown key "fail_on" in [policy] (did you mean "fail-on"?)
5:1 unknown key "colour" in [policy]
9:1 unknown key "repository" in [[policy.ignore]]
10:1 unknown key "resaon" in [[policy.ignore]] (did you mean "reason"?)
)");
}

TEST_CASE("config: repository entries that are incomplete or malformed") {
  CHECK(errors_of(R"([[repo]]
path = "a"

[[repo]]
name = "lonely"

[[repo]]
name = "Shield"
url = "u"

[[repo]]
name = "ok"
path = ""
component = "Edge_Agent"

[[repo]]
name = "my.repo"
path = "m"

[[repo]]
name = 7
path = 8
ref = ""
)") == R"(1:1 [[repo]] needs a "name"
4:1 [[repo]] "lonely" needs "path" or "url"
8:8 repository name "Shield" must be lowercase letters, digits, '.', '_' or '-', starting with a letter or digit
13:8 "path" in [[repo]] "ok" must not be empty
14:13 "component" "Edge_Agent" must be lowercase letters, digits and '-' (e.g. "edge-agent")
16:1 [[repo]] "my.repo" needs a "component": its name is not one (lowercase letters, digits and '-')
21:8 "name" in [[repo]] must be a string
22:8 "path" in [[repo]] must be a string
23:7 "ref" in [[repo]] must not be empty
)");
}

TEST_CASE("config: sections of the wrong TOML type") {
  CHECK(errors_of("repo = { name = \"a\" }\npolicy = 3\n") ==
        R"(1:8 "repo" must be an array of tables ([[repo]])
2:10 "policy" must be a table ([policy])
)");
  CHECK(errors_of("repo = [1]\n[policy]\nseverity = \"high\"\nignore = { rule = \"x\" }\n") ==
        R"(1:9 each "repo" entry must be a table ([[repo]])
3:12 "severity" in [policy] must be a table ([policy.severity])
4:10 "ignore" in [policy] must be an array of tables ([[policy.ignore]])
)");
}

TEST_CASE("config: severity overrides need known rules and severity names") {
  CHECK(errors_of(R"([policy.severity]
"no-lockfile" = "fatal"
"companion-drift" = 3
"totally-unknown-rule" = "low"
)") == R"(2:17 "no-lockfile" in [policy.severity] must be one of blocker, high, medium, low, info
3:21 "companion-drift" in [policy.severity] must be one of blocker, high, medium, low, info
4:1 unknown rule "totally-unknown-rule"
)");
}

TEST_CASE("config: ignore entries need a known rule and a real reason") {
  CHECK(errors_of(R"([[policy.ignore]]
reason = "why not"

[[policy.ignore]]
rule = "no-lockfil"
reason = "  "
path = "/etc/passwd"

[[policy.ignore]]
rule = "no-lockfile"
path = ""
reason = 1
)") == R"(1:1 [[policy.ignore]] needs a "rule"
5:8 unknown rule "no-lockfil" (did you mean "no-lockfile"?)
6:10 "reason" in [[policy.ignore]] must not be empty
7:8 "path" in [[policy.ignore]] must be relative to the repository root
11:8 "path" in [[policy.ignore]] must not be empty
12:10 "reason" in [[policy.ignore]] must be a string
)");
}

TEST_CASE("config: a TOML syntax error is one error at the parser's position") {
  CHECK(errors_of("[[repo]]\nname = \"x\npath = \"y\"\n") ==
        "2:10 invalid TOML: Error while parsing string: unescaped control characters other "
        "than TAB (U+0009) are explicitly prohibited\n");
  CHECK(errors_of("[policy]\nfail-on = \"high\"\nfail-on = \"low\"\n") ==
        "3:11 invalid TOML: Error while parsing key-value pair: cannot redefine existing string "
        "'fail-on'\n");
}

TEST_CASE("config: non-ASCII outside strings is rejected before toml++ sees it") {
  // These bytes make toml++ 3.3.0 read out of bounds (marzer/tomlplusplus#295).
  CHECK(errors_of("\xCC\xAA = 1\n") ==
        "1:1 invalid TOML: non-ASCII byte 0xCC outside a string or comment (TOML bare keys are "
        "ASCII)\n");
  // Columns count characters: "é" inside the string is one column.
  CHECK(errors_of("[[repo]]\nname = \"\xC3\xA9\" \xCC\xAA = 1\n") ==
        "2:12 invalid TOML: non-ASCII byte 0xCC outside a string or comment (TOML bare keys are "
        "ASCII)\n");
  // Inside comments, basic, literal and multi-line strings and quoted keys it is fine.
  Config c = parse_ok("\xEF\xBB\xBF# caf\xC3\xA9\n"
                      "[[repo]] # \xCC\xAA\n"
                      "name = \"a\"\n"
                      "path = 'd\xC3\xA9j\xC3\xA0'\n"
                      "ref = \"\"\"\n\\\"\xC3\xA9\"\"\"\"\n"
                      "[[policy.ignore]]\n"
                      "rule = \"no-lockfile\"\n"
                      "reason = '''\xCC\xAA''''\n");
  CHECK(c.repos[0].path == "d\xC3\xA9j\xC3\xA0");
  CHECK(c.repos[0].ref == "\"\xC3\xA9\"");
  CHECK(c.policy.ignore[0].reason == "\xCC\xAA'");
  // A quoted non-ASCII key reaches the key check rather than the guard.
  CHECK(errors_of("\"\xC3\xA9\" = 1\n") == "1:1 unknown top-level key \"\xC3\xA9\"\n");
}

TEST_CASE("config: control characters in keys are escaped in messages") {
  CHECK(errors_of("\"a\\u0001\\\"b\" = 1\n") == "1:1 unknown top-level key \"a\\x01\\\"b\"\n");
}

TEST_CASE("config: load_config resolves paths against the file's directory") {
  fs::path dir = fs::temp_directory_path() / "otel-audit-config-test";
  fs::remove_all(dir);
  fs::create_directories(dir / "sub");
  {
    std::ofstream f(dir / "sub" / "otel-audit.toml");
    f << "[[repo]]\nname = \"a\"\npath = \"../repos/./a/\"\n"
         "[[repo]]\nname = \"b\"\npath = \"/srv/b\"\n"
         "[[repo]]\nname = \"c\"\nurl = \"https://example.com/c\"\n";
  }
  ConfigResult r = load_config(dir / "sub" / "otel-audit.toml");
  REQUIRE(r.errors.empty());
  REQUIRE(r.config->repos.size() == 3);
  CHECK(r.config->file == (dir / "sub" / "otel-audit.toml").string());
  CHECK(r.config->repos[0].path == (dir / "repos" / "a").generic_string());
  CHECK(r.config->repos[1].path == "/srv/b");
  CHECK(r.config->repos[2].path.empty());
  CHECK(r.config->repos[2].url == "https://example.com/c");
  fs::remove_all(dir);
}

TEST_CASE("config: an unreadable file is one error") {
  ConfigResult r = load_config("/nonexistent-dir/otel-audit.toml");
  CHECK_FALSE(r.config.has_value());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].rule == "config-invalid");
  CHECK(r.errors[0].loc == Location{"/nonexistent-dir/otel-audit.toml", 0, 0});
  CHECK(r.errors[0].message == "cannot read config file: No such file or directory");

  ConfigResult d = load_config(fs::temp_directory_path());
  REQUIRE(d.errors.size() == 1);
  CHECK(d.errors[0].message == "cannot read config file: Is a directory");
}

TEST_CASE("config: the bundled ecosystem files load") {
  const std::vector<std::string> names = {"edge-agent",    "observatory", "sentinel",
                                          "policy-engine", "shield",      "cost-ops",
                                          "connector-hub"};
  const fs::path root = OTEL_AUDIT_SOURCE_DIR;

  ConfigResult eco = load_config(root / "rules" / "ecosystems" / "llm-devops.toml");
  INFO(format(eco));
  REQUIRE(eco.config.has_value());
  REQUIRE(eco.config->repos.size() == names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    const RepoEntry& r = eco.config->repos[i];
    CHECK(r.name == names[i]);
    CHECK(r.component == names[i]);
    CHECK(r.path.empty());
    CHECK(r.url == "https://github.com/LLM-Dev-Ops/" + names[i]);
  }
  CHECK(eco.config->policy.target == "0.27");
  CHECK(eco.config->policy.fail_on == Severity::blocker);

  ConfigResult fix = load_config(root / "fixtures" / "otel-audit.toml");
  INFO(format(fix));
  REQUIRE(fix.config.has_value());
  REQUIRE(fix.config->repos.size() == names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    const RepoEntry& r = fix.config->repos[i];
    CHECK(r.name == names[i]);
    CHECK(r.component == names[i]);
    CHECK(r.url.empty());
    CHECK(r.path ==
          (root / "fixtures" / "ecosystem" / names[i]).lexically_normal().generic_string());
  }
  CHECK(fix.config->policy.target == "0.27");
  CHECK(fix.config->policy.fail_on == Severity::blocker);
  REQUIRE(fix.config->policy.severity.size() == 1);
  CHECK(fix.config->policy.severity[0].rule == "companion-drift");
  CHECK(fix.config->policy.severity[0].severity == Severity::info);
  REQUIRE(fix.config->policy.ignore.size() == 1);
  CHECK(fix.config->policy.ignore[0].rule == "no-lockfile");
  CHECK(fix.config->policy.ignore[0].repo == "connector-hub");
  CHECK_FALSE(fix.config->policy.ignore[0].reason.empty());
}

TEST_CASE("config: the complete example of docs/config.md is valid") {
  std::ifstream f(fs::path(OTEL_AUDIT_SOURCE_DIR) / "docs" / "config.md");
  std::string doc((std::istreambuf_iterator<char>(f)), {});
  std::size_t begin = doc.find("```toml\n");
  REQUIRE(begin != std::string::npos);
  begin += 8;
  std::size_t end = doc.find("```", begin);
  REQUIRE(end != std::string::npos);
  Config c = parse_ok(doc.substr(begin, end - begin));
  REQUIRE(c.repos.size() == 2);
  CHECK(c.repos[1].name == "policy-engine");
  CHECK(c.policy.min_score == 60);
  CHECK(c.policy.ignore.size() == 1);
}
