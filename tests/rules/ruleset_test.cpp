#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "rules/ruleset.h"

using namespace otelaudit;

namespace {

// The smallest valid pair of data files; each error test changes one thing.
const std::string kLines = R"(schema = 1
[[line]]
line = "0.21"
bridge = "0.22"
[line.crates]
opentelemetry = "0.21"
"opentelemetry-otlp" = "0.14"
[[line]]
line = "0.27"
bridge = "0.28"
[line.crates]
opentelemetry = "0.27"
"opentelemetry-otlp" = "0.27"
)";

const std::string kTarget = R"(schema = 1
target = "0.27"
tracing-crates = ["tracing"]
[latest]
opentelemetry = "0.27.1"
[[required-features]]
crate = "opentelemetry-otlp"
features = ["trace"]
severity = "high"
)";

RulesetResult parse(const std::string& lines, const std::string& target) {
  return parse_ruleset(lines, "rules/otel-lines.toml", target, "rules/otel-0.27.toml");
}

Version v(std::uint64_t major, std::uint64_t minor, std::uint64_t patch) {
  Version out;
  out.major = major;
  out.minor = minor;
  out.patch = patch;
  return out;
}

// Replaces the first occurrence of `from` (which must exist) in `text`.
std::string with(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// The single error of `r`, checked to be the only one.
Diagnostic only_error(const RulesetResult& r) {
  REQUIRE(r.errors.size() == 1);
  CHECK_FALSE(r.ruleset.has_value());
  CHECK(r.errors[0].rule == "rule-data-invalid");
  return r.errors[0];
}

Ruleset real(std::string_view target) {
  auto r = load_ruleset(OTEL_AUDIT_RULES_DIR, target);
  for (const auto& e : r.errors)
    INFO(e.loc.file << ":" << e.loc.line << ":" << e.loc.column << ": " << e.message);
  CHECK(r.errors.empty());
  REQUIRE(r.ruleset.has_value());
  return *r.ruleset;
}

} // namespace

TEST_CASE("ruleset: the minimal data parses into lines, latest and requirements") {
  auto r = parse(kLines, kTarget);
  CHECK(r.errors.empty());
  REQUIRE(r.ruleset.has_value());
  const Ruleset& rs = *r.ruleset;
  CHECK(rs.target == "0.27");
  CHECK(rs.files == std::vector<std::string>{"rules/otel-lines.toml", "rules/otel-0.27.toml"});
  REQUIRE(rs.lines.size() == 2);
  CHECK(rs.lines[0].line == "0.21");
  CHECK(rs.lines[0].bridge == "0.22");
  CHECK(rs.lines[0].crates.at("opentelemetry-otlp") == "0.14");
  CHECK(rs.target_line().line == "0.27");
  CHECK(rs.latest == std::map<std::string, std::string>{{"opentelemetry", "0.27.1"}});
  REQUIRE(rs.required_features.size() == 1);
  CHECK(rs.required_features[0].crate == "opentelemetry-otlp");
  CHECK(rs.required_features[0].features == std::vector<std::string>{"trace"});
  CHECK(rs.required_features[0].severity == Severity::high);
  CHECK(rs.tracing_crates == std::vector<std::string>{"tracing"});
  CHECK(rs.bridge_crate == "tracing-opentelemetry");
  CHECK(rs.blocker_lines_behind == 2);
  CHECK(rs.line_index("0.21") == 0);
  CHECK(rs.line_index("0.27") == 1);
  CHECK_FALSE(rs.line_index("0.25").has_value());
  CHECK(rs.find_line("0.25") == nullptr);
}

