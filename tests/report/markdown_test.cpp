#include <doctest/doctest.h>

#include "golden.h"
#include "graph/analysis.h"
#include "report/markdown.h"
#include "report/sample.h"

using namespace otelaudit;

TEST_CASE("report markdown: sample audit matches the golden file") {
  check_golden("report/audit.md", render_markdown(sample_audit()));
}

TEST_CASE("report markdown: a pipe in a message stays inside its cell") {
  const std::string md = render_markdown(sample_audit());
  CHECK(md.find("| medium | invalid-requirement | `Cargo.toml:9:17` | version requirement "
                "\"0.21 \\| 0.22\" is not valid Cargo syntax | `opentelemetry = \"0.27\"` |\n") !=
        std::string::npos);
}

TEST_CASE("report markdown: an audit without findings") {
  AuditResult result;
  result.target = "0.27";
  RepoResult repo;
  repo.name = "shield";
  repo.status = RepoStatus::no_otel;
  result.repos.push_back(repo);
  CHECK(render_markdown(result) ==
        "# OpenTelemetry readiness: GO\n"
        "\n"
        "Target OpenTelemetry line **0.27**, score **100/100** over 1 repository. No findings.\n"
        "\n"
        "**Verdict:** GO (score 100/100, readiness minimum 0, 0 blockers). **Gate:** passed.\n"
        "\n"
        "Policy: built-in defaults (no config file).\n"
        "\n"
        "## Alignment\n"
        "\n"
        "| Repository | OpenTelemetry | Exporter | Tracing bridge | Lockfile | Status | Score "
        "| Time to readiness |\n"
        "|---|---|---|---|---|---|---:|---:|\n"
        "| shield | none | none | none | no | no-otel | 100 | 0 h |\n"
        "\n"
        "## Blockers\n"
        "\n"
        "None.\n"
        "\n"
        "## High\n"
        "\n"
        "None.\n"
        "\n"
        "## Medium\n"
        "\n"
        "None.\n"
        "\n"
        "## Findings by repository\n"
        "\n"
        "### shield\n"
        "\n"
        "No findings.\n");
}

TEST_CASE("report markdown: escaping inline text") {
  CHECK(markdown_escape("a|b") == "a\\|b");
  CHECK(markdown_escape("*x* _y_ `z` [l](u) <b> ~s~ &amp; #h !") ==
        "\\*x\\* \\_y\\_ \\`z\\` \\[l\\](u) \\<b\\> \\~s\\~ \\&amp; \\#h \\!");
  CHECK(markdown_escape("back\\slash") == "back\\\\slash");
  CHECK(markdown_escape("two\nlines\r\tand tab") == "two lines  and tab");
  // Other controls and format characters are shown escaped (the backslash escaped in turn).
  CHECK(markdown_escape("\x1b]0;t\x07 \xE2\x80\xAE") == "\\\\u{1b}\\]0;t\\\\u{7} \\\\u{202e}");
  CHECK(markdown_code("a\xC2\x9B"
                      "b",
                      false) == "`a\\u{9b}b`");
  CHECK(markdown_escape("0.26 is behind 0.27") == "0.26 is behind 0.27");
}

TEST_CASE("report markdown: code spans") {
  CHECK(markdown_code("", true) == "");
  CHECK(markdown_code("a = \"1\"", true) == "`a = \"1\"`");
  CHECK(markdown_code("a | b", true) == "`a \\| b`");
  CHECK(markdown_code("a | b", false) == "`a | b`");
  CHECK(markdown_code("x`y", false) == "``x`y``");
  CHECK(markdown_code("`x``", false) == "``` `x`` ```");
  CHECK(markdown_code("a\nb", false) == "`a b`");
  CHECK(markdown_code("a\\|b", true) == "a\\\\\\|b");
  CHECK(markdown_code("a\\|b", false) == "`a\\|b`");
}

TEST_CASE("report markdown: the graph escapes names and colours edges by compatibility") {
  AuditResult result;
  result.target = "0.27";
  for (auto [name, line] : {std::pair{"a-b", "0.26"}, {"a_b", "0.21"}, {"x\"<y>", ""}}) {
    RepoResult r;
    r.name = name;
    if (*line) r.otel_line = line;
    r.status = *line ? RepoStatus::behind : RepoStatus::no_otel;
    result.repos.push_back(r);
  }
  auto a = std::make_shared<SetAnalysis>();
  a->graph.repos = {"a-b", "a_b", "x\"<y>"};
  a->graph.depends_on = {{"a-b", {"a_b", "x\"<y>"}}};
  RepoEdge e1, e2;
  e1.from = e2.from = "a-b";
  e1.to = "a_b";
  e2.to = "x\"<y>";
  e2.via = RepoEdge::Via::path;
  a->graph.edges = {e1, e2};
  CompatPair bad{"a-b", "a_b", "0.26", "0.21", false, true, {"a-b", "a_b"}, {}, {}, {}, {}};
  CompatPair none{"a-b", "x\"<y>", "0.26", std::nullopt, true, true, {"a-b", "x\"<y>"}, {},
                  {},    {},       {}};
  a->matrix = {bad, none};
  a->migration.steps = {
      {"a_b", {}, false}, {"x\"<y>", {}, false}, {"a-b", {"a_b", "x\"<y>"}, false}};
  result.analysis = a;
  const std::string md = render_markdown(result);
  // Two names that meet in one id are numbered; quotes and brackets cannot leave the label.
  CHECK(md.find("  r_a_b[\"a-b<br/>0.26\"]\n  r_a_b_2[\"a_b<br/>0.21\"]\n"
                "  r_x__y_[\"x#quot;#lt;y#gt;<br/>no OpenTelemetry\"]\n") != std::string::npos);
  CHECK(md.find("  r_a_b -->|git| r_a_b_2\n  r_a_b -.->|path| r_x__y_\n"
                "  linkStyle 0 stroke:#d62728,stroke-width:2px\n"
                "  linkStyle 1 stroke:#999999,stroke-width:2px\n") != std::string::npos);
  CHECK(md.find("  classDef behind fill:#fff1d6,stroke:#e69500\n  class r_a_b,r_a_b_2 behind\n") !=
        std::string::npos);
  CHECK(md.find("| a-b | a\\_b | 0.26 / 0.21 | direct | **no** |\n") != std::string::npos);
  CHECK(md.find("| a-b | x\"\\<y\\> | 0.26 / none | direct | yes (x\"\\<y\\> has no OpenTelemetry) "
                "|\n") != std::string::npos);
  CHECK(md.find("3. [ ] **a-b**: 0.26 → 0.27, behind, about 0 h; after a\\_b, x\"\\<y\\>\n") !=
        std::string::npos);
}
