// End-to-end tests of the report formats sarif and github, --baseline and -A/-W/-D.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace {

struct GateRun {
  int code = -1;
  std::string out, err;
};

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A scratch directory for one test, removed when the test ends.
struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("otel-audit-gate-" + std::to_string(::getpid()));
  Scratch() { fs::create_directories(dir); }
  ~Scratch() { fs::remove_all(dir); }
  fs::path file(const std::string& name, const std::string& content) const {
    std::ofstream(dir / name, std::ios::binary) << content;
    return dir / name;
  }
};

/// Runs otel-audit with `args` (shell words) from the source directory.
GateRun gate_run(const std::string& args) {
  const fs::path tmp =
      fs::temp_directory_path() / ("otel-audit-gate-out-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  const std::string cmd = std::string("cd '") + OTEL_AUDIT_SOURCE_DIR + "' && NO_COLOR=1 '" +
                          OTEL_AUDIT_BINARY + "' " + args + " >'" + (tmp / "out").string() +
                          "' 2>'" + (tmp / "err").string() + "'";
  const int status = std::system(cmd.c_str());
  GateRun r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_all(tmp / "out");
  r.err = read_all(tmp / "err");
  fs::remove_all(tmp);
  return r;
}

int count_lines_starting(const std::string& text, const std::string& prefix) {
  int n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    n += line.rfind(prefix, 0) == 0 ? 1 : 0;
  return n;
}

} // namespace

TEST_CASE("cli gate: --format sarif writes one run with a result per finding") {
  const GateRun json = gate_run("check fixtures/ecosystem/* --format json");
  const GateRun r = gate_run("check fixtures/ecosystem/* --format sarif");
  CHECK(r.code == 1);
  CHECK(r.err == "");
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["version"] == "2.1.0");
  REQUIRE(j["runs"].size() == 1);
  std::size_t findings = 0;
  const auto report = nlohmann::json::parse(json.out);
  for (const auto& repo : report["repos"])
    findings += repo["findings"].size();
  CHECK(j["runs"][0]["results"].size() == findings);
  CHECK(j["runs"][0]["originalUriBaseIds"]["REPO_policy-engine"]["uri"] ==
        "fixtures/ecosystem/policy-engine/");
}

TEST_CASE("cli gate: --format github annotates each finding and ends with the gate") {
  const GateRun r = gate_run("check fixtures/ecosystem/* --format github");
  CHECK(r.code == 1);
  CHECK(r.out.find("::error file=fixtures/ecosystem/policy-engine/Cargo.toml,line=31,col=1,"
                   "title=deprecated-exporter::opentelemetry-jaeger is deprecated") !=
        std::string::npos);
  CHECK(r.out.substr(r.out.rfind("::notice::"))
            .rfind("::notice::otel-audit verdict NO-GO (score ", 0) == 0);
  CHECK(r.out.substr(r.out.rfind("::error::")) ==
        "::error::otel-audit gate failed: 7 findings at or above blocker (--fail-on blocker)\n");
  const GateRun ok = gate_run("check fixtures/cases/jaeger-propagator --format github");
  CHECK(ok.code == 0);
  CHECK(ok.out == "::notice file=fixtures/cases/jaeger-propagator/Cargo.toml,line=1,col=1,"
                  "title=no-lockfile::no Cargo.lock beside Cargo.toml: versions are judged from "
                  "requirements alone\n"
                  "::notice::otel-audit verdict GO (score 100)\n"
                  "::notice::otel-audit gate passed\n");
}