TEST_CASE("ruleset: the real 0.27 data loads and follows the facts") {
  Ruleset rs = real("0.27");
  CHECK(rs.target == "0.27");
  CHECK(rs.lines.front().line == "0.20");
  CHECK(rs.lines.back().line == "0.33");
  CHECK(rs.target_line().bridge == "0.28"); // not the seeds' 0.27
  CHECK(rs.target_version("opentelemetry-otlp") == std::optional<std::string>("0.27"));
  CHECK(rs.target_version("tracing-opentelemetry") == std::optional<std::string>("0.28"));
  CHECK_FALSE(rs.target_version("opentelemetry-jaeger").has_value());
  CHECK(rs.latest.at("opentelemetry") == "0.27.1");
  CHECK(rs.latest.at("opentelemetry_sdk") == "0.27.1");
  REQUIRE(rs.deprecated.size() == 1);
  CHECK(rs.deprecated[0].crate == "opentelemetry-jaeger");
  CHECK(rs.deprecated[0].replacement == "opentelemetry-otlp");
  CHECK(rs.deprecated[0].severity == Severity::blocker);
  CHECK(
      rs.deprecated[0].fix ==
      R"(opentelemetry-otlp = { version = "0.27", features = ["trace", "metrics", "logs", "grpc-tonic"] })");
  CHECK(rs.misspellings.at("opentelemetry-sdk") == "opentelemetry_sdk");
  CHECK(rs.misspellings.at("tracing_opentelemetry") == "tracing-opentelemetry");
  CHECK(rs.misspellings.count("opentelemetry-jaeger-propagator") == 0);
  REQUIRE(rs.required_features.size() == 3);
  CHECK(rs.required_features[0].crate == "opentelemetry-otlp");
  CHECK(rs.required_features[0].features == std::vector<std::string>{"trace", "metrics", "logs"});
  CHECK(rs.required_features[0].when_calls.empty());
  CHECK(rs.required_features[1].crate == "opentelemetry_sdk");
  CHECK(rs.required_features[1].features == std::vector<std::string>{"rt-tokio"});
  CHECK(rs.required_features[2].features == std::vector<std::string>{"grpc-tonic"});
  CHECK(rs.required_features[2].when_calls == std::vector<std::string>{"with_tonic"});
  REQUIRE(rs.companions.size() == 4);
  CHECK(rs.companions[1].crate == "tracing-subscriber");
  CHECK(rs.companions[1].version == "0.3");
  CHECK(rs.companions[1].features == std::vector<std::string>{"env-filter", "json"});
  CHECK(rs.companions[2].crate == "metrics");
  CHECK(rs.companions[2].version == "0.24");
  CHECK(rs.companions[3].crate == "metrics-exporter-prometheus");
  CHECK(rs.companions[3].version == "0.16");
}

TEST_CASE("ruleset: the real 0.28 data loads as data only") {
  Ruleset rs = real("0.28");
  CHECK(rs.target == "0.28");
  CHECK(rs.target_line().bridge == "0.29");
  CHECK(rs.target_version("opentelemetry-otlp") == std::optional<std::string>("0.28"));
  REQUIRE(rs.deprecated.size() == 1);
  CHECK(rs.deprecated[0].fix.find(R"(version = "0.28")") != std::string::npos);
  CHECK(rs.deprecated[0].fix.find(R"("grpc-tonic")") != std::string::npos);
  REQUIRE_FALSE(rs.required_features.empty());
  CHECK(rs.required_features[0].features == std::vector<std::string>{"trace", "metrics", "logs"});
}

TEST_CASE("ruleset: line_of maps crate versions to lines, the newest when shared") {
  Ruleset rs = real("0.27");
  CHECK(rs.line_of("opentelemetry-otlp", v(0, 14, 1)) == std::optional<std::string>("0.21"));
  CHECK(rs.line_of("opentelemetry-otlp", v(0, 16, 0)) == std::optional<std::string>("0.23"));
  CHECK(rs.line_of("opentelemetry-otlp", v(0, 27, 0)) == std::optional<std::string>("0.27"));
  CHECK(rs.line_of("opentelemetry", v(0, 27, 1)) == std::optional<std::string>("0.27"));
  CHECK(rs.line_of("opentelemetry_sdk", v(0, 21, 2)) == std::optional<std::string>("0.21"));
  CHECK(rs.line_of("opentelemetry-zipkin", v(0, 19, 0)) == std::optional<std::string>("0.21"));
  CHECK(rs.line_of("opentelemetry-proto", v(0, 4, 0)) == std::optional<std::string>("0.21"));
  // 0.17 is the prometheus exporter of 0.24, 0.25 and 0.26: the newest wins.
  CHECK(rs.line_of("opentelemetry-prometheus", v(0, 17, 0)) == std::optional<std::string>("0.26"));
  // otel-lines.toml lists "0.29.1" on 0.30 (no 0.30 release): the line of 0.29.x is 0.30.
  CHECK(rs.line_of("opentelemetry-prometheus", v(0, 29, 1)) == std::optional<std::string>("0.30"));
  // otlp for 0.22 is not confirmed, so 0.15 maps to no line rather than a guessed one.
  CHECK_FALSE(rs.line_of("opentelemetry-otlp", v(0, 15, 0)).has_value());
  CHECK_FALSE(rs.line_of("opentelemetry", v(1, 0, 0)).has_value());
  CHECK_FALSE(rs.line_of("serde", v(0, 27, 0)).has_value());
}

