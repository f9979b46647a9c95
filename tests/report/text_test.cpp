#include <doctest/doctest.h>

#include <regex>

#include "golden.h"
#include "report/sample.h"
#include "report/text.h"

using namespace otelaudit;

namespace {

std::string strip_ansi(const std::string& s) {
  static const std::regex ansi("\x1b\\[[0-9;]*m");
  return std::regex_replace(s, ansi, "");
}

} // namespace

TEST_CASE("report text: sample audit matches the golden file") {
  check_golden("report/audit.txt", render_text(sample_audit(), TextOptions{}));
}

TEST_CASE("report text: one finding drawn with its source line and carets") {
  AuditResult result;
  result.target = "0.27";
  RepoResult repo;
  repo.name = "edge-agent";
  repo.path = "../edge-agent";
  repo.otel_line = "0.26";
  repo.has_lockfile = false;
  repo.findings = {sample_finding(
      "otel-version-behind", Severity::high, "edge-agent", Location{"Cargo.toml", 24, 29},
      "opentelemetry 0.26 is one line behind the target 0.27", "opentelemetry = \"0.27\"", "")};
  repo.sources = {
      {"Cargo.toml", std::string(23, '\n') + "opentelemetry = { version = \"0.26\" }\n"}};
  result.repos.push_back(repo);
  score_with_bundled_rules(result); // one high finding: 90, 3 h (docs/scoring.md)

  CHECK(render_text(result, TextOptions{}) ==
        "edge-agent (../edge-agent): behind, score 90/100, OpenTelemetry 0.26, no Cargo.lock: "
        "audited from requirements alone\n"
        "\n"
        "high[otel-version-behind]: opentelemetry 0.26 is one line behind the target 0.27\n"
        "  --> edge-agent/Cargo.toml:24:29\n"
        "   |\n"
        "24 | opentelemetry = { version = \"0.26\" }\n"
        "   |                             ^^^^^^\n"
        "   = fix: opentelemetry = \"0.27\"\n"
        "\n"
        "findings by rule:\n"
        "  rule                 blocker  high  medium  low  info\n"
        "  otel-version-behind        .     1       .    .     .\n"
        "fix first: high[otel-version-behind] at edge-agent/Cargo.toml:24: opentelemetry 0.26 is "
        "one line behind the target 0.27 (fix: opentelemetry = \"0.27\")\n"
        "summary: 1 repository, 1 finding (0 blockers, 1 high, 0 medium, 0 low, 0 info), about 3 "
        "h to readiness\n"
        "policy: built-in defaults (no config file)\n"
        "verdict: GO (score 90/100, readiness minimum 50, target 0.27, 0 blockers)\n"
        "gate: passed\n");
}

TEST_CASE("report text: an empty audit is only the summary, the verdict and the gate") {
  AuditResult result;
  result.target = "0.27";
  CHECK(render_text(result, TextOptions{}) ==
        "summary: 0 repositories, no findings\n"
        "policy: built-in defaults (no config file)\n"
        "verdict: GO (score 100/100, readiness minimum 0, target 0.27, 0 blockers)\n"
        "gate: passed\n");
}

TEST_CASE("report text: the last line is the gate, with every reason it failed") {
  AuditResult result;
  result.target = "0.27";
  result.gate.failed = true;
  result.gate.reasons = {"3 findings at or above high (--fail-on high)",
                         "score 40 below --min-score 50"};
  const std::string text = render_text(result, TextOptions{});
  CHECK(text.substr(text.rfind('\n', text.size() - 2) + 1) ==
        "gate: FAILED \xE2\x80\x94 3 findings at or above high (--fail-on high); score 40 below "
        "--min-score 50\n");
}

TEST_CASE("report text: colour codes only when asked, layout otherwise identical") {
  const AuditResult result = sample_audit();
  const std::string plain = render_text(result, TextOptions{false});
  const std::string colored = render_text(result, TextOptions{true});
  CHECK(plain.find('\x1b') == std::string::npos);
  CHECK(colored.find("\x1b[1;35mblocker[deprecated-exporter]\x1b[0m") != std::string::npos);
  CHECK(colored.find("\x1b[1;31mNO-GO\x1b[0m") != std::string::npos);
  CHECK(strip_ansi(colored) == plain);
}

