// Quiet by default: the text and Markdown reports print the findings at or above --show, most
// severe first, count the rest with the flag that shows them, and the text report ends with a
// table of the findings by rule and the one finding to fix first.
#include <doctest/doctest.h>

#include "report/markdown.h"
#include "report/sample.h"
#include "report/text.h"
#include "report/view.h"

using namespace otelaudit;

namespace {

/// One repository whose findings, in file order, are of every severity but in no severity order.
AuditResult mixed_audit() {
  AuditResult result;
  result.target = "0.27";
  RepoResult repo;
  repo.name = "gateway";
  repo.path = "repos/gateway";
  repo.otel_line = "0.26";
  repo.has_lockfile = true;
  auto add = [&](std::string rule, Severity s, std::string file, int line, std::string fix) {
    repo.findings.push_back(sample_finding(
        std::move(rule), s, "gateway", {std::move(file), line, 1}, "m", std::move(fix), "gateway"));
  };
  add("no-lockfile", Severity::info, "Cargo.toml", 1, "");
  add("companion-drift", Severity::low, "Cargo.toml", 4, "metrics = \"0.24\"");
  add("otel-version-behind", Severity::high, "Cargo.toml", 7, "opentelemetry = \"0.27\"");
  add("deprecated-exporter", Severity::blocker, "Cargo.toml", 9, "opentelemetry-otlp = \"0.27\"");
  add("missing-propagation", Severity::medium, "src/client.rs", 3, "");
  add("removed-api", Severity::high, "src/main.rs", 2, "");
  add("env-var-nonstandard", Severity::info, "src/main.rs", 5, "");
  result.repos.push_back(repo);
  score_with_bundled_rules(result);
  return result;
}

std::string order_of(const std::vector<const Finding*>& shown) {
  std::string out;
  for (const Finding* f : shown)
    out += (out.empty() ? "" : " ") + f->rule;
  return out;
}

} // namespace

TEST_CASE("view: findings by severity, then file and line, at or above --show") {
  const AuditResult result = mixed_audit();
  CHECK(order_of(shown_findings(result.repos[0], TextOptions{})) ==
        "deprecated-exporter otel-version-behind removed-api missing-propagation companion-drift");
  TextOptions all;
  all.show = Severity::info;
  CHECK(order_of(shown_findings(result.repos[0], all)) ==
        "deprecated-exporter otel-version-behind removed-api missing-propagation companion-drift "
        "no-lockfile env-var-nonstandard");
  TextOptions high;
  high.show = Severity::high;
  CHECK(order_of(shown_findings(result.repos[0], high)) ==
        "deprecated-exporter otel-version-behind removed-api");
  CHECK(hidden_counts(result.summary, TextOptions{}) == "2 info (--show info)");
  CHECK(hidden_counts(result.summary, high) ==
        "1 medium (--show medium), 1 low (--show low), 2 info (--show info)");
  CHECK(hidden_counts(result.summary, all) == "");
}

TEST_CASE("view: the text report ends with the rule table, the fix first, summary, verdict, gate") {
  const std::string text = render_text(mixed_audit(), TextOptions{});
  CHECK(text.find("info[no-lockfile]") == std::string::npos); // counted, in the rule table
  CHECK(text.find("blocker[deprecated-exporter]") < text.find("high[otel-version-behind]"));
  CHECK(
      text.substr(text.find("findings by rule:")) ==
      "findings by rule:\n"
      "  rule                 blocker  high  medium  low  info\n"
      "  deprecated-exporter        1     .       .    .     .\n"
      "  otel-version-behind        .     1       .    .     .\n"
      "  removed-api                .     1       .    .     .\n"
      "  missing-propagation        .     .       1    .     .\n"
      "  companion-drift            .     .       .    1     .\n"
      "  env-var-nonstandard        .     .       .    .     1\n"
      "  no-lockfile                .     .       .    .     1\n"
      "fix first: blocker[deprecated-exporter] at gateway/Cargo.toml:9: m (fix: "
      "opentelemetry-otlp = \"0.27\")\n"
      "summary: 1 repository, 7 findings (1 blocker, 2 high, 1 medium, 1 low, 2 info), about 22 h "
      "to readiness; not shown: 2 info (--show info)\n"
      "policy: built-in defaults (no config file)\n"
      "verdict: NO-GO (score 35/100, readiness minimum 50, target 0.27, 1 blocker)\n"
      "gate: passed\n");
}

TEST_CASE("view: Markdown shows the findings at or above --show and says what it left out") {
  const AuditResult result = mixed_audit();
  const std::string md = render_markdown(result);
  CHECK(md.find("| info | no-lockfile |") == std::string::npos);
  CHECK(md.find("\nNot shown: 2 info (--show info).\n") != std::string::npos);
  CHECK(md.find("| blocker | deprecated-exporter |") < md.find("| high | otel-version-behind |"));
  TextOptions high;
  high.show = Severity::high;
  const std::string quiet = render_markdown(result, high);
  CHECK(quiet.find("## Medium") == std::string::npos);
  CHECK(quiet.find("| medium | missing-propagation |") == std::string::npos);
  TextOptions all;
  all.show = Severity::info;
  CHECK(render_markdown(result, all).find("| info | no-lockfile |") != std::string::npos);
}