TEST_CASE("ruleset: bridge_line_of pairs tracing-opentelemetry with its line") {
  Ruleset rs = real("0.27");
  CHECK(rs.bridge_line_of(v(0, 22, 0)) == std::optional<std::string>("0.21"));
  CHECK(rs.bridge_line_of(v(0, 28, 0)) == std::optional<std::string>("0.27"));
  CHECK(rs.bridge_line_of(v(0, 29, 3)) == std::optional<std::string>("0.28"));
  CHECK(rs.bridge_line_of(v(0, 27, 0)) == std::optional<std::string>("0.26"));
  CHECK(rs.bridge_line_of(v(0, 21, 0)) == std::optional<std::string>("0.20"));
  CHECK_FALSE(rs.bridge_line_of(v(0, 34, 0)).has_value()); // 0.33's bridge is not confirmed
}

TEST_CASE("ruleset: is_otel_crate knows the crates of every line") {
  Ruleset rs = real("0.27");
  CHECK(rs.is_otel_crate("opentelemetry"));
  CHECK(rs.is_otel_crate("opentelemetry_sdk"));
  CHECK(rs.is_otel_crate("opentelemetry-otlp"));
  CHECK(rs.is_otel_crate("opentelemetry-stdout"));
  CHECK_FALSE(rs.is_otel_crate("opentelemetry-sdk"));
  CHECK_FALSE(rs.is_otel_crate("opentelemetry-jaeger"));
  CHECK_FALSE(rs.is_otel_crate("tracing"));
}

TEST_CASE("ruleset: available targets and a missing target") {
  CHECK(available_targets(OTEL_AUDIT_RULES_DIR) == std::vector<std::string>{"0.27", "0.28"});
  CHECK(available_targets("/nonexistent/rules").empty());
  for (std::string_view t : {"0.99", "../otel-0.27", "lines"}) {
    auto r = load_ruleset(OTEL_AUDIT_RULES_DIR, t);
    CHECK_FALSE(r.ruleset.has_value());
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].message ==
          "no rule data for target \"" + std::string(t) + "\" (available: 0.27, 0.28)");
  }
}

TEST_CASE("ruleset: unknown key in [[line]]") {
  auto e = only_error(
      parse(with(kLines, "bridge = \"0.22\"\n", "bridge = \"0.22\"\ncrate = \"x\"\n"), kTarget));
  CHECK(e.message == "unknown key \"crate\" in [[line]]");
  CHECK(e.loc == Location{"rules/otel-lines.toml", 5, 1});
}

TEST_CASE("ruleset: bridge must be a line") {
  auto e = only_error(parse(with(kLines, "bridge = \"0.22\"", "bridge = \"latest\""), kTarget));
  CHECK(e.message == "\"bridge\" must be a version string like \"0.28\"");
  CHECK(e.loc == Location{"rules/otel-lines.toml", 4, 10});
}

TEST_CASE("ruleset: unknown severity") {
  auto e = only_error(parse(kLines, with(kTarget, "\"high\"", "\"fatal\"")));
  CHECK(e.message == "severity \"fatal\" is not one of info, low, medium, high, blocker");
  CHECK(e.loc == Location{"rules/otel-0.27.toml", 9, 12});
}

TEST_CASE("ruleset: target without a line") {
  auto r = parse(kLines, with(with(kTarget, "target = \"0.27\"", "target = \"0.29\""),
                              "[latest]\nopentelemetry = \"0.27.1\"\n", ""));
  auto e = only_error(r);
  CHECK(e.message == "target \"0.29\" has no [[line]] in otel-lines.toml");
  CHECK(e.loc == Location{"rules/otel-0.27.toml", 2, 10});
}

TEST_CASE("ruleset: unsupported schema") {
  auto e = only_error(parse(with(kLines, "schema = 1", "schema = 2"), kTarget));
  CHECK(e.message == "schema 2 is not supported (expected 1)");
  CHECK(e.loc == Location{"rules/otel-lines.toml", 1, 10});
}

