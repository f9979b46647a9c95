// The bundled line packs (rules/otel-LINE.toml): every one loads as a target, agrees with the
// others, and holds the facts of OTEL-FACTS that the rules depend on (each read at its tag).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <toml++/toml.h>

#include "rules/ruleset.h"

using namespace otelaudit;

namespace {

Ruleset bundled(std::string_view target) {
  RulesetResult r = load_ruleset(OTEL_AUDIT_RULES_DIR, target);
  std::string errors;
  for (const auto& e : r.errors)
    errors += e.loc.file + ":" + std::to_string(e.loc.line) + ": " + e.message + "\n";
  INFO(errors);
  REQUIRE(r.ruleset.has_value());
  return *r.ruleset;
}

Version v(std::string_view text) {
  auto parsed = parse_version(text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

std::optional<std::string> line(const Ruleset& rs, std::string_view crate, std::string_view ver) {
  return rs.line_of(crate, v(ver));
}

bool has(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

} // namespace

TEST_CASE("packs: every pack loads as the target, and latest is the newest confirmed one") {
  std::vector<TargetInfo> targets = available_targets(OTEL_AUDIT_RULES_DIR);
  REQUIRE(targets.size() >= 14);
  CHECK(targets.front().line == "0.20");
  for (const TargetInfo& t : targets) {
    INFO(t.line);
    Ruleset rs = bundled(t.line);
    CHECK(rs.target == t.line);
    CHECK(t.released.size() == 10);
  }
  CHECK(bundled("latest").target == "0.32");
  CHECK_FALSE(targets.back().confirmed); // 0.33: only on the registry when the packs were read
}

TEST_CASE("packs: every release a pack names maps back to its own line") {
  Ruleset rs = bundled("0.27");
  for (const LineInfo& l : rs.lines) {
    std::vector<const CrateOnLine*> entries;
    for (const auto& [name, e] : l.crates)
      entries.push_back(&e);
    if (l.bridge) entries.push_back(&*l.bridge);
    for (const CrateOnLine* e : entries) {
      INFO(l.line << " " << e->name << " " << e->latest);
      CHECK(line(rs, e->name, e->latest) == std::optional<std::string>(l.line));
      CHECK_FALSE(e->source.empty());
      std::string error;
      auto req = parse_requirement(e->requirement(), error);
      REQUIRE(req.has_value());
      CHECK(rs.selected_lines(e->name, *req) == std::vector<std::string>{l.line});
    }
  }
}

TEST_CASE("packs: the tracing bridge of each line, as tracing-opentelemetry's tags pair them") {
  Ruleset rs = bundled("0.27");
  // tracing-opentelemetry release -> the opentelemetry line it is built for (OTEL-FACTS.md).
  const std::pair<const char*, const char*> pairs[] = {
      {"0.20.0", "0.20"}, {"0.21.0", "0.20"}, {"0.22.0", "0.21"}, {"0.23.0", "0.22"},
      {"0.24.0", "0.23"}, {"0.25.0", "0.24"}, {"0.26.0", "0.25"}, {"0.27.0", "0.26"},
      {"0.28.0", "0.27"}, {"0.29.0", "0.28"}, {"0.30.0", "0.29"}, {"0.31.0", "0.30"},
      {"0.32.0", "0.31"}};
  for (auto [bridge, otel] : pairs) {
    INFO(bridge);
    CHECK(line(rs, "tracing-opentelemetry", bridge) == std::optional<std::string>(otel));
  }
  for (const LineInfo& l : rs.lines)
    if (l.confirmed && l.line != "0.32") CHECK_MESSAGE(l.bridge.has_value(), l.line);
  CHECK(rs.target_version("tracing-opentelemetry") == std::optional<std::string>("0.28"));
}

TEST_CASE("packs: releases sit on the line they are built on, not where their number says") {
  Ruleset rs = bundled("0.27");
  CHECK(line(rs, "opentelemetry-otlp", "0.14.0") == std::optional<std::string>("0.21"));
  CHECK(line(rs, "opentelemetry-otlp", "0.16.0") == std::optional<std::string>("0.23"));
  CHECK(line(rs, "opentelemetry-proto", "0.4.0") == std::optional<std::string>("0.21"));
  CHECK(line(rs, "opentelemetry-zipkin", "0.19.0") == std::optional<std::string>("0.21"));
  // opentelemetry-prometheus 0.17.0 is built on opentelemetry 0.24; nothing was released for
  // 0.25, 0.26 or 0.30.
  CHECK(line(rs, "opentelemetry-prometheus", "0.17.0") == std::optional<std::string>("0.24"));
  for (const char* l : {"0.25", "0.26", "0.30"})
    CHECK_MESSAGE(rs.find_line(l)->find("opentelemetry-prometheus") == nullptr, l);
  CHECK(line(rs, "opentelemetry-prometheus", "0.29.1") == std::optional<std::string>("0.29"));
  // Contrib crates: a repository pinning opentelemetry-contrib 0.16 is on 0.24.
  CHECK(line(rs, "opentelemetry-contrib", "0.16.0") == std::optional<std::string>("0.24"));
  CHECK(line(rs, "opentelemetry-datadog", "0.13.0") == std::optional<std::string>("0.24"));
  CHECK(rs.find_line("0.25")->find("opentelemetry-datadog") == nullptr);
  CHECK(line(rs, "opentelemetry-aws", "0.16.0") == std::optional<std::string>("0.28"));
  // opentelemetry-jaeger-propagator is an OpenTelemetry crate, never a deprecated one.
  CHECK(rs.is_otel_crate("opentelemetry-jaeger-propagator"));
  for (const LineInfo& l : rs.lines)
    if (const CrateOnLine* e = l.find("opentelemetry-jaeger-propagator"))
      CHECK_FALSE(e->deprecated);
}

TEST_CASE("packs: feature lists as Cargo reads them at each tag") {
  Ruleset rs = bundled("0.27");
  auto crate = [&](std::string_view l, std::string_view c) -> const CrateOnLine& {
    const LineInfo* li = rs.find_line(l);
    REQUIRE(li != nullptr);
    const CrateOnLine* e = li->find(c);
    REQUIRE(e != nullptr);
    REQUIRE(e->features_known);
    return *e;
  };
  // The API lost rt-tokio at 0.21: it moved to the SDK.
  CHECK(has(crate("0.20", "opentelemetry").features, "rt-tokio"));
  for (const LineInfo& l : rs.lines)
    if (l.line != "0.20" && l.find("opentelemetry")->features_known)
      CHECK_MESSAGE(!has(l.find("opentelemetry")->features, "rt-tokio"), l.line);
  CHECK(has(crate("0.21", "opentelemetry_sdk").features, "rt-tokio"));
  // grpc-tonic left otlp's defaults at 0.28; http-proto and reqwest-blocking-client came in.
  CHECK(has(crate("0.27", "opentelemetry-otlp").default_features, "grpc-tonic"));
  CHECK_FALSE(has(crate("0.28", "opentelemetry-otlp").default_features, "grpc-tonic"));
  CHECK(has(crate("0.28", "opentelemetry-otlp").default_features, "http-proto"));
  CHECK(has(crate("0.28", "opentelemetry-otlp").default_features, "reqwest-blocking-client"));
  // internal-logs: a default of sdk and otlp from 0.27.0, of the API from 0.27.1.
  CHECK(has(crate("0.27", "opentelemetry_sdk").default_features, "internal-logs"));
  CHECK(has(crate("0.27", "opentelemetry").default_features, "internal-logs"));
  CHECK_FALSE(has(crate("0.26", "opentelemetry").default_features, "internal-logs"));
  // rt-async-std left the SDK at 0.29; the otlp `tls` feature is still there at 0.32.
  CHECK(has(crate("0.28", "opentelemetry_sdk").features, "rt-async-std"));
  CHECK_FALSE(has(crate("0.29", "opentelemetry_sdk").features, "rt-async-std"));
  CHECK(has(crate("0.32", "opentelemetry-otlp").features, "tls"));
}

TEST_CASE("packs: what the canonical set requires follows what each line needs") {
  for (const TargetInfo& t : available_targets(OTEL_AUDIT_RULES_DIR)) {
    Ruleset rs = bundled(t.line);
    INFO(t.line);
    const bool before_28 = *line_less(t.line, "0.28");
    bool rt_tokio = false, signals = false;
    for (const FeatureRequirement& fr : rs.required_features) {
      CHECK_FALSE(fr.source.empty());
      rt_tokio = rt_tokio || (fr.crate == "opentelemetry_sdk" && has(fr.features, "rt-tokio"));
      signals = signals || (fr.crate == "opentelemetry-otlp" && has(fr.features, "trace"));
    }
    // The batch processors and the periodic reader take a runtime up to 0.27 only.
    CHECK(rt_tokio == before_28);
    CHECK(signals);
  }
}

TEST_CASE("packs: a deprecated crate's fix is one valid TOML entry at the target's version") {
  for (const TargetInfo& t : available_targets(OTEL_AUDIT_RULES_DIR)) {
    Ruleset rs = bundled(t.line);
    for (const DeprecatedCrate& d : rs.deprecated) {
      INFO(t.line << " " << d.crate << ": " << d.fix);
      CHECK_FALSE(d.source.empty());
      CHECK(d.fix.find('\n') == std::string::npos);
      toml::table parsed;
      CHECK_NOTHROW(parsed = toml::parse(d.fix));
      REQUIRE(parsed.size() == 1);
      CHECK(parsed.contains(d.replacement));
      const toml::node& entry = *parsed.get(d.replacement);
      std::string req = entry.is_string() ? entry.as_string()->get()
                                          : entry.as_table()->get("version")->value_or("");
      CHECK(std::optional<std::string>(req) == rs.target_version(d.replacement));
      // Blocker exactly when no release of the crate is built on the target.
      const bool released = rs.target_line().find(d.crate) != nullptr;
      if (rs.confirmed(rs.target)) CHECK((d.severity == Severity::blocker) == !released);
    }
  }
}

TEST_CASE("packs: the Jaeger exporter's last release and its replacement on each target") {
  Ruleset r23 = bundled("0.23");
  const DeprecatedCrate* j23 = r23.deprecation("opentelemetry-jaeger");
  REQUIRE(j23 != nullptr);
  CHECK(j23->severity == Severity::high); // 0.22.0 is still built on 0.23
  CHECK(line(r23, "opentelemetry-jaeger", "0.22.0") == std::optional<std::string>("0.23"));
  Ruleset r27 = bundled("0.27");
  const DeprecatedCrate* j27 = r27.deprecation("opentelemetry-jaeger");
  REQUIRE(j27 != nullptr);
  CHECK(j27->severity == Severity::blocker);
  CHECK(
      j27->fix ==
      R"(opentelemetry-otlp = { version = "0.27", features = ["trace", "metrics", "logs", "grpc-tonic"] })");
  // From 0.28 grpc-tonic is no default: the fix names it, and still compiles.
  Ruleset r28 = bundled("0.28");
  REQUIRE(r28.deprecation("opentelemetry-jaeger") != nullptr);
  CHECK(r28.deprecation("opentelemetry-jaeger")->fix.find(R"(version = "0.28")") !=
        std::string::npos);
  CHECK(r28.deprecation("opentelemetry-jaeger")->fix.find("grpc-tonic") != std::string::npos);
  CHECK(r28.deprecation("opentelemetry-jaeger-propagator") == nullptr);
}
