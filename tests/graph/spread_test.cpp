#include <doctest/doctest.h>

#include <tuple>

#include "support/rule_files.h"

#include "graph/spread.h"
#include "model/cargo/lockfile.h"
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
  // zeta's lockfile has no dependency edges: it shows nothing that pulls the old one in.
  CHECK(fs[0].fix == "tonic 0.11.0: Cargo.lock lists no package that depends on it; raise the "
                     "requirement that pulls it in to 0.12, then run:\ncargo update -p "
                     "tonic@0.11.0");

  // With the minor as boundary, tokio 1.35 to 1.42 crosses too.
  rules.crates[0].boundary = Boundary::minor;
  rows = compute_spread(set, rules, g);
  CHECK(rows[0].crosses);
  CHECK(rows[0].units == std::vector<std::string>{"1.35", "1.40", "1.42"});
}

TEST_CASE("graph spread: across repositories no dependency links, the spread is low") {
  MemoryTree ta({{"Cargo.lock", lock({{"tonic", "0.11.0"}})}});
  MemoryTree tb({{"Cargo.lock", lock({{"tonic", "0.12.3"}})}});
  MemoryTree tc({{"Cargo.lock", lock({{"tokio", "1.40.0"}})}});
  CargoModel a = load_cargo(ta), b = load_cargo(tb), c = load_cargo(tc);
  std::vector<GraphRepo> set(3);
  set[0].name = "billing";
  set[0].cargo = &a;
  set[1].name = "search";
  set[1].cargo = &b;
  set[2].name = "gateway";
  set[2].cargo = &c;
  SpreadRules rules{"spread.toml", {{"tonic", Boundary::semver}}};
  RepoGraph g;
  g.repos = {"billing", "gateway", "search"};
  g.depends_on = {{"billing", {}}, {"gateway", {}}, {"search", {}}};
  std::vector<SpreadRow> rows = compute_spread(set, rules, g);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].across_repos);
  CHECK_FALSE(rows[0].linked);
  std::vector<Finding> fs = spread_findings(rows);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].severity == Severity::low);
  CHECK(fs[0].message == "tonic is locked from 0.11.0 (billing) to 0.12.3 (search): 2 "
                         "incompatible release lines (0.11, 0.12), but no dependency of the set "
                         "links the repositories that hold them, so no build holds two of them");

  // A third repository that depends on both links them into one binary.
  g.depends_on["gateway"] = {"billing", "search"};
  rows = compute_spread(set, rules, g);
  CHECK(rows[0].linked);
  CHECK(spread_findings(rows)[0].severity == Severity::medium);
  // So does a dependency of one on the other.
  g.depends_on["gateway"] = {};
  g.depends_on["search"] = {"billing"};
  rows = compute_spread(set, rules, g);
  CHECK(rows[0].linked);
  CHECK(spread_findings(rows)[0].severity == Severity::medium);
}

namespace {

const char* kRegistry = "registry+https://github.com/rust-lang/crates.io-index";

/// A lockfile of `packages` (name, version, dependencies); a name starting with '.' is a
/// package of the repository (no source), written without the dot.
std::string lock_with_edges(
    const std::vector<std::tuple<std::string, std::string, std::vector<std::string>>>& packages) {
  std::string out = "version = 3\n";
  for (const auto& [name, version, deps] : packages) {
    const bool local = name.front() == '.';
    out += "\n[[package]]\nname = \"" + (local ? name.substr(1) : name) + "\"\nversion = \"" +
           version + "\"\n";
    if (!local) out += "source = \"" + std::string(kRegistry) + "\"\n";
    if (!deps.empty()) {
      out += "dependencies = [\n";
      for (const std::string& d : deps)
        out += " \"" + d + "\",\n";
      out += "]\n";
    }
  }
  return out;
}

std::string fix_for(const std::string& file, const std::string& text, const std::string& name,
                    const std::string& version, const std::string& unit) {
  LockfileResult r = parse_lockfile(text, file);
  REQUIRE(r.lockfile.has_value());
  for (const LockedPackage& p : r.lockfile->packages)
    if (p.name == name && p.version == version)
      return spread_fix(*r.lockfile, p, unit, Boundary::semver);
  FAIL("no such package");
  return {};
}

} // namespace

TEST_CASE("graph spread: the fix names what pulls the old version in, from the lock's edges") {
  // A third-party crate whose only locked release requires the old hyper: no requirement of
  // the repository changes it, as far as the lock shows.
  const auto stuck = lock_with_edges({{".api", "0.1.0", {"tonic", "hyper 1.5.1"}},
                                      {"tonic", "0.11.0", {"hyper 0.14.31"}},
                                      {"hyper", "0.14.31", {}},
                                      {"hyper", "1.5.1", {}}});
  CHECK(fix_for("Cargo.lock", stuck, "hyper", "0.14.31", "1") ==
        "hyper 0.14.31 is pulled in by tonic 0.11.0 (api → tonic 0.11.0 → hyper 0.14.31), in "
        "Cargo.lock. No requirement of the repository can change it as far as Cargo.lock shows: "
        "tonic 0.11.0, the only tonic it locks, requires it.");

  // The lock also holds a newer tonic on hyper 1: moving to it drops the old hyper.
  const auto movable = lock_with_edges({{".api", "0.1.0", {"tonic 0.11.0"}},
                                        {".web", "0.1.0", {"tonic 0.12.3"}},
                                        {"tonic", "0.11.0", {"hyper 0.14.31"}},
                                        {"tonic", "0.12.3", {"hyper 1.5.1"}},
                                        {"hyper", "0.14.31", {}},
                                        {"hyper", "1.5.1", {}}});
  CHECK(fix_for("server/Cargo.lock", movable, "hyper", "0.14.31", "1") ==
        "hyper 0.14.31 is pulled in by tonic 0.11.0 (api → tonic 0.11.0 → hyper 0.14.31), in "
        "server/Cargo.lock. Raise tonic to 0.12.3 (also locked here, on hyper 1.5.1), then "
        "run:\ncargo update --manifest-path server/Cargo.toml -p hyper@0.14.31");

  // A package of the repository requires it itself: its requirement is what to raise.
  const auto own = lock_with_edges({{".api", "0.1.0", {"hyper 0.14.31"}},
                                    {".web", "0.1.0", {"hyper 1.5.1"}},
                                    {"hyper", "0.14.31", {}},
                                    {"hyper", "1.5.1", {}}});
  CHECK(fix_for("Cargo.lock", own, "hyper", "0.14.31", "1") ==
        "hyper 0.14.31 is pulled in by api (of this repository), in Cargo.lock. Raise api's "
        "requirement on hyper to 1, then run:\ncargo update -p hyper@0.14.31");
}
