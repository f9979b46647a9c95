// The fixture harness itself (audit/markers.h) on a small repository held in memory: right
// markers pass, and each kind of wrong marker is reported with its file, line and what was found.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "audit/markers.h"
#include "rules/ruleset.h"
#include "source/tree.h"

using namespace otelaudit;

namespace {

// A service on opentelemetry 0.26, one line behind 0.27: an exporter without propagation or the
// standard variables, and one source line with three calls of the pipeline API removed at 0.27.
const std::map<std::string, std::string> kRight = {
    {"Cargo.toml", "[package]  # expect: no-lockfile@info\n"
                   "name = \"svc\"\n"
                   "version = \"0.1.0\"\n"
                   "edition = \"2021\"\n"
                   "\n"
                   "[dependencies]\n"
                   "opentelemetry = \"0.26\"  # expect: otel-version-behind@high, "
                   "unused-otel-crate@low\n"
                   "opentelemetry-otlp = \"0.26\"  # expect: otel-version-behind@high, "
                   "env-var-missing@low, missing-propagation@medium\n"
                   "tracing = \"0.1\"  # must-not: needs-integration\n"},
    {"src/main.rs", "fn main() {\n"
                    "    let _p = opentelemetry_otlp::new_pipeline().tracing().install_simple(); "
                    "// expect: 3\xC3\x97removed-api@high\n"
                    "}\n"},
};

/// kRight with `from` replaced by `to` in `file` (which must hold it).
std::map<std::string, std::string> with(const std::string& file, const std::string& from,
                                        const std::string& to) {
  std::map<std::string, std::string> files = kRight;
  std::string& text = files.at(file);
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return files;
}

std::vector<std::string> differences(std::map<std::string, std::string> files) {
  static const RulesetResult rules = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
  REQUIRE(rules.ruleset.has_value());
  MemoryTree tree(std::move(files));
  return markers::check_repositories({{"svc", "svc", &tree}}, *rules.ruleset);
}

using Lines = std::vector<std::string>;

} // namespace

TEST_CASE("marker harness: markers that match the findings give no difference") {
  CHECK(differences(kRight) == Lines{});
  // `3x` is accepted for `3×`.
  CHECK(differences(with("src/main.rs", "3\xC3\x97removed", "3xremoved")) == Lines{});
}

TEST_CASE("marker harness: another severity fails") {
  CHECK(differences(with("Cargo.toml", "otel-version-behind@high, unused",
                         "otel-version-behind@blocker, unused")) ==
        Lines{"svc: Cargo.toml:7: expected otel-version-behind@blocker, unused-otel-crate@low, "
              "found otel-version-behind@high, unused-otel-crate@low"});
}

TEST_CASE("marker harness: another count fails, fewer or more") {
  CHECK(differences(with("src/main.rs", "3\xC3\x97removed", "2\xC3\x97removed")) ==
        Lines{"svc: src/main.rs:2: expected 2\xC3\x97removed-api@high, found "
              "3\xC3\x97removed-api@high"});
  CHECK(differences(with("src/main.rs", "3\xC3\x97removed", "removed")) ==
        Lines{"svc: src/main.rs:2: expected removed-api@high, found 3\xC3\x97removed-api@high"});
  CHECK(differences(with("src/main.rs", "3\xC3\x97removed", "4xremoved")) ==
        Lines{"svc: src/main.rs:2: expected 4\xC3\x97removed-api@high, found "
              "3\xC3\x97removed-api@high"});
}

TEST_CASE("marker harness: a finding without a marker and a marker without a finding fail") {
  CHECK(differences(with("Cargo.toml", "[package]  # expect: no-lockfile@info", "[package]")) ==
        Lines{"svc: Cargo.toml:1: expected nothing, found no-lockfile@info"});
  CHECK(differences(with("Cargo.toml", "# must-not: needs-integration",
                         "# expect: needs-integration@medium")) ==
        Lines{"svc: Cargo.toml:9: expected needs-integration@medium, found nothing"});
}

TEST_CASE("marker harness: a must-not rule that fires on its line fails on its own account") {
  CHECK(differences(with("Cargo.toml", "env-var-missing@low, missing-propagation@medium",
                         "env-var-missing@low; must-not: missing-propagation")) ==
        Lines{"svc: Cargo.toml:8: expected env-var-missing@low, otel-version-behind@high, found "
              "env-var-missing@low, missing-propagation@medium, otel-version-behind@high",
              "svc: Cargo.toml:8: must-not missing-propagation, found "
              "missing-propagation@medium"});
  // A rule that fires elsewhere is no concern of a must-not on another line.
  CHECK(differences(with("Cargo.toml", "must-not: needs-integration",
                         "must-not: needs-integration, otel-version-behind")) == Lines{});
}

TEST_CASE("marker harness: malformed markers are errors, not silence") {
  // A misspelt rule id would make a must-not vacuous.
  CHECK(differences(
            with("Cargo.toml", "must-not: needs-integration", "must-not: needs-integraton")) ==
        Lines{"svc: Cargo.toml:9: unknown rule id \"needs-integraton\" in a must-not marker"});
  CHECK(differences(with("Cargo.toml", "no-lockfile@info", "no-lockfile")) ==
        Lines{"svc: Cargo.toml:1: expect marker \"no-lockfile\" without a severity (write "
              "no-lockfile@SEVERITY)",
              "svc: Cargo.toml:1: expected nothing, found no-lockfile@info"});
  CHECK(differences(with("Cargo.toml", "no-lockfile@info", "no-lockfile@severe")) ==
        Lines{"svc: Cargo.toml:1: unknown severity \"severe\" in \"no-lockfile@severe\"",
              "svc: Cargo.toml:1: expected nothing, found no-lockfile@info"});
  CHECK(differences(with("Cargo.toml", "# must-not: needs-integration",
                         "# expect: needs-integration@medium; must-not: needs-integration")) ==
        Lines{"svc: Cargo.toml:9: \"needs-integration\" is both expected and must-not",
              "svc: Cargo.toml:9: expected needs-integration@medium, found nothing"});
  CHECK(differences(with("Cargo.toml", "must-not: needs-integration",
                         "must-not: needs-integration@medium")) ==
        Lines{"svc: Cargo.toml:9: a must-not marker names a rule id alone: \"needs-integration\""});
  CHECK(differences(with("Cargo.toml", "# must-not: needs-integration", "# expect: ")) ==
        Lines{"svc: Cargo.toml:9: an empty marker list"});
}

TEST_CASE("marker harness: expect.txt lines are markers of the same syntax") {
  std::map<std::string, std::string> files =
      with("Cargo.toml", "[package]  # expect: no-lockfile@info", "[package]");
  files["expect.txt"] = "Cargo.toml:1: no-lockfile@info\n";
  CHECK(differences(files) == Lines{});
  files["expect.txt"] = "Cargo.toml:1: no-lockfile@low\n";
  CHECK(differences(files) ==
        Lines{"svc: Cargo.toml:1: expected no-lockfile@low, found no-lockfile@info"});
  files["expect.txt"] = "no-lockfile@info\n";
  CHECK(differences(files) == Lines{"svc: expect.txt:1: not a \"file:line: marker\" line",
                                    "svc: Cargo.toml:1: expected nothing, found no-lockfile@info"});
}
