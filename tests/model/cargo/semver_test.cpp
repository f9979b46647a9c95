#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "model/cargo/semver.h"

using namespace otelaudit;

namespace {

Version v(std::string_view text) {
  const auto parsed = parse_version(text);
  REQUIRE_MESSAGE(parsed.has_value(), std::string(text));
  return *parsed;
}

VersionReq req(std::string_view text) {
  std::string error;
  const auto parsed = parse_requirement(text, error);
  REQUIRE_MESSAGE(parsed.has_value(), error);
  CHECK(error.empty());
  return *parsed;
}

bool matches(std::string_view requirement, std::string_view version) {
  return req(requirement).matches(v(version));
}

std::string parse_error(std::string_view text) {
  std::string error;
  CHECK_FALSE(parse_requirement(text, error).has_value());
  return error;
}

std::vector<Version> versions(std::initializer_list<std::string_view> texts) {
  std::vector<Version> out;
  for (auto t : texts)
    out.push_back(v(t));
  return out;
}

} // namespace

TEST_CASE("semver: parse_version reads all parts and rejects malformed versions") {
  const Version a = v("1.22.333-alpha.1+build.5");
  CHECK(a.major == 1);
  CHECK(a.minor == 22);
  CHECK(a.patch == 333);
  CHECK(a.pre == "alpha.1");
  CHECK(a.build == "build.5");
  CHECK(a.str() == "1.22.333-alpha.1+build.5");
  CHECK(v("0.27.1").str() == "0.27.1");
  CHECK(v("18446744073709551615.0.0").major == 18446744073709551615ULL);
  for (const char* bad : {"", "1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "1.2.3-", "1.2.3-a..b",
                          "1.2.3-01", "1.2.3+", "1.2.3 ", " 1.2.3", "v1.2.3", "1.2.x",
                          "18446744073709551616.0.0", "1.2.3-a_b", "1.2.3-\xC3\xA9"})
    CHECK_MESSAGE(!parse_version(bad).has_value(), bad);
  CHECK(parse_version("1.2.3-0").has_value());
  CHECK(parse_version("1.2.3+001").has_value()); // leading zeros are fine in build metadata
}

TEST_CASE("semver: version line is the breaking unit") {
  CHECK(v("0.27.1").line() == "0.27");
  CHECK(v("0.27.0").line() == "0.27");
  CHECK(v("1.5.2").line() == "1");
  CHECK(v("2.0.0-rc.1").line() == "2");
  CHECK(v("0.0.3").line() == "0.0.3");
  CHECK(v("0.0.0").line() == "0.0.0");
}

