// End-to-end tests of the otel-audit binary: exit codes, usage errors, reports on disk.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/cli_run.h"

namespace fs = std::filesystem;

namespace {

using Run = otelaudit::testsupport::CliRun;
using otelaudit::testsupport::read_file;

Run run(const std::string& args) {
  return otelaudit::testsupport::run_cli(args);
}

} // namespace

TEST_CASE("cli: the fixture ecosystem fails the default gate with NO-GO") {
  Run r = run("check fixtures/ecosystem/*");
  CHECK(r.code == 1);
  CHECK(r.err == "");
  CHECK(r.out.find("verdict: NO-GO") != std::string::npos);
  CHECK(r.out.find("deprecated-exporter") != std::string::npos);
}

TEST_CASE("cli: --fail-on none passes the gate whatever is found") {
  Run r = run("check fixtures/ecosystem/* --fail-on none");
  CHECK(r.code == 0);
}

TEST_CASE("cli: a repository without findings at or above the gate passes") {
  Run r = run("check fixtures/cases/jaeger-propagator");
  CHECK(r.code == 0);
}

TEST_CASE("cli: --min-score above the score fails the gate, the score itself passes it") {
  // fixtures/cases/misnamed-crate's markers: misnamed-crate@high and no-lockfile@info (a
  // library: no service set-up findings), so its score is 100 - 10 - 0 = 90
  // (docs/scoring.md). --fail-on none leaves the score as the only thing the gate judges.
  Run below =
      run("check fixtures/cases/misnamed-crate --fail-on none --min-score 91 --format json");
  CHECK(below.code == 1);
  CHECK(below.err == "");
  auto j = nlohmann::json::parse(below.out);
  CHECK(j["score"] == 90);
  CHECK(j["verdict"] == "NO-GO");
  Run at = run("check fixtures/cases/misnamed-crate --fail-on none --min-score 90 --format json");
  CHECK(at.code == 0);
  CHECK(nlohmann::json::parse(at.out)["verdict"] == "GO");
}

TEST_CASE("cli: OpenTelemetry only in unused workspace entries is no-otel, with a note") {
  // fixtures/cases/unused-workspace-deps declares opentelemetry 0.20 and opentelemetry_api in
  // [workspace.dependencies], and no member inherits them: Cargo builds no OpenTelemetry there.
  Run r = run("check fixtures/cases/unused-workspace-deps --fail-on none --format json");
  CHECK(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  const auto& repo = j["repos"][0];
  CHECK(repo["status"] == "no-otel");
  CHECK(repo["otel_line"].is_null());
  CHECK(repo["crates"].empty());
  CHECK(j["verdict"] == "GO");
  int notes = 0;
  for (const auto& f : repo["findings"])
    if (f["rule"] == "unused-workspace-dependency" &&
        f["message"].get<std::string>().ends_with(
            "; OpenTelemetry appears only in such unused entries, so the repository builds none "
            "and counts as no-otel"))
      ++notes;
  CHECK(notes == 3);
}

TEST_CASE("cli: a path that does not exist is a usage error naming it") {
  Run r = run("check fixtures/no-such-repo");
  CHECK(r.code == 2);
  CHECK(r.out == "");
  CHECK(r.err == "otel-audit: error: repository path \"fixtures/no-such-repo\" does not exist\n");
}

TEST_CASE("cli: a file given as a repository is a usage error") {
  Run r = run("check README.md");
  CHECK(r.code == 2);
  CHECK(r.err == "otel-audit: error: repository path \"README.md\" is not a directory\n");
}

TEST_CASE("cli: an unknown target names the targets that exist") {
  Run r = run("check fixtures/cases/jaeger-propagator --target 0.99");
  CHECK(r.code == 2);
  CHECK(r.err.find("error: no rule pack for target \"0.99\" (available: 0.20, 0.21, 0.22, 0.23, "
                   "0.24, 0.25, 0.26, 0.27, 0.28, 0.29, 0.30, 0.31, 0.32, 0.33 (unconfirmed), or "
                   "\"latest\")\n") != std::string::npos);
}

TEST_CASE("cli: --target latest judges against the newest confirmed pack") {
  Run r =
      run("check fixtures/cases/jaeger-propagator --target latest --format json --fail-on none");
  CHECK(r.code == 0);
  CHECK(r.out.find("\"target\": \"0.32\"") != std::string::npos);
  Run targets = run("rules --targets");
  CHECK(targets.code == 0);
  CHECK(targets.out.starts_with("line   released   status\n"
                                "0.20   2023-07-29 confirmed\n"
                                "0.21   2023-11-06 confirmed\n"));
  CHECK(targets.out.find("0.32   2026-05-08 confirmed (latest)\n"
                         "0.33   2026-09-18 unconfirmed: never a blocker, never selected by "
                         "latest\n") != std::string::npos);
}

TEST_CASE("cli: every rule data file is checked before the audit, with its errors located") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "otel-audit-cli-rules";
  fs::remove_all(dir);
  fs::copy(OTEL_AUDIT_RULES_DIR, dir, fs::copy_options::recursive);
  std::ofstream(dir / "spread.toml", std::ios::trunc) << "schema = 1\n[[crate]]\nname = 7\n";
  std::ofstream(dir / "scoring.toml", std::ios::app) << "no-such-rule = 1\n";
  for (const char* command :
       {"check fixtures/cases/jaeger-propagator", "scan fixtures/cases/jaeger-propagator"}) {
    Run r = run(std::string(command) + " --rules-dir '" + dir.string() + "'");
    CHECK(r.code == 2);
    CHECK(r.out == "");
    // Every file is read and checked by the one loader before any audit work: all errors at once.
    CHECK(r.err == (dir / "scoring.toml").string() +
                       ":63:1: error: unknown rule \"no-such-rule\" in [effort.rules]\n" +
                       (dir / "spread.toml").string() + ":3:8: error: \"name\" must be a string\n");
  }
  fs::remove_all(dir);
}

