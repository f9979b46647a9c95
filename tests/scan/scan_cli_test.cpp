// `otel-audit scan` + `otel-audit report` against `otel-audit check`: the same repositories
// judged one by one and merged give the same reports and exit codes as judged together; and
// the errors a bad scan file gives.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../golden.h"
#include "support/json_schema.h"

namespace fs = std::filesystem;

namespace {

struct ScanRun {
  int code = -1;
  std::string out, err;
};

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A fresh directory for one test's scan files, removed at the end of the test.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name)
      : path(fs::temp_directory_path() /
             ("otel-audit-scan-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

/// Runs otel-audit with `args` (shell words) from the source directory.
ScanRun otel_audit(const std::string& args) {
  TempDir tmp("run");
  std::string cmd = std::string("cd '") + OTEL_AUDIT_SOURCE_DIR + "' && NO_COLOR=1 '" +
                    OTEL_AUDIT_BINARY + "' " + args + " >'" + tmp.file("out") + "' 2>'" +
                    tmp.file("err") + "'";
  int status = std::system(cmd.c_str());
  ScanRun r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_all(tmp.file("out"));
  r.err = read_all(tmp.file("err"));
  return r;
}

const std::vector<std::string> kEcosystem = {"connector-hub", "cost-ops",      "edge-agent",
                                             "observatory",   "policy-engine", "sentinel",
                                             "shield"};

/// Scans every repository of `dir` named in `names` into `tmp`; returns the files in order.
/// Every document written has the shape of its JSON Schema (docs/schema).
std::string scan_all(const TempDir& tmp, const std::string& dir,
                     const std::vector<std::string>& names) {
  std::string files;
  std::vector<fs::path> written;
  for (const std::string& name : names) {
    const std::string file = tmp.file(name + ".json");
    ScanRun r = otel_audit("scan " + dir + "/" + name + " --output '" + file + "'");
    INFO("scan of " << name << ": " << r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out == "");
    files += " '" + file + "'";
    written.push_back(file);
  }
  const auto schema = otelaudit::testsupport::validate_json_files(written);
  CHECK(schema.output == "");
  CHECK(schema.code == 0);
  return files;
}

std::string paths_of(const std::string& dir, const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names)
    out += " " + dir + "/" + n;
  return out;
}

/// check over the paths and report over the files, with the same options, agree byte for byte.
void check_same(const std::string& paths, const std::string& files, const std::string& options) {
  ScanRun check = otel_audit("check" + paths + " " + options);
  ScanRun report = otel_audit("report" + files + " " + options);
  INFO("options: " << options);
  CHECK(report.code == check.code);
  CHECK(report.err == check.err);
  CHECK(otelaudit::golden_difference(check.out, report.out) == "");
  CHECK(!check.out.empty());
  if (options.find("--format json") != std::string::npos) {
    const auto schema = otelaudit::testsupport::validate_json_text(report.out, "report.json");
    CHECK(schema.output == "");
    CHECK(schema.code == 0);
  }
}

} // namespace

TEST_CASE("scan: scan + report gives what check gives over the fixture ecosystem") {
  TempDir tmp("ecosystem");
  const std::string files = scan_all(tmp, "fixtures/ecosystem", kEcosystem);
  const std::string paths = paths_of("fixtures/ecosystem", kEcosystem);
  for (const char* format : {"json", "markdown", "sarif", "github", "text --color never"})
    check_same(paths, files, std::string("--format ") + format);
  ScanRun report = otel_audit("report" + files + " --format json");
  CHECK(report.code == 1);
  CHECK(report.out.find("\"verdict\": \"NO-GO\"") != std::string::npos);
}

TEST_CASE("scan: the report follows the order the scan files are given in") {
  TempDir tmp("order");
  const std::vector<std::string> reversed(kEcosystem.rbegin(), kEcosystem.rend());
  const std::string files = scan_all(tmp, "fixtures/ecosystem", reversed);
  check_same(paths_of("fixtures/ecosystem", reversed), files, "--format json");
}

TEST_CASE("scan: report applies the policy as check does") {
  TempDir tmp("policy");
  const std::string files = scan_all(tmp, "fixtures/ecosystem", kEcosystem);
  const std::string paths = paths_of("fixtures/ecosystem", kEcosystem);
  // Severity overrides and an ignore entry from the config, levels from the command line
  // (one matching nothing), and a gate below the default.
  const std::string config = tmp.file("policy.toml");
  std::ofstream(config) << "[policy]\nfail-on = \"high\"\nmin-score = 90\n"
                           "[policy.severity]\n\"deprecated-exporter\" = \"low\"\n"
                           "[[policy.ignore]]\nrule = \"transitive-spread\"\n"
                           "reason = \"tracked elsewhere\"\n";
  for (const char* format : {"json", "text --color never"})
    check_same(paths, files,
               "--config '" + config + "' -A info -W link-incompatible -D otel-version-behind " +
                   "-A dependency-cycle --format " + format);
  check_same(paths, files, "--fail-on none --format markdown");
}

TEST_CASE("scan: scan + report finds the dependency cycle check finds") {
  TempDir tmp("cycle");
  const std::vector<std::string> names = {"a", "b", "c", "d"};
  const std::string files = scan_all(tmp, "fixtures/graphs/cycle", names);
  const std::string paths = paths_of("fixtures/graphs/cycle", names);
  for (const char* format : {"json", "text --color never", "markdown"})
    check_same(paths, files, std::string("--format ") + format);
  ScanRun report = otel_audit("report" + files + " --format json");
  CHECK(report.out.find("\"dependency-cycle\"") != std::string::npos);
}

TEST_CASE("scan: --output writes the scan document; without it the document goes to stdout") {
  TempDir tmp("stdout");
  const std::string file = tmp.file("shield.json");
  ScanRun to_file = otel_audit("scan fixtures/ecosystem/shield --output '" + file + "'");
  ScanRun to_stdout = otel_audit("scan fixtures/ecosystem/shield");
  CHECK(to_file.code == 0);
  CHECK(to_stdout.code == 0);
  CHECK(to_stdout.out == read_all(file));
  CHECK(to_stdout.out.rfind("{\n  \"schema\": \"otel-audit-scan/v1\",\n", 0) == 0);
}

TEST_CASE("scan: a malformed scan file is a usage error naming the file and the position") {
  TempDir tmp("malformed");
  const std::string bad = tmp.file("bad.json");
  std::ofstream(bad) << "{\n  \"schema\": \"otel-audit-scan/v1\",\n  \"target\": ,\n}\n";
  ScanRun r = otel_audit("report '" + bad + "'");
  CHECK(r.code == 2);
  CHECK(r.out == "");
  CHECK(r.err == "otel-audit: error: scan file \"" + bad +
                     "\" is not valid JSON: parse error at line 3, column 13: syntax error "
                     "while parsing value - unexpected ','; expected '[', '{', or a literal\n");
}

TEST_CASE("scan: a value of the wrong shape is named by its JSON pointer") {
  TempDir tmp("shape");
  const std::string good = tmp.file("shield.json");
  REQUIRE(otel_audit("scan fixtures/ecosystem/shield --output '" + good + "'").code == 0);
  std::string text = read_all(good);
  // The first finding's location: [file, line, column] with the line made a string.
  const std::size_t at = text.find("\"findings\": [");
  REQUIRE(at != std::string::npos);
  const std::size_t loc = text.find("\"loc\": [", at);
  REQUIRE(loc != std::string::npos);
  const std::size_t line = text.find(",", loc) + 1;
  const std::size_t end = text.find(",", line);
  text.replace(line, end - line, " \"seven\"");
  const std::string bad = tmp.file("bad.json");
  std::ofstream(bad) << text;
  ScanRun r = otel_audit("report '" + bad + "'");
  CHECK(r.code == 2);
  CHECK(r.err == "otel-audit: error: scan file \"" + bad +
                     "\" is not an otel-audit-scan/v1 document: at /repo/findings/0/loc/1: "
                     "expected an integer\n");
}

TEST_CASE("scan: a document of another schema version is refused") {
  TempDir tmp("schema");
  const std::string v2 = tmp.file("v2.json");
  std::ofstream(v2) << "{\"schema\": \"otel-audit-scan/v2\", \"repo\": {}}\n";
  ScanRun r = otel_audit("report '" + v2 + "'");
  CHECK(r.code == 2);
  CHECK(r.err == "otel-audit: error: scan file \"" + v2 +
                     "\" is not an otel-audit-scan/v1 document: \"schema\" is "
                     "\"otel-audit-scan/v2\"\n");
  // A JSON report is not a scan document either.
  const std::string report = tmp.file("report.json");
  REQUIRE(
      otel_audit("check fixtures/ecosystem/shield --format json --output '" + report + "'").code ==
      0);
  r = otel_audit("report '" + report + "'");
  CHECK(r.code == 2);
  CHECK(r.err == "otel-audit: error: scan file \"" + report +
                     "\" is not an otel-audit-scan/v1 document: \"schema\" is "
                     "\"otel-audit/v1\"\n");
}

TEST_CASE("scan: two documents of one repository are refused") {
  TempDir tmp("duplicate");
  const std::string one = tmp.file("one.json"), two = tmp.file("two.json");
  REQUIRE(otel_audit("scan fixtures/ecosystem/shield -o '" + one + "'").code == 0);
  REQUIRE(otel_audit("scan fixtures/ecosystem/cost-ops --name shield -o '" + two + "'").code == 0);
  ScanRun r = otel_audit("report '" + one + "' '" + two + "'");
  CHECK(r.code == 2);
  CHECK(r.out == "");
  CHECK(r.err == "otel-audit: error: scan files \"" + one + "\" and \"" + two +
                     "\" both hold repository \"shield\": give each repository once (scan "
                     "--name tells two apart)\n");
}

TEST_CASE("scan: documents scanned against different lines are refused") {
  TempDir tmp("targets");
  const std::string a = tmp.file("a.json"), b = tmp.file("b.json");
  REQUIRE(otel_audit("scan fixtures/ecosystem/shield -o '" + a + "'").code == 0);
  REQUIRE(otel_audit("scan fixtures/ecosystem/cost-ops --target 0.28 -o '" + b + "'").code == 0);
  ScanRun r = otel_audit("report '" + a + "' '" + b + "'");
  CHECK(r.code == 2);
  CHECK(r.err == "otel-audit: error: scan file \"" + b +
                     "\" was scanned against OpenTelemetry 0.28, \"" + a +
                     "\" against 0.27: scan every repository with one --target\n");
  r = otel_audit("report '" + a + "' --target 0.28");
  CHECK(r.code == 2);
  CHECK(r.err == "otel-audit: error: the scan files were scanned against OpenTelemetry 0.27, "
                 "not 0.28: scan again with --target 0.28\n");
}

TEST_CASE("scan: a scan file that cannot be read and a repository that does not exist") {
  ScanRun r = otel_audit("report fixtures/no-such-scan.json");
  CHECK(r.code == 2);
  CHECK(r.err == "otel-audit: error: cannot read scan file \"fixtures/no-such-scan.json\"\n");
  r = otel_audit("scan fixtures/no-such-repo");
  CHECK(r.code == 2);
  CHECK(r.out == "");
  CHECK(r.err == "otel-audit: error: repository path \"fixtures/no-such-repo\" does not exist\n");
}
