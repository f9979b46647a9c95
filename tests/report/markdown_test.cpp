#include <doctest/doctest.h>

#include "golden.h"
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
        "| Repository | OpenTelemetry | Exporter | Tracing bridge | Lockfile | Status | Score |\n"
        "|---|---|---|---|---|---|---:|\n"
        "| shield | none | none | none | no | no-otel | 100 |\n"
        "\n"
        "## shield\n"
        "\n"
        "No findings.\n");
}

TEST_CASE("report markdown: escaping inline text") {
  CHECK(markdown_escape("a|b") == "a\\|b");
  CHECK(markdown_escape("*x* _y_ `z` [l](u) <b> ~s~ &amp; #h !") ==
        "\\*x\\* \\_y\\_ \\`z\\` \\[l\\](u) \\<b\\> \\~s\\~ \\&amp; \\#h \\!");
  CHECK(markdown_escape("back\\slash") == "back\\\\slash");
  CHECK(markdown_escape("two\nlines\r\tand tab") == "two lines  and tab");
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
