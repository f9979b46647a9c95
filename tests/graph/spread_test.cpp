#include <doctest/doctest.h>

#include "support/rule_files.h"

#include "graph/spread.h"
#include "model/cargo/workspace.h"
#include "source/tree.h"

using namespace otelaudit;

namespace {

Version v(const char* text) {
  auto parsed = parse_version(text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

std::string lock(const std::vector<std::pair<std::string, std::string>>& packages) {
  std::string out = "version = 3\n";
  for (const auto& [name, version] : packages)
    out += "\n[[package]]\nname = \"" + name + "\"\nversion = \"" + version +
           "\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
  return out;
}

} // namespace

TEST_CASE(
    "graph spread: breaking units follow Cargo's semver rule unless the data says otherwise") {
  CHECK(breaking_unit(v("1.42.0"), Boundary::semver) == "1");
  CHECK(breaking_unit(v("0.12.3"), Boundary::semver) == "0.12");
  CHECK(breaking_unit(v("0.0.4"), Boundary::semver) == "0.0.4");
  CHECK(breaking_unit(v("1.42.0"), Boundary::minor) == "1.42");
  CHECK(breaking_unit(v("0.12.3"), Boundary::major) == "0");
}

TEST_CASE("graph spread: rules/spread.toml lists the default crates with the semver boundary") {
  RulesetResult r = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
  REQUIRE(r.errors.empty());
  REQUIRE(r.ruleset.has_value());
  std::vector<std::string> names;
  for (const SpreadCrate& c : r.ruleset->spread.crates) {
    names.push_back(c.crate);
    CHECK(c.boundary == Boundary::semver);
  }
  CHECK(names == std::vector<std::string>{"tokio", "tonic", "prost", "hyper", "axum", "redis",
                                          "metrics", "reqwest"});
}

TEST_CASE("graph spread: invalid rule data is reported at its position") {
  auto one = [](std::string_view text) {
    RulesetResult r = parse_rule_data(
        test::replaced(test::bundled_rule_files(), {"rules/spread.toml", std::string(text)}),
        "0.27");
    CHECK_FALSE(r.ruleset.has_value());
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].rule == "rule-data-invalid");
    return r.errors[0];
  };
  Diagnostic e = one("schema = 1\n[[crate]]\nname = \"tokio\"\nboundary = \"patch\"\n");
  CHECK(e.loc == Location{"rules/spread.toml", 4, 12});
  CHECK(e.message == "\"boundary\" must be one of semver, major, minor");
  e = one("schema = 1\n[[crate]]\nname = \"tokio\"\n[[crate]]\nname = \"tokio\"\n");
  CHECK(e.loc == Location{"rules/spread.toml", 5, 8});
  CHECK(e.message == "crate \"tokio\" is listed twice");
  e = one("schema = 1\n[[crate]]\nname = \"tokio\"\nnote = \"x\"\n");
  CHECK(e.loc == Location{"rules/spread.toml", 4, 1});
  CHECK(e.message == "unknown key \"note\" in [[crate]]");
  e = one("schema = 2\n[[crate]]\nname = \"tokio\"\n");
  CHECK(e.loc == Location{"rules/spread.toml", 1, 10});
  CHECK(e.message == "schema 2 is not supported (expected 1)");
  e = one("schema = 1\ncrate = \"tokio\"\n");
  CHECK(e.message == "\"crate\" must be an array of tables ([[crate]])");
  e = one("schema = 1\n[[crate]\n");
  CHECK(e.loc.line == 2);
  e = one("schema = 1\n\xC3\xA9 = 1\n");
  CHECK(e.loc == Location{"rules/spread.toml", 2, 1});
}

TEST_CASE("graph spread: min and max across lockfiles, reported where the minimum comes from") {
  MemoryTree ta({{"Cargo.lock", lock({{"tonic", "0.11.0"}, {"tokio", "1.35.1"}})}});
  MemoryTree tb({{"Cargo.lock", lock({{"tonic", "0.11.0"}, {"tonic", "0.12.3"}})},
                 {"tools/Cargo.lock", lock({{"tokio", "1.42.0"}, {"tokio", "not-a-version"}})}});
  // mid's own package named tokio (no source) is not the registry crate.
  MemoryTree tc({{"Cargo.lock", lock({{"tonic", "0.12.3"}, {"tokio", "1.40.0"}}) +
                                    "\n[[package]]\nname = \"tokio\"\nversion = \"9.0.0\"\n"}});
  CargoModel a = load_cargo(ta), b = load_cargo(tb), c = load_cargo(tc);
  std::vector<GraphRepo> set(3);
  set[0].name = "zeta"; // holds tonic 0.11 on its own
  set[0].cargo = &a;
  set[1].name = "alpha"; // depends on zeta, and holds 0.11 through it
  set[1].cargo = &b;
  set[2].name = "mid";
  set[2].cargo = &c;
  RepoGraph g;
  g.repos = {"alpha", "mid", "zeta"};
  g.depends_on = {{"alpha", {"zeta"}}, {"mid", {}}, {"zeta", {}}};
  SpreadRules rules{
      "spread.toml",
      {{"tokio", Boundary::semver}, {"tonic", Boundary::semver}, {"hyper", Boundary::semver}}};
  std::vector<SpreadRow> rows = compute_spread(set, rules, g);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].crate == "tokio");
  CHECK(rows[0].min == "1.35.1");
  CHECK(rows[0].max == "1.42.0");
  CHECK(rows[0].min_repos == std::vector<std::string>{"zeta"});
  CHECK(rows[0].max_repos == std::vector<std::string>{"alpha"});
  CHECK(rows[0].units == std::vector<std::string>{"1"});
  CHECK_FALSE(rows[0].crosses);
  CHECK(rows[1].crate == "tonic");
  CHECK(rows[1].min == "0.11.0");
  CHECK(rows[1].max == "0.12.3");
  CHECK(rows[1].min_repos == std::vector<std::string>{"alpha", "zeta"});
  CHECK(rows[1].max_repos == std::vector<std::string>{"alpha", "mid"});
  CHECK(rows[1].crosses);
  CHECK(rows[1].reported_in == "zeta");
  CHECK(rows[1].loc == Location{"Cargo.lock", 3, 1});

  std::vector<Finding> fs = spread_findings(rows);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].rule == "transitive-spread");
  CHECK(fs[0].severity == Severity::medium);
  CHECK(fs[0].repo == "zeta");
  CHECK(fs[0].loc == Location{"Cargo.lock", 3, 1});
  CHECK(fs[0].message == "tonic is locked from 0.11.0 (alpha, zeta) to 0.12.3 (alpha, mid) across "
                         "the set: 2 incompatible release lines (0.11, 0.12) are built, and their "
                         "types do not mix");
  CHECK(fs[0].fix == "update tonic to 0.12 in zeta (cargo update -p tonic@0.11.0 after raising the "
                     "requirement)");

  // With the minor as boundary, tokio 1.35 to 1.42 crosses too.
  rules.crates[0].boundary = Boundary::minor;
  rows = compute_spread(set, rules, g);
  CHECK(rows[0].crosses);
  CHECK(rows[0].units == std::vector<std::string>{"1.35", "1.40", "1.42"});
}
