#include <doctest/doctest.h>

#include "golden.h"
#include "report/github.h"
#include "report/sample.h"

using namespace otelaudit;

TEST_CASE("github: sample audit matches the golden file") {
  check_golden("report/audit.github.txt", render_github(sample_audit()));
}

TEST_CASE("github: one workflow command per finding, exact") {
  const std::string out = render_github(sample_audit());
  CHECK(out.find("::error file=repos/edge-agent/Cargo.toml,line=7,col=29,"
                 "title=otel-version-behind::opentelemetry 0.26 is one line behind the target "
                 "0.27 Suggested change: opentelemetry = { version = \"0.27\" }\n") !=
        std::string::npos);
  CHECK(out.find("::warning file=repos/policy-engine/Cargo.toml,line=9,col=17,"
                 "title=invalid-requirement::") != std::string::npos);
  CHECK(out.find("::notice file=repos/edge-agent/Cargo.toml,line=6,col=11,"
                 "title=companion-drift::metrics 0.23 differs from the canonical 0.24 Suggested "
                 "change: metrics = \"0.24\"\n") != std::string::npos);
  // Line 0: neither line nor col.
  CHECK(out.find("::notice file=repos/policy-engine/Cargo.toml,title=no-lockfile::no Cargo.lock: "
                 "policy-engine is audited from its requirements alone\n") != std::string::npos);
  // 100 - 10 - 1 - 10 - 10 - 1 = 68, 100 - 4 - 40 - 10 = 46 and 100: a mean of 71 (scoring.md).
  CHECK(out.substr(out.rfind("::notice::otel-audit verdict")) ==
        "::notice::otel-audit verdict NO-GO (score 71)\n"
        "::notice::otel-audit gate passed\n");
}

TEST_CASE("github: messages and properties are escaped the way the runner reads them") {
  CHECK(github_escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b");
  CHECK(github_escape_property("C:\\dir,x%\n") == "C%3A\\dir%2Cx%25%0A");
  // Controls and format characters are shown escaped, never written raw into the log.
  CHECK(github_escape_data("a\x1b]0;t\x07 \xC2\x9B"
                           "2J \xE2\x80\xAE") == "a\\u{1b}]0;t\\u{7} \\u{9b}2J \\u{202e}");

  AuditResult result;
  result.target = "0.27";
  RepoResult repo;
  repo.name = "r";
  repo.path = "./repos/a,b";
  Finding f;
  f.rule = "manifest-parse-error";
  f.severity = Severity::high;
  f.repo = "r";
  f.loc = {"crates/x:y/Cargo.toml", 3, 0};
  f.message = "expected `=`\nfound 100%";
  repo.findings.push_back(f);
  Finding hidden = f;
  hidden.suppressed = true;
  repo.findings.push_back(hidden);
  Finding known = f;
  known.baselined = true;
  repo.findings.push_back(known);
  result.repos.push_back(repo);
  // Neither the baselined nor the suppressed finding counts for the score: 90.
  score_with_bundled_rules(result);
  CHECK(render_github(result) ==
        "::error file=repos/a%2Cb/crates/x%3Ay/Cargo.toml,line=3,title=manifest-parse-error::"
        "expected `=`%0Afound 100%25\n"
        "::notice::otel-audit verdict GO (score 90, 1 baselined, 1 suppressed)\n"
        "::notice::otel-audit gate passed\n");
}

TEST_CASE("github: a repository given as . annotates bare file paths") {
  AuditResult result;
  result.target = "0.27";
  RepoResult repo;
  repo.name = "here";
  repo.path = ".";
  Finding f;
  f.rule = "no-lockfile";
  f.severity = Severity::info;
  f.repo = "here";
  f.loc = {"Cargo.toml", 0, 0};
  f.message = "m";
  repo.findings.push_back(f);
  result.repos.push_back(repo);
  CHECK(render_github(result) == "::notice file=Cargo.toml,title=no-lockfile::m\n"
                                 "::notice::otel-audit verdict GO (score 100)\n"
                                 "::notice::otel-audit gate passed\n");
  CHECK(github_command(Severity::blocker) == "error");
  CHECK(github_command(Severity::medium) == "warning");
  CHECK(github_command(Severity::low) == "notice");
}
