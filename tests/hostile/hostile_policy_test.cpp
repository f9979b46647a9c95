// A policy from inside the audited repository: `cd repo && otel-audit check .` reads
// repo/otel-audit.toml, which the pull request under review may have written (`fail-on =
// "none"` switches its own gate off). Every report says where its policy came from, the file is
// announced on stderr, and --no-config or OTEL_AUDIT_NO_CONFIG=1 ignores it.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "support/cli_run.h"
#include "support/git_repo.h"

using namespace otelaudit::testsupport;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

/// `otel-audit <args>` run from `cwd` with the environment assignments `env`.
CliRun run_in(const fs::path& cwd, const std::string& args, const std::string& env = "") {
  const fs::path out = cwd.parent_path() / "stdout", err = cwd.parent_path() / "stderr";
  const std::string cmd = "cd '" + cwd.string() + "' && CI=true NO_COLOR=1 " + env + " '" +
                          OTEL_AUDIT_BINARY + "' " + args + " >'" + out.string() + "' 2>'" +
                          err.string() + "'";
  const int status = std::system(cmd.c_str());
  CliRun r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

} // namespace

TEST_CASE("hostile policy: a config file inside the audited repository is announced, reported "
          "and ignored on request") {
  TempDir tmp;
  const fs::path app = tmp.path() / "app";
  // opentelemetry 0.21 against 0.27 is a blocker: the default gate fails.
  write(app / "Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\n"
                            "opentelemetry = \"0.21\"\n");
  write(app / "src/main.rs", "fn main() {}\n");
  write(app / "otel-audit.toml", "[policy]\nfail-on = \"none\"\n");

  // Read, as before, but said on stderr and in every report.
  CliRun r = run_in(app, "check .");
  CHECK(r.code == 0);
  CHECK(r.err.find("otel-audit: warning: the policy comes from otel-audit.toml, inside the "
                   "audited repository app: its content decides the gate (ignore it with "
                   "--no-config or OTEL_AUDIT_NO_CONFIG=1)\n") != std::string::npos);
  CHECK(r.out.find("\npolicy: otel-audit.toml, inside the audited repository app\n") !=
        std::string::npos);
  r = run_in(app, "check --format json .");
  CHECK(r.code == 0);
  const nlohmann::json j = nlohmann::json::parse(r.out);
  CHECK(j["policy_source"] ==
        nlohmann::json(
            {{"file", "otel-audit.toml"}, {"inside_repository", "app"}, {"ignored", nullptr}}));
  r = run_in(app, "check --format markdown .");
  CHECK(r.out.find("\nPolicy: otel-audit.toml, inside the audited repository app.\n") !=
        std::string::npos);
  // Ignored: the built-in gate applies and fails.
  for (const auto& [args, env] :
       {std::pair{"check --no-config .", ""}, std::pair{"check .", "OTEL_AUDIT_NO_CONFIG=1"}}) {
    CAPTURE(args);
    r = run_in(app, args, env);
    CHECK(r.code == 1);
    CHECK(r.err.find("inside the audited repository") == std::string::npos);
    CHECK(r.out.find("\npolicy: built-in defaults (otel-audit.toml ignored: --no-config)\n") !=
          std::string::npos);
  }

  // A value the switch does not know is an error, not the same as unset.
  r = run_in(app, "check .", "OTEL_AUDIT_NO_CONFIG=true");
  CHECK(r.code == 2);
  CHECK(r.err == "otel-audit: error: OTEL_AUDIT_NO_CONFIG is \"true\": expected 1 (ignore "
                 "./otel-audit.toml) or 0\n");
  CHECK(r.out == "");

  // From outside, with no config file: the defaults, said so.
  r = run_in(tmp.path(), "check app");
  CHECK(r.code == 1);
  CHECK(r.out.find("\npolicy: built-in defaults (no config file)\n") != std::string::npos);
  // A config file of the current directory outside the audited repository is the user's own.
  write(tmp.path() / "otel-audit.toml", "[policy]\nfail-on = \"none\"\n");
  r = run_in(tmp.path(), "check app");
  CHECK(r.code == 0);
  CHECK(r.err.find("inside the audited repository") == std::string::npos);
  CHECK(r.out.find("\npolicy: otel-audit.toml\n") != std::string::npos);
}

TEST_CASE("hostile policy: an inline allow comment is counted as suppressed, never as clean") {
  TempDir tmp;
  const fs::path app = tmp.path() / "app";
  write(app / "Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\n"
                            "# otel-audit: allow(otel-version-behind) upgrade planned\n"
                            "opentelemetry = \"0.21\"\n");
  write(app / "src/main.rs", "fn main() {}\n");
  CliRun r = run_in(tmp.path(), "check --format json app");
  const nlohmann::json j = nlohmann::json::parse(r.out);
  CHECK(j["summary"]["suppressed"] == 1);
  CHECK(j["summary"]["blocker"] == 0);
  r = run_in(tmp.path(), "check app");
  CHECK(r.out.find("1 suppressed") != std::string::npos);
}