TEST_CASE("cli: an unknown --fail-on value is a usage error") {
  Run r = run("check fixtures/cases/jaeger-propagator --fail-on fatal");
  CHECK(r.code == 2);
  CHECK(r.err == "otel-audit: error: --fail-on \"fatal\" is not one of blocker, high, medium, "
                 "low, info, none\n");
}

TEST_CASE("cli: a bad flag is a usage error") {
  Run r = run("check --no-such-flag fixtures/ecosystem/shield");
  CHECK(r.code == 2);
}

TEST_CASE("cli: --output writes the JSON report to the file and nothing to stdout") {
  fs::path out =
      fs::temp_directory_path() / ("otel-audit-report-" + std::to_string(::getpid()) + ".json");
  Run r = run("check fixtures/ecosystem/* --format json --output '" + out.string() + "'");
  CHECK(r.code == 1);
  CHECK(r.out == "");
  auto j = nlohmann::json::parse(read_file(out));
  CHECK(j["schema"] == "otel-audit/v1");
  CHECK(j["verdict"] == "NO-GO");
  CHECK(j["repos"].size() == 7);
  fs::remove(out);
}

TEST_CASE("cli: --output into a missing directory fails without leaving a file") {
  Run r = run("check fixtures/cases/jaeger-propagator --output /nonexistent-dir/report.txt");
  CHECK(r.code == 3);
  CHECK(r.err.find("/nonexistent-dir/report.txt") != std::string::npos);
  CHECK_FALSE(fs::exists("/nonexistent-dir"));
}

TEST_CASE("cli: a malformed Cargo.toml is reported as a finding and the rest is audited") {
  Run r = run("check fixtures/cases/malformed-toml --format json --fail-on none");
  CHECK(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  bool parse_error = false;
  for (const auto& f : j["repos"][0]["findings"])
    if (f["rule"] == "manifest-parse-error") parse_error = true;
  CHECK(parse_error);
}

TEST_CASE("cli: rules lists every rule id") {
  Run r = run("rules");
  CHECK(r.code == 0);
  CHECK(r.out.find("deprecated-exporter") != std::string::npos);
  CHECK(r.out.find("otel-version-behind") != std::string::npos);
}