TEST_CASE("semver: precedence follows semver.org including pre-release identifiers") {
  // The ordering example of semver.org item 11.
  const auto chain = versions({"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                               "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"});
  for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
    CHECK_MESSAGE(chain[i] < chain[i + 1], chain[i].str());
    CHECK_FALSE(chain[i + 1] < chain[i]);
  }
  CHECK(v("0.9.9") < v("0.10.0"));
  CHECK(v("0.27.1") < v("1.0.0-alpha"));
  CHECK(v("1.0.0-2") < v("1.0.0-10"));  // numeric identifiers compare as numbers
  CHECK(v("1.0.0-999") < v("1.0.0-a")); // numeric ranks below alphanumeric
  CHECK(v("1.0.0-Z") < v("1.0.0-a"));   // alphanumerics compare in ASCII order
  CHECK(v("1.0.0-alpha.9") < v("1.0.0-alpha.10"));
  CHECK(v("1.2.3+a") == v("1.2.3+b")); // build metadata is ignored
  CHECK_FALSE(v("1.2.3+a") < v("1.2.3+b"));
  CHECK_FALSE(v("1.2.3") == v("1.2.3-rc.1"));
}

TEST_CASE("semver: a bare version is a caret requirement") {
  const VersionReq r = req("0.27");
  REQUIRE(r.comparators.size() == 1);
  CHECK(r.comparators[0].op == Comparator::Op::caret);
  CHECK(r.comparators[0].major == 0);
  CHECK(r.comparators[0].minor == std::optional<std::uint64_t>(27));
  CHECK_FALSE(r.comparators[0].patch.has_value());
  CHECK(r.text == "0.27");
  CHECK(matches("0.27", "0.27.0"));
  CHECK(matches("0.27", "0.27.9"));
  CHECK_FALSE(matches("0.27", "0.28.0"));
  CHECK_FALSE(matches("0.27", "0.26.9"));
  CHECK(matches("1.2.3", "1.9.0"));
  CHECK_FALSE(matches("1.2.3", "1.2.2"));
}

TEST_CASE("semver: caret requirement on 1.x, 0.x and 0.0.x") {
  // The table of the Cargo book, "Caret requirements".
  CHECK(matches("^1.2.3", "1.2.3"));
  CHECK(matches("^1.2.3", "1.99.0"));
  CHECK_FALSE(matches("^1.2.3", "2.0.0"));
  CHECK_FALSE(matches("^1.2.3", "1.2.2"));
  CHECK(matches("^1.2", "1.2.0"));
  CHECK_FALSE(matches("^1.2", "1.1.9"));
  CHECK(matches("^1", "1.0.0"));
  CHECK_FALSE(matches("^1", "2.0.0"));
  CHECK(matches("^0.27", "0.27.0"));
  CHECK_FALSE(matches("^0.27", "0.28.0"));
  CHECK(matches("^0.2.3", "0.2.9"));
  CHECK_FALSE(matches("^0.2.3", "0.2.2"));
  CHECK_FALSE(matches("^0.2.3", "0.3.0"));
  CHECK(matches("^0.0.3", "0.0.3"));
  CHECK_FALSE(matches("^0.0.3", "0.0.4"));
  CHECK_FALSE(matches("^0.0.3", "0.0.2"));
  CHECK(matches("^0.0", "0.0.7"));
  CHECK_FALSE(matches("^0.0", "0.1.0"));
  CHECK(matches("^0", "0.99.99"));
  CHECK_FALSE(matches("^0", "1.0.0"));
}

TEST_CASE("semver: tilde requirement") {
  CHECK(matches("~1.2.3", "1.2.9"));
  CHECK_FALSE(matches("~1.2.3", "1.3.0"));
  CHECK_FALSE(matches("~1.2.3", "1.2.2"));
  CHECK(matches("~1.2", "1.2.0"));
  CHECK_FALSE(matches("~1.2", "1.3.0"));
  CHECK(matches("~1", "1.9.0"));
  CHECK_FALSE(matches("~1", "2.0.0"));
  CHECK(matches("~0.27.1", "0.27.5"));
  CHECK_FALSE(matches("~0.27.1", "0.28.0"));
}

TEST_CASE("semver: exact and comparison operators") {
  CHECK(matches("=0.27.1", "0.27.1"));
  CHECK_FALSE(matches("=0.27.1", "0.27.2"));
  CHECK(matches("=0.27", "0.27.4")); // a partial exact version fixes only the given parts
  CHECK_FALSE(matches("=0.27", "0.28.0"));
  CHECK(matches(">0.27.1", "0.27.2"));
  CHECK_FALSE(matches(">0.27.1", "0.27.1"));
  CHECK_FALSE(matches(">0.27", "0.27.9"));
  CHECK(matches(">0.27", "0.28.0"));
  CHECK_FALSE(matches(">1", "1.9.9"));
  CHECK(matches(">1", "2.0.0"));
  CHECK(matches(">=0.27.1", "0.27.1"));
  CHECK(matches(">=0.27.1", "5.0.0"));
  CHECK_FALSE(matches(">=0.27.1", "0.27.0"));
  CHECK(matches(">=0.27", "0.27.0"));
  CHECK(matches("<0.28", "0.27.99"));
  CHECK_FALSE(matches("<0.28", "0.28.0"));
  CHECK_FALSE(matches("<0.28", "0.28.1"));
  CHECK(matches("<=0.28", "0.28.5")); // <=0.28 is <0.29.0
  CHECK_FALSE(matches("<=0.28", "0.29.0"));
  CHECK(matches("<=0.28.1", "0.28.1"));
  CHECK_FALSE(matches("<=0.28.1", "0.28.2"));
  CHECK(req(">=0.21").comparators[0].op == Comparator::Op::greater_eq);
  CHECK(req("<=0.21").comparators[0].op == Comparator::Op::less_eq);
  CHECK(req(">0.21").comparators[0].op == Comparator::Op::greater);
  CHECK(req("<0.21").comparators[0].op == Comparator::Op::less);
  CHECK(req("=0.21").comparators[0].op == Comparator::Op::exact);
  CHECK(req("~0.21").comparators[0].op == Comparator::Op::tilde);
  CHECK(req("^0.21").comparators[0].op == Comparator::Op::caret);
}

TEST_CASE("semver: wildcard requirements") {
  const VersionReq star = req("*");
  CHECK(star.comparators.empty());
  CHECK(star.matches(v("0.0.1")));
  CHECK(star.matches(v("123.4.5")));
  CHECK_FALSE(star.matches(v("1.0.0-alpha"))); // `*` does not opt in to pre-releases
  CHECK(req("  *  ").comparators.empty());
  CHECK(req("0.27.*").comparators[0].op == Comparator::Op::wildcard);
  CHECK(matches("0.27.*", "0.27.3"));
  CHECK_FALSE(matches("0.27.*", "0.28.0"));
  CHECK(matches("0.*", "0.99.0"));
  CHECK_FALSE(matches("0.*", "1.0.0"));
  CHECK(matches("1.*", "1.0.0"));
  CHECK(matches("1.*.*", "1.3.4"));
  CHECK(matches("1.x", "1.3.4"));
  CHECK(matches("1.2.X", "1.2.4"));
  CHECK_FALSE(matches("1.2.X", "1.3.0"));
  // With an operator the starred parts are just absent: `>=0.27.*` is `>=0.27`.
  CHECK(req(">=0.27.*").comparators[0].op == Comparator::Op::greater_eq);
  CHECK(matches(">=0.27.*", "0.30.0"));
  CHECK_FALSE(matches(">=0.27.*", "0.26.0"));
}

TEST_CASE("semver: comma-separated ranges and whitespace") {
  const VersionReq r = req(">=0.21, <0.28");
  REQUIRE(r.comparators.size() == 2);
  CHECK(r.matches(v("0.21.0")));
  CHECK(r.matches(v("0.27.1")));
  CHECK_FALSE(r.matches(v("0.28.0")));
  CHECK_FALSE(r.matches(v("0.20.9")));
  CHECK(req("  >= 0.21 ,\t< 0.28  ").comparators.size() == 2);
  CHECK(req(">=0.21,<0.28").matches(v("0.25.0")));
  CHECK(req(" ^ 0.27 ").matches(v("0.27.3")));
}

TEST_CASE("semver: pre-release versions match only same-triple pre-release comparators") {
  CHECK(matches("^1.2.3-alpha.1", "1.2.3-alpha.1"));
  CHECK(matches("^1.2.3-alpha.1", "1.2.3-alpha.2"));
  CHECK(matches("^1.2.3-alpha.1", "1.2.3-beta"));
  CHECK(matches("^1.2.3-alpha.1", "1.2.3"));
  CHECK(matches("^1.2.3-alpha.1", "1.9.0"));
  CHECK_FALSE(matches("^1.2.3-alpha.1", "1.2.3-alpha.0"));
  CHECK_FALSE(matches("^1.2.3-alpha.1", "1.2.4-alpha.1")); // different triple
  CHECK_FALSE(matches("^1.2.3", "1.2.4-alpha"));
  CHECK_FALSE(matches(">=1.2.3, <1.8.0", "1.2.3-alpha.1")); // example of the semver crate
  CHECK_FALSE(matches(">=1.0.0", "2.0.0-rc.1"));
  CHECK(matches(">=1.0.0-rc.1", "1.0.0-rc.2"));
  CHECK(matches(">=1.0.0-rc.1, <2", "1.0.0-rc.2")); // one pre-release comparator suffices
  CHECK(matches("=1.0.0-rc.1", "1.0.0-rc.1"));
  CHECK_FALSE(matches("=1.0.0-rc.1", "1.0.0"));
  CHECK(matches("~0.27.0-beta", "0.27.0"));
  CHECK(matches("0.27.1+build.7", "0.27.1")); // build metadata of the requirement is ignored
  const VersionReq r = req("^1.2.3-alpha.1");
  CHECK(r.comparators[0].pre == "alpha.1");
  CHECK(r.comparators[0].matches(v("1.2.3-beta")));
  CHECK_FALSE(r.comparators[0].matches(v("1.3.0-beta")));
}

TEST_CASE("semver: minimum is the lowest accepted release") {
  CHECK(req("^0.27.1").minimum() == std::optional<Version>(v("0.27.1")));
  CHECK(req("0.27").minimum() == std::optional<Version>(v("0.27.0")));
  CHECK(req(">=0.21, <0.28").minimum() == std::optional<Version>(v("0.21.0")));
  CHECK(req("*").minimum() == std::optional<Version>(v("0.0.0")));
  CHECK(req("<0.28").minimum() == std::optional<Version>(v("0.0.0")));
  CHECK(req(">0.27.1").minimum() == std::optional<Version>(v("0.27.2")));
  CHECK(req(">0.27").minimum() == std::optional<Version>(v("0.28.0")));
  CHECK(req(">1").minimum() == std::optional<Version>(v("2.0.0")));
  CHECK(req(">1.0.0-rc.1").minimum() == std::optional<Version>(v("1.0.0")));
  CHECK(req("^1.2.3-alpha.1").minimum() == std::optional<Version>(v("1.2.3")));
  CHECK(req("0.27.*").minimum() == std::optional<Version>(v("0.27.0")));
  CHECK(req("<0.28, >=0.24").minimum() == std::optional<Version>(v("0.24.0")));
  CHECK_FALSE(req(">=0.28, <0.27").minimum().has_value());
  CHECK_FALSE(req("=1.0.0-rc.1").minimum().has_value()); // accepts no release
  CHECK_FALSE(req("<0.0.0").minimum().has_value());
}

TEST_CASE("semver: malformed requirements give exact errors") {
  CHECK(parse_error("") == "empty version requirement");
  CHECK(parse_error("   ") == "empty version requirement");
  CHECK(parse_error("0.2x") == "unexpected character 'x' in version requirement \"0.2x\"");
  CHECK(parse_error("v1.2") == "unexpected character 'v' in version requirement \"v1.2\"");
  CHECK(parse_error("1.2.3.4") == "unexpected character '.' in version requirement \"1.2.3.4\"");
  CHECK(parse_error("1.") == "unexpected end in version requirement \"1.\"");
  CHECK(parse_error(">=") == "expected a version after '>=' in version requirement \">=\"");
  CHECK(parse_error(">= , 1") == "expected a version after '>=' in version requirement \">= , 1\"");
  CHECK(parse_error(">=0.21 <0.28") ==
        "expected ',' between comparators in version requirement \">=0.21 <0.28\"");
  CHECK(parse_error(">=0.21,") == "empty comparator after ',' in version requirement \">=0.21,\"");
  CHECK(parse_error("1,,2") == "empty comparator after ',' in version requirement \"1,,2\"");
  CHECK(parse_error("01.2") == "invalid leading zero in version number in version requirement "
                               "\"01.2\"");
  CHECK(parse_error("1.2.3-01") ==
        "invalid leading zero in pre-release identifier in version requirement \"1.2.3-01\"");
  CHECK(parse_error("1.2.3-") == "empty pre-release identifier in version requirement \"1.2.3-\"");
  CHECK(parse_error("1.2.3-a..b") ==
        "empty pre-release identifier in version requirement \"1.2.3-a..b\"");
  CHECK(parse_error("1.2.3+") ==
        "empty build metadata identifier in version requirement \"1.2.3+\"");
  CHECK(parse_error("1.2-alpha") == "a pre-release needs a full MAJOR.MINOR.PATCH version in "
                                    "version requirement \"1.2-alpha\"");
  CHECK(parse_error("1.*.3") == "version number after a wildcard in version requirement \"1.*.3\"");
  CHECK(parse_error("*, >1") == "'*' must be the only comparator in version requirement \"*, >1\"");
  CHECK(parse_error(">1, *") == "'*' must be the only comparator in version requirement \">1, *\"");
  CHECK(parse_error(">=*") == "wildcard '*' after operator '>=' in version requirement \">=*\"");
  CHECK(parse_error("*.1") == "unexpected character '*' in version requirement \"*.1\"");
  CHECK(parse_error("99999999999999999999") ==
        "version number too large in version requirement \"99999999999999999999\"");
  CHECK(parse_error("0.27\xC3\xA9") ==
        "unexpected byte 0xC3 in version requirement \"0.27\xC3\xA9\"");
  CHECK(parse_error("!=1.5.0") == "unexpected character '!' in version requirement \"!=1.5.0\"");
  std::string error = "stale";
  CHECK(parse_requirement("0.27", error).has_value());
  CHECK(error.empty());
}
