// The scan document from strings: what make_scan_document keeps, that render_scan and
// parse_scan give back every byte, and the errors a bad document gives.
#include <doctest/doctest.h>

#include <string>

#include "audit/audit.h"
#include "rules/ruleset.h"
#include "scan/scan.h"
#include "source/tree.h"

using namespace otelaudit;

namespace {

const Ruleset& scan_rules() {
  static const Ruleset rules = [] {
    RulesetResult r = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
    REQUIRE(r.ruleset.has_value());
    return *r.ruleset;
  }();
  return rules;
}

// A package on an old line with a CRLF manifest, a git dependency and a lockfile.
const char* const kManifest =
    "[package]\r\n"
    "name = \"demo\"\r\n"
    "version = \"0.1.0\"\r\n"
    "[dependencies]\r\n"
    "opentelemetry = \"0.21\"\r\n"
    "lib = { git = \"https://github.com/org/lib\", branch = \"main\" }\r\n";
const char* const kLock = "version = 3\n"
                          "\n"
                          "[[package]]\n"
                          "name = \"demo\"\n"
                          "version = \"0.1.0\"\n"
                          "dependencies = [\"opentelemetry\"]\n"
                          "\n"
                          "[[package]]\n"
                          "name = \"opentelemetry\"\n"
                          "version = \"0.21.0\"\n"
                          "source = \"registry+https://github.com/rust-lang/crates.io-index\"\n";

ScanDocument demo_document() {
  MemoryTree tree({{"Cargo.toml", kManifest}, {"Cargo.lock", kLock}});
  RepoInput input("demo", "repos/demo", &tree);
  input.url = "https://github.com/org/demo";
  input.tree_root = "/src/demo";
  return make_scan_document(audit_repository(input, scan_rules()), input, "0.27");
}

} // namespace

TEST_CASE("scan: the document keeps the lines reports show and the facts the graph reads") {
  ScanDocument doc = demo_document();
  CHECK(doc.target == "0.27");
  CHECK(doc.url == "https://github.com/org/demo");
  CHECK(doc.root == "/src/demo");
  CHECK(doc.result.name == "demo");
  CHECK(doc.result.path == "repos/demo");
  CHECK(doc.result.otel_line == std::optional<std::string>("0.21"));
  REQUIRE(!doc.result.findings.empty());
  // Lines kept: dependency and package locations, finding lines and lockfile entries; the
  // table headers are not locations of anything.
  const auto& manifest = doc.source_lines.at("Cargo.toml");
  CHECK(manifest.count(1) == 0);
  CHECK(manifest.count(4) == 0);
  CHECK(manifest.at(2) == "name = \"demo\"\r");
  CHECK(manifest.at(5) == "opentelemetry = \"0.21\"\r");
  CHECK(doc.source_lines.at("Cargo.lock") ==
        std::map<int, std::string>{{3, "[[package]]"}, {8, "[[package]]"}});
  // The rebuilt text has each kept line at its number.
  CHECK(doc.result.sources.at("Cargo.lock") == "\n\n[[package]]\n\n\n\n\n[[package]]\n");
  REQUIRE(doc.cargo.packages.size() == 1);
  REQUIRE(doc.cargo.packages[0].dependencies.size() == 2);
  const Dependency& lib = doc.cargo.packages[0].dependencies[1];
  CHECK(lib.git == "https://github.com/org/lib");
  CHECK(lib.branch == "main");
  CHECK(lib.source == Dependency::Source::git);
  CHECK(doc.cargo.texts.empty());
  CHECK(doc.cargo.lockfiles.at(0).packages.at(0).dependencies ==
        std::vector<std::string>{"opentelemetry"});
}

TEST_CASE("scan: render and parse give back the document byte for byte") {
  ScanDocument doc = demo_document();
  // Audited input that is not UTF-8 survives the trip (written as hex).
  doc.result.findings[0].message = "bad byte \xff here";
  doc.source_lines["Cargo.toml"][4] = "# caf\xe9\r";
  const std::string text = render_scan(doc);
  CHECK(text.find("[4, {\"hex\": \"2320636166e90d\"}]") != std::string::npos);

  ScanParseResult back = parse_scan(text, "demo.json");
  REQUIRE_MESSAGE(back.document, back.error);
  const ScanDocument& got = *back.document;
  CHECK(got.target == doc.target);
  CHECK(got.url == doc.url);
  CHECK(got.root == doc.root);
  CHECK(got.source_lines == doc.source_lines);
  CHECK(got.result.otel_line == doc.result.otel_line);
  CHECK(got.result.exporter == doc.result.exporter);
  REQUIRE(got.result.findings.size() == doc.result.findings.size());
  CHECK(got.result.findings[0].message == "bad byte \xff here");
  for (std::size_t i = 0; i < doc.result.findings.size(); ++i) {
    const Finding &a = got.result.findings[i], &b = doc.result.findings[i];
    CHECK(a.rule == b.rule);
    CHECK(a.severity == b.severity);
    CHECK(a.loc.file == b.loc.file);
    CHECK(a.loc.line == b.loc.line);
    CHECK(a.loc.column == b.loc.column);
    CHECK(a.fix == b.fix);
    CHECK(a.package == b.package);
  }
  // Written again, the document is the same text: nothing was lost or reordered.
  CHECK(render_scan(got) == text);
}

TEST_CASE("scan: parse errors name the file and the place") {
  CHECK(parse_scan("[1, 2", "a.json").error ==
        "scan file \"a.json\" is not valid JSON: parse error at line 1, column 6: syntax error "
        "while parsing array - unexpected end of input; expected ']'");
  CHECK(parse_scan("[]", "a.json").error ==
        "scan file \"a.json\" is not an otel-audit-scan/v1 document: the top level is not an "
        "object");
  CHECK(parse_scan("{}", "a.json").error ==
        "scan file \"a.json\" is not an otel-audit-scan/v1 document: no \"schema\" string");
  CHECK(parse_scan(R"({"schema": "otel-audit-scan/v1", "target": "0.27"})", "a.json").error ==
        "scan file \"a.json\" is not an otel-audit-scan/v1 document: at /repo: missing");
  const std::string doc = render_scan(demo_document());
  auto with = [&](const std::string& from, const std::string& to) {
    std::string t = doc;
    const std::size_t at = t.find(from);
    REQUIRE(at != std::string::npos);
    return parse_scan(t.replace(at, from.size(), to), "a.json").error;
  };
  const std::string severity = "\"severity\": \"" +
                               std::string(to_string(demo_document().result.findings[0].severity)) +
                               "\"";
  CHECK(with(severity, "\"severity\": \"fatal\"") ==
        "scan file \"a.json\" is not an otel-audit-scan/v1 document: at "
        "/repo/findings/0/severity: \"fatal\" is not one of info, low, medium, high, blocker");
  CHECK(with("\"kind\": \"normal\"", "\"kind\": 3") ==
        "scan file \"a.json\" is not an otel-audit-scan/v1 document: at "
        "/cargo/manifests/0/dependencies/0/kind: expected a string");
  CHECK(with("\"lines\": [\n", "\"lines\": [\n          [0, \"x\"],\n") ==
        "scan file \"a.json\" is not an otel-audit-scan/v1 document: at "
        "/repo/sources/0/lines/0/0: expected a line number from 1");
  CHECK(with("\"name\": \"demo\"", "\"name\": {\"hex\": \"zz\"}") ==
        "scan file \"a.json\" is not an otel-audit-scan/v1 document: at /repo/name/hex: "
        "expected lowercase hexadecimal digits");
}