TEST_CASE("cli gate: a baseline of the same run passes the gate, a smaller one does not") {
  Scratch scratch;
  const GateRun before = gate_run("check fixtures/ecosystem/* --format json");
  REQUIRE(before.code == 1);
  const fs::path baseline = scratch.file("baseline.json", before.out);
  const auto previous = nlohmann::json::parse(before.out);
  int total = 0;
  for (const auto& repo : previous["repos"])
    total += static_cast<int>(repo["findings"].size());

  const GateRun r =
      gate_run("check fixtures/ecosystem/* --format github --baseline '" + baseline.string() + "'");
  CHECK(r.code == 0);
  CHECK(r.err == "otel-audit: " + std::to_string(total) + " finding(s) already in the baseline \"" +
                     baseline.string() +
                     "\" are accepted: they count for neither the summary, the score, the verdict "
                     "nor the gate\n");
  CHECK(r.out.find("::error") == std::string::npos);
  // Accepted findings count for neither the score nor the verdict.
  CHECK(r.out.find("verdict GO (score 100, " + std::to_string(total) + " baselined)") !=
        std::string::npos);

  // Drop policy-engine's findings from the baseline: its blocker is new again.
  auto smaller = previous;
  for (auto& repo : smaller["repos"])
    if (repo["name"] == "policy-engine") repo["findings"] = nlohmann::json::array();
  const fs::path partial = scratch.file("partial.json", smaller.dump());
  const GateRun again =
      gate_run("check fixtures/ecosystem/* --format github --baseline '" + partial.string() + "'");
  CHECK(again.code == 1);
  // Its 4 blockers and 4 high findings (2 jaeger-code, service-name-format,
  // deploy-direct-to-jaeger) are errors.
  CHECK(count_lines_starting(again.out, "::error file=fixtures/ecosystem/policy-engine/") == 8);
  CHECK(count_lines_starting(again.out, "::error file=fixtures/ecosystem/edge-agent/") == 0);
}

TEST_CASE("cli gate: a malformed or missing baseline is a usage error") {
  Scratch scratch;
  const fs::path bad =
      scratch.file("bad.json", "{\"schema\": \"otel-audit/v1\",\n \"repos\": [1,]}");
  const GateRun r =
      gate_run("check fixtures/cases/jaeger-propagator --baseline '" + bad.string() + "'");
  CHECK(r.code == 2);
  CHECK(r.out == "");
  CHECK(r.err == "otel-audit: error: baseline \"" + bad.string() +
                     "\" is not valid JSON: parse error at line 2, column 14: syntax error while "
                     "parsing value - unexpected ']'; expected '[', '{', or a literal\n");
  const GateRun missing =
      gate_run("check fixtures/cases/jaeger-propagator --baseline /nonexistent/b.json");
  CHECK(missing.code == 2);
  CHECK(missing.err == "otel-audit: error: cannot read baseline \"/nonexistent/b.json\"\n");
}

TEST_CASE("cli gate: -W exempts findings from the gate, -D makes them fail it") {
  const GateRun warned = gate_run("check fixtures/ecosystem/* -W blocker --format json");
  CHECK(warned.code == 0);
  CHECK(warned.err == "");
  CHECK(nlohmann::json::parse(warned.out)["summary"]["blocker"] == 7); // still reported
  const GateRun denied = gate_run("check fixtures/cases/jaeger-propagator -D no-lockfile");
  CHECK(denied.code == 1);
  const GateRun by_severity = gate_run("check fixtures/cases/jaeger-propagator -D info");
  CHECK(by_severity.code == 1);
}

TEST_CASE("cli gate: -A drops findings from the report and the gate") {
  const GateRun r =
      gate_run("check fixtures/ecosystem/* -A deprecated-exporter -A otel-version-behind "
               "-A link-incompatible --format json");
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["summary"]["blocker"] == 0);
  CHECK(r.code == 0);
  CHECK(r.err.find("finding(s) allowed by -A are not reported\n") != std::string::npos);
  const GateRun info = gate_run("check fixtures/cases/jaeger-propagator -A info --format json");
  CHECK(info.code == 0);
  CHECK(nlohmann::json::parse(info.out)["repos"][0]["findings"] == nlohmann::json::array());
  CHECK(info.err == "otel-audit: 1 finding(s) allowed by -A are not reported\n");
}

