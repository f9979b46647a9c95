#include "support/location_string.h"

#include <doctest/doctest.h>

#include "model/deploy/model.h"

using namespace otelaudit;
using namespace otelaudit::deploy;

namespace {

std::vector<EnvSetting> parse(std::string_view text, std::vector<Diagnostic>& diags) {
  return parse_env_file(text, ".env.example", diags);
}

} // namespace

TEST_CASE("deploy env file: names, values, comments, export and positions") {
  std::vector<Diagnostic> diags;
  auto vars = parse("# comment\n"
                    "\n"
                    "OTLP_ENDPOINT=http://localhost:4317\n"
                    "export ENVIRONMENT=production  # trailing comment\n"
                    "  LOG_FORMAT = json\n"
                    "EMPTY=\n"
                    "PASSTHROUGH\n"
                    "URL=http://x/#anchor\r\n",
                    diags);
  CHECK(diags.empty());
  REQUIRE(vars.size() == 6);
  CHECK(vars[0].name == "OTLP_ENDPOINT");
  CHECK(vars[0].value == "http://localhost:4317");
  CHECK(where(vars[0].loc) == ".env.example:3:1");
  CHECK(where(vars[0].value_loc) == ".env.example:3:15");
  CHECK(vars[1].name == "ENVIRONMENT");
  CHECK(vars[1].value == "production");
  CHECK(where(vars[1].loc) == ".env.example:4:8");
  CHECK(vars[2].name == "LOG_FORMAT");
  CHECK(vars[2].value == "json");
  CHECK(where(vars[2].value_loc) == ".env.example:5:16");
  CHECK(vars[3].name == "EMPTY");
  CHECK(vars[3].has_value);
  CHECK(vars[3].value.empty());
  CHECK(vars[4].name == "PASSTHROUGH");
  CHECK_FALSE(vars[4].has_value);
  CHECK(vars[5].value == "http://x/#anchor");
}

TEST_CASE("deploy env file: single and double quotes, escapes, multi-line values") {
  std::vector<Diagnostic> diags;
  auto vars = parse("A='it is # not a comment'\n"
                    "B=\"line\\none \\\"q\\\"\" # comment\n"
                    "C=\"first\n"
                    "second\"\n"
                    "D=after\n",
                    diags);
  CHECK(diags.empty());
  REQUIRE(vars.size() == 4);
  CHECK(vars[0].value == "it is # not a comment");
  CHECK(vars[1].value == "line\none \"q\"");
  CHECK(vars[2].value == "first\nsecond");
  CHECK(where(vars[2].value_loc) == ".env.example:3:3");
  CHECK(vars[3].name == "D");
  CHECK(vars[3].loc.line == 5);
}

TEST_CASE("deploy env file: malformed lines are located and the rest is kept") {
  std::vector<Diagnostic> diags;
  auto vars = parse("\xEF\xBB\xBFGOOD=1\n"
                    "1BAD=2\n"
                    "NAME value\n"
                    "export \n"
                    "LAST=3\n"
                    "Q=\"never closed\n",
                    diags);
  REQUIRE(vars.size() == 2);
  CHECK(vars[0].name == "GOOD");
  CHECK(where(vars[0].loc) == ".env.example:1:1");
  CHECK(vars[1].name == "LAST");
  REQUIRE(diags.size() == 4);
  CHECK(diags[0].rule == "deploy-parse-error");
  CHECK(where(diags[0].loc) == ".env.example:2:1");
  CHECK(diags[0].message ==
        "expected a variable name (letters, digits and `_`, not starting with a digit)");
  CHECK(where(diags[1].loc) == ".env.example:3:6");
  CHECK(diags[1].message == "expected `=` after NAME");
  CHECK(where(diags[2].loc) == ".env.example:4:8");
  CHECK(diags[2].message == "expected a variable name after `export`");
  CHECK(where(diags[3].loc) == ".env.example:6:3");
  CHECK(diags[3].message == "unterminated double-quoted value of Q");
}

TEST_CASE("deploy env file: which paths are deployment files") {
  CHECK(classify_path(".env") == FileKind::env);
  CHECK(classify_path("deploy/.env.example") == FileKind::env);
  CHECK(classify_path("config/prod.env") == FileKind::env);
  CHECK(classify_path("docker-compose.production.yml") == FileKind::compose);
  CHECK(classify_path("deployments/standalone/docker/docker-compose.yaml") == FileKind::compose);
  CHECK(classify_path("compose.override.yaml") == FileKind::compose);
  CHECK(classify_path("k8s/deployment.yaml") == FileKind::yaml);
  CHECK(classify_path("Cargo.toml") == FileKind::none);
  CHECK(classify_path("environment.rs") == FileKind::none);
}

TEST_CASE("deploy env file: a file that is not an env file stops after 20 errors") {
  std::string text;
  for (int i = 0; i < 100; ++i)
    text += "not an assignment\n";
  text += "LATE=1\n";
  std::vector<Diagnostic> diags;
  auto vars = parse_env_file(text, "data.env", diags);
  CHECK(vars.empty());
  REQUIRE(diags.size() == 21);
  CHECK(where(diags[19].loc) == "data.env:20:5");
  CHECK(where(diags[20].loc) == "data.env:20:1");
  CHECK(diags[20].message == "20 malformed lines: the rest of the file is not read");
}