TEST_CASE("report text: caret span covers the token at the column") {
  CHECK(caret_span("opentelemetry = { version = \"0.26\" }", 29).offset == 28);
  CHECK(caret_span("opentelemetry = { version = \"0.26\" }", 29).width == 6);
  // a word: letters, digits, '_', '-', '.'
  CHECK(caret_span("opentelemetry-jaeger = { version }", 1).width == 20);
  CHECK(caret_span("x = a_b-c.d::e", 5).width == 7);
  // anything else: one caret
  CHECK(caret_span("x = { y }", 5).width == 1);
  // escaped quote inside a string, and an unterminated string running to the end
  CHECK(caret_span(R"(k = "a\"b" # c)", 5).width == 6);
  CHECK(caret_span(R"(k = "abc)", 5).width == 4);
  // a column past the end points just after the line
  CHECK(caret_span("abc", 9).offset == 3);
  CHECK(caret_span("abc", 9).width == 1);
  // columns count characters, tabs take four cells
  CHECK(caret_span("\tlet r\xC3\xA9glage = opentelemetry_jaeger::x", 16).offset == 18);
  CHECK(caret_span("\tlet r\xC3\xA9glage = opentelemetry_jaeger::x", 16).width == 20);
  CHECK(caret_span("\xC3\xA9\xC3\xA9 \"\xC3\xA9\"", 4).offset == 3);
  CHECK(caret_span("\xC3\xA9\xC3\xA9 \"\xC3\xA9\"", 4).width == 3);
}

TEST_CASE("report text: source lines cannot steer the terminal") {
  CHECK(display_line("a\tb") == "a    b");
  CHECK(display_line("a\x1b[31mb") == "a\\u{1b}[31mb");
  CHECK(display_line("8-bit \xC2\x9B"
                     "2J, bidi \xE2\x80\xAE.") == "8-bit \\u{9b}2J, bidi \\u{202e}.");
  // The caret stays under its token when an escape widens the line before it.
  CHECK(caret_span("\x1b x", 3).offset == 7);
  CHECK(display_line("bad \xFF byte") == "bad \xEF\xBF\xBD byte");
  CHECK(display_line("\xE2\x82") == "\xEF\xBF\xBD\xEF\xBF\xBD"); // truncated sequence
  CHECK(display_line("\xC3\xA9t\xC3\xA9") == "\xC3\xA9t\xC3\xA9");
}

TEST_CASE("report text: control characters in messages are neutralised") {
  AuditResult result;
  result.target = "0.27";
  RepoResult repo;
  repo.name = "r";
  repo.status = RepoStatus::aligned;
  repo.has_lockfile = true;
  repo.findings = {sample_finding("misnamed-crate", Severity::low, "r",
                                  Location{"Cargo.toml", 3, 1},
                                  "crate \x1b]0;owned\x07 does\nnot exist", "", "")};
  result.repos.push_back(repo);
  const std::string text = render_text(result, TextOptions{});
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find("low[misnamed-crate]: crate \\u{1b}]0;owned\\u{7} does not exist\n"
                  " --> r/Cargo.toml:3:1\n\n") != std::string::npos);
}

TEST_CASE("report text: suppressed and baselined findings say why they do not count") {
  AuditResult result;
  result.target = "0.27";
  RepoResult repo;
  repo.name = "shield";
  Finding f = sample_finding("companion-drift", Severity::low, "shield",
                             Location{"Cargo.toml", 0, 0}, "metrics 0.21 differs", "", "");
  f.suppressed = true;
  f.suppression = "pinned until PLAT-9";
  Finding g = f;
  g.suppressed = false;
  g.baselined = true;
  repo.findings = {f, g};
  result.repos.push_back(repo);
  TextOptions options;
  options.show_suppressed = true;
  const std::string text = render_text(result, options);
  CHECK(text.find("low[companion-drift]: metrics 0.21 differs\n --> shield/Cargo.toml\n"
                  "  = note: suppressed: pinned until PLAT-9; not counted for the score or the "
                  "gate\n") != std::string::npos);
  CHECK(text.find("  = note: already in the baseline; not counted for the score or the gate\n") !=
        std::string::npos);
}

TEST_CASE("report text: a byte order mark is no column and is not shown") {
  CHECK(display_line("\xEF\xBB\xBFuse a;") == "use a;");
  const CaretSpan span = caret_span("\xEF\xBB\xBFuse opentelemetry_jaeger::x;", 5);
  CHECK(span.offset == 4);
  CHECK(span.width == 20);
}
