// Credentials near the audit: in the URLs the user gives (a password holding `#`, `?`, `/` or
// a blank, which a URL parser cuts short) and inside the audited content (a manifest's
// `git = "https://user:token@…"`, a .env or Compose value the report quotes). None may reach a
// report in any format, or stderr on any error path.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/cli_run.h"
#include "support/git_repo.h"

using namespace otelaudit::testsupport;
namespace fs = std::filesystem;

namespace {

CliRun run(const std::string& args) {
  return run_cli(args, "CI=true NO_COLOR=1");
}

std::string quoted(const fs::path& p) {
  return "'" + p.string() + "'";
}

void write(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

// Pieces of the secrets below; none may appear in any output.
const std::vector<std::string> kSecrets = {"pa#ss",     "wd?x",          "s3cr3t-t0ken",
                                           "hunter2pw", "sekrit-bearer", "ghp_leak123"};

std::string leaked(const std::string& text) {
  for (const std::string& s : kSecrets)
    if (text.find(s) != std::string::npos) return s;
  return "";
}

} // namespace

TEST_CASE("hostile credentials: secrets inside an audited repository reach no report") {
  TempDir tmp;
  const fs::path app = tmp.path() / "app";
  // A git dependency with a password holding `#`, `?` and `/`, one on another audited
  // repository (the graph's edge carries its URL), a token-only URL.
  write(app / "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\n"
        "opentelemetry = { git = \"https://bob:pa#ss/wd?x@github.com/open-telemetry/"
        "opentelemetry-rust\", tag = \"v0.21.0\" }\n"
        "lib = { git = \"https://bob:s3cr3t-t0ken@github.com/org/lib\" }\n"
        "tracing-opentelemetry = { git = \"https://ghp_leak123@example.com/x/y.git\" }\n");
  write(app / "src/main.rs", "fn main() {}\n");
  // Values the deployment rules quote: a sampler ratio holding an endpoint with a password,
  // and an authorization header.
  write(app / ".env", "OTEL_TRACES_SAMPLER_ARG=https://u:hunter2pw@collector\n"
                      "OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer sekrit-bearer\n");
  write(app / "docker-compose.yml", "services:\n  app:\n    build: .\n    environment:\n"
                                    "      OTEL_TRACES_SAMPLER: traceidratio\n"
                                    "      OTEL_TRACES_SAMPLER_ARG: \"https://u:hunter2pw@x\"\n");
  const fs::path lib = tmp.path() / "lib";
  write(lib / "Cargo.toml", "[package]\nname = \"lib\"\nversion = \"0.1.0\"\n");
  write(lib / "src/lib.rs", "\n");

  for (const std::string format : {"text", "markdown", "github", "json", "sarif"}) {
    CAPTURE(format);
    CliRun r =
        run("check --fail-on none --format " + format + " " + quoted(app) + " " + quoted(lib));
    REQUIRE(r.code == 0);
    CHECK(leaked(r.out) == "");
    CHECK(leaked(r.err) == "");
    // The findings that quote them are still there, redacted.
    if (format != "markdown")
      CHECK(r.out.find("OTEL_TRACES_SAMPLER_ARG=https://***@collector") != std::string::npos);
    else
      CHECK(r.out.find("OTEL\\_TRACES\\_SAMPLER\\_ARG=https://\\*\\*\\*@collector") !=
            std::string::npos);
    if (format == "text")
      // Source lines keep their length, so the carets stay under their tokens.
      CHECK(r.out.find("opentelemetry = { git = \"https://**************@github.com/") !=
            std::string::npos);
    if (format == "json")
      CHECK(r.out.find("\"url\": \"https://***@github.com/org/lib\"") != std::string::npos);
  }

  // scan writes the findings into its document, report renders it.
  const fs::path doc = tmp.path() / "app.json";
  CliRun r = run("scan --output " + quoted(doc) + " " + quoted(app));
  REQUIRE(r.code == 0);
  CHECK(leaked(read_file(doc)) == "");
  r = run("report --fail-on none --format text " + quoted(doc));
  REQUIRE(r.code == 0);
  CHECK(leaked(r.out) == "");
}

TEST_CASE("hostile credentials: a URL's password reaches no error message, whatever it holds") {
  TempDir tmp;
  // libgit2 calls these URLs malformed and quotes them; the cache has no copy offline.
  for (const std::string url : {"https://bob:pa#ss/wd?x@127.0.0.1:9/org/repo.git",
                                "https://bob:pa#ss wd?x@127.0.0.1:9/org/repo.git"}) {
    CAPTURE(url);
    for (const std::string cmd : {"check", "scan", "history"}) {
      CAPTURE(cmd);
      for (const std::string offline : {" --offline", ""}) {
        CliRun r = run(cmd + offline + " --network-timeout 20 --cache-dir " +
                       quoted(tmp.path() / "cache") + " '" + url + "'");
        CHECK(r.code != 0);
        CHECK(r.err.find("https://***@127.0.0.1:9/org/repo.git") != std::string::npos);
        CHECK(leaked(r.err) == "");
        CHECK(leaked(r.out) == "");
      }
    }
  }
}