TEST_CASE("ruleset: duplicate and out-of-order lines") {
  std::string twice = with(with(kLines, "line = \"0.27\"", "line = \"0.21\""),
                           "opentelemetry = \"0.27\"", "opentelemetry = \"0.21\"");
  auto dup = only_error(parse(twice, kTarget));
  CHECK(dup.message == "duplicate line \"0.21\"");
  CHECK(dup.loc == Location{"rules/otel-lines.toml", 9, 8});

  std::string swapped = with(with(kLines, "line = \"0.21\"", "line = \"0.30\""),
                             "opentelemetry = \"0.21\"", "opentelemetry = \"0.30\"");
  auto order = only_error(parse(swapped, kTarget));
  CHECK(order.message ==
        "line \"0.27\" is out of order (lines go oldest first; it follows \"0.30\")");
  CHECK(order.loc == Location{"rules/otel-lines.toml", 9, 8});
}

TEST_CASE("ruleset: opentelemetry must be listed at its own line") {
  auto e = only_error(
      parse(with(kLines, "opentelemetry = \"0.27\"", "opentelemetry = \"0.26\""), kTarget));
  CHECK(e.message == "\"opentelemetry\" = \"0.26\" in [line.crates] does not match line \"0.27\"");
  CHECK(e.loc == Location{"rules/otel-lines.toml", 12, 17});
}

TEST_CASE("ruleset: latest must name a crate and a release of the target line") {
  auto foreign =
      only_error(parse(kLines, with(kTarget, "opentelemetry = \"0.27.1\"", "serde = \"0.27.1\"")));
  CHECK(foreign.message == "[latest] \"serde\" is not a crate of line \"0.27\"");
  CHECK(foreign.loc == Location{"rules/otel-0.27.toml", 5, 1});

  auto other = only_error(parse(kLines, with(kTarget, "\"0.27.1\"", "\"0.28.0\"")));
  CHECK(other.message ==
        "[latest] \"opentelemetry\" = \"0.28.0\" is not a release of line \"0.27\" "
        "(otel-lines.toml lists \"0.27\")");
  CHECK(other.loc == Location{"rules/otel-0.27.toml", 5, 17});

  auto partial = only_error(parse(kLines, with(kTarget, "\"0.27.1\"", "\"0.27\"")));
  CHECK(partial.message == "[latest] \"opentelemetry\" must be a full version like \"0.27.1\"");
}

TEST_CASE("ruleset: a syntax error is reported with its position") {
  auto e = only_error(parse(kLines, "schema = 1\ntarget = \n"));
  CHECK(e.message == "Error while parsing key-value pair: expected value, saw '\\n'");
  CHECK(e.loc == Location{"rules/otel-0.27.toml", 2, 10});
}

TEST_CASE("ruleset: non-ASCII bytes are refused before the TOML parser sees them") {
  // CC AA where a bare key is expected: the input that trips toml++ 3.3.0.
  auto e = only_error(parse("schema = 1\n  x\xcc\xaa = 1\n", kTarget));
  CHECK(e.message == "rule data must be ASCII (byte 204)");
  CHECK(e.loc == Location{"rules/otel-lines.toml", 2, 4});
}

TEST_CASE("ruleset: default features must belong to a crate of the line") {
  std::string lines = kLines + "[line.default-features]\n\"opentelemetry-otlp\" = [\"trace\"]\n"
                               "opentelemetry_sdk = [\"trace\"]\n";
  auto e = only_error(parse(lines, kTarget));
  CHECK(e.message ==
        "\"opentelemetry_sdk\" in [line.default-features] is not a crate of line \"0.27\"");
  CHECK(e.loc == Location{"rules/otel-lines.toml", 16, 1});

  auto bad = only_error(
      parse(kLines + "[line.default-features]\n\"opentelemetry-otlp\" = \"trace\"\n", kTarget));
  CHECK(bad.message ==
        "\"opentelemetry-otlp\" in [line.default-features] must be an array of strings");
  CHECK(bad.loc == Location{"rules/otel-lines.toml", 15, 24});
}

TEST_CASE("ruleset: misspellings must point to a crate and not shadow one") {
  auto r = parse(kLines, kTarget + "[misspellings]\n\"opentelemetry-sdk\" = \"opentelemetry_sdk\"\n"
                                   "opentelemetry = \"opentelemetry\"\n"
                                   "tracing_opentelemetry = \"tracing-opentelemetry\"\n");
  CHECK_FALSE(r.ruleset.has_value());
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].message ==
        "[misspellings] \"opentelemetry-sdk\" points to \"opentelemetry_sdk\", "
        "which is not a crate of line \"0.27\"");
  CHECK(r.errors[0].loc == Location{"rules/otel-0.27.toml", 11, 23});
  CHECK(r.errors[1].message == "[misspellings] \"opentelemetry\" is a real crate of line \"0.27\"");
  CHECK(r.errors[1].loc == Location{"rules/otel-0.27.toml", 12, 1});
}