TEST_CASE("cli gate: level entries that match nothing are reported, bad ones refused") {
  const GateRun stale = gate_run("check fixtures/cases/jaeger-propagator -W deprecated-exporter");
  CHECK(stale.code == 0);
  CHECK(stale.err == "otel-audit: warning: -W \"deprecated-exporter\" matched no finding\n");
  const GateRun unknown = gate_run("check fixtures/cases/jaeger-propagator -A no-such-rule");
  CHECK(unknown.code == 2);
  CHECK(unknown.err == "otel-audit: error: -A \"no-such-rule\" is neither a rule id (see "
                       "`otel-audit rules`) nor a severity (blocker, high, medium, low, info)\n");
  const GateRun both = gate_run("check fixtures/cases/jaeger-propagator -A info -D info");
  CHECK(both.code == 2);
  CHECK(both.err == "otel-audit: error: -A and -D both name \"info\"\n");
}

TEST_CASE("cli gate: verdict and gate are two answers, and the exit code is the gate's") {
  // No blocker, a score over the readiness minimum: GO; the gate set at low fails all the same.
  const GateRun low = gate_run("check fixtures/ecosystem/sentinel --fail-on low");
  CHECK(low.code == 1);
  CHECK(low.out.substr(low.out.find("\nverdict:") + 1) ==
        "verdict: GO (score 95/100, readiness minimum 50, target 0.27, 0 blockers)\n"
        "gate: FAILED \xE2\x80\x94 2 findings at or above low (--fail-on low)\n");
  // Blockers under -W: NO-GO, and the gate passes.
  const GateRun warned = gate_run("check fixtures/ecosystem/policy-engine -W blocker");
  CHECK(warned.code == 0);
  CHECK(warned.out.substr(warned.out.find("\nverdict:") + 1) ==
        "verdict: NO-GO (score 0/100, readiness minimum 50, target 0.27, 4 blockers)\n"
        "gate: passed\n");
  const auto json = nlohmann::json::parse(
      gate_run("check fixtures/ecosystem/sentinel --fail-on low --min-score 96 --format json").out);
  CHECK(json["verdict"] == "GO");
  CHECK(json["gate"].dump() ==
        R"j({"fail_on":"low","min_score":96,"passed":false,"reasons":)j"
        R"j(["2 findings at or above low (--fail-on low)","score 95 below --min-score 96"]})j");
}

TEST_CASE("cli gate: a bar set in the config file is named in the gate's reason") {
  Scratch scratch;
  const fs::path config = scratch.file("otel-audit.toml", "[policy]\nfail-on = \"medium\"\n");
  const GateRun r =
      gate_run("check fixtures/ecosystem/sentinel --config '" + config.string() + "'");
  CHECK(r.code == 1);
  CHECK(r.out.substr(r.out.rfind("gate:")) == "gate: FAILED \xE2\x80\x94 1 finding at or above "
                                              "medium (" +
                                                  config.string() + " [policy] fail-on medium)\n");
}

TEST_CASE("cli gate: a path with nothing to audit is a usage error naming it") {
  Scratch scratch;
  fs::create_directories(scratch.dir / "empty" / "docs");
  scratch.file("empty/docs/notes.md", "# not Rust\n");
  const std::string empty = (scratch.dir / "empty").string();
  const GateRun r = gate_run("check fixtures/ecosystem/shield '" + empty + "'");
  CHECK(r.code == 2);
  CHECK(r.out == "");
  CHECK(r.err == "otel-audit: error: " + empty +
                     ": no Cargo.toml anywhere under it, and no deployment files: nothing to "
                     "audit\n");
  const GateRun scan = gate_run("scan '" + empty + "'");
  CHECK(scan.code == 2);
  CHECK(scan.err == r.err);
}

TEST_CASE("cli gate: deployment files without Rust are audited, saying there is no Rust") {
  Scratch scratch;
  fs::create_directories(scratch.dir / "deploy-only");
  scratch.file("deploy-only/docker-compose.yml",
               "services:\n  jaeger:\n    image: jaegertracing/all-in-one:1.35\n");
  const std::string dir = (scratch.dir / "deploy-only").string();
  const GateRun r = gate_run("check '" + dir + "' --show info");
  CHECK(r.code == 0);
  CHECK(r.out.rfind("deploy-only (" + dir +
                        "): no-otel, score 96/100, no Rust (no Cargo.toml): only its deployment "
                        "files are audited\n",
                    0) == 0);
  CHECK(r.out.find("medium[deploy-jaeger-no-otlp]") != std::string::npos);
}