TEST_CASE("ruleset: deprecated entries need every key and a replacement on the line") {
  auto r = parse(kLines, kTarget + "[[deprecated]]\ncrate = \"opentelemetry-jaeger\"\n"
                                   "replacement = \"opentelemetry-zipkin\"\n");
  REQUIRE(r.errors.size() == 4);
  CHECK(r.errors[0].message == "missing key \"reason\" in [[deprecated]]");
  CHECK(r.errors[0].loc == Location{"rules/otel-0.27.toml", 10, 1});
  CHECK(r.errors[1].message == "missing key \"fix\" in [[deprecated]]");
  CHECK(r.errors[2].message == "missing key \"severity\" in [[deprecated]]");
  CHECK(r.errors[3].message == "[[deprecated]] replacement \"opentelemetry-zipkin\" is not a crate "
                               "of line \"0.27\"");
  CHECK(r.errors[3].loc == Location{"rules/otel-0.27.toml", 12, 15});
}

TEST_CASE("ruleset: a target file must carry its own target") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "otel-audit-ruleset-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "otel-lines.toml") << kLines;
  std::ofstream(dir / "otel-0.21.toml")
      << with(kTarget, "[latest]\nopentelemetry = \"0.27.1\"\n", "");
  fs::copy_file(OTEL_AUDIT_RULES_DIR "/scoring.toml", dir / "scoring.toml");
  CHECK(available_targets(dir) == std::vector<std::string>{"0.21"});
  auto r = load_ruleset(dir, "0.21");
  CHECK_FALSE(r.ruleset.has_value());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message == "target \"0.27\" in otel-0.21.toml does not match its file name");
  CHECK(r.errors[0].loc.file == (dir / "otel-0.21.toml").string());
  fs::remove_all(dir);
}

TEST_CASE("ruleset: every error of both files is collected, in file order") {
  std::string lines =
      with(with(kLines, "schema = 1", "schema = \"1\""), "bridge = \"0.28\"", "bridge = 28");
  std::string target = with(with(with(kTarget, "\"high\"", "\"fatal\""),
                                 "tracing-crates = [\"tracing\"]", "tracing-crates = []"),
                            "[[required-features]]", "[[required-features]]\nnote = \"x\"");
  auto r = parse(lines, target);
  CHECK_FALSE(r.ruleset.has_value());
  REQUIRE(r.errors.size() == 5);
  CHECK(r.errors[0].message == "\"schema\" must be an integer");
  CHECK(r.errors[0].loc == Location{"rules/otel-lines.toml", 1, 10});
  CHECK(r.errors[1].message == "\"bridge\" must be a version string like \"0.28\"");
  CHECK(r.errors[1].loc == Location{"rules/otel-lines.toml", 10, 10});
  CHECK(r.errors[2].message == "\"tracing-crates\" must be a non-empty array of strings");
  CHECK(r.errors[2].loc == Location{"rules/otel-0.27.toml", 3, 18});
  CHECK(r.errors[3].message == "unknown key \"note\" in [[required-features]]");
  CHECK(r.errors[3].loc == Location{"rules/otel-0.27.toml", 7, 1});
  CHECK(r.errors[4].message == "severity \"fatal\" is not one of info, low, medium, high, blocker");
  CHECK(r.errors[4].loc == Location{"rules/otel-0.27.toml", 10, 12});
}

TEST_CASE("ruleset: default features of a line are loaded from the data") {
  RulesetResult r = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
  REQUIRE(r.ruleset.has_value());
  const LineInfo* l27 = r.ruleset->find_line("0.27");
  REQUIRE(l27 != nullptr);
  CHECK(l27->default_features.at("opentelemetry-otlp") ==
        std::vector<std::string>{"grpc-tonic", "trace", "metrics", "logs"});
  const LineInfo* l21 = r.ruleset->find_line("0.21");
  REQUIRE(l21 != nullptr);
  CHECK(l21->default_features.at("opentelemetry-otlp") ==
        std::vector<std::string>{"grpc-tonic", "trace"});
}
