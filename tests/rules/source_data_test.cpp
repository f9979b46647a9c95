#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "rules/ruleset.h"
#include "support/rule_files.h"

using namespace otelaudit;

namespace {

const std::string kApi = R"toml(schema = 2
[[change]]
identifier = "new_pipeline"
path = "opentelemetry_otlp::new_pipeline"
crate = "opentelemetry-otlp"
breaks = "0.27"
replacement = [{ from = "0.27", text = "SpanExporter::builder()", source = "s" }]
severity = "high"
source = "otlp CHANGELOG 0.27.0"
[[change]]
identifier = "with_batch_exporter"
method = "with_batch_exporter"
args = 2
crate = "opentelemetry_sdk"
breaks = "0.28"
replacement = [{ from = "0.28", text = ".with_batch_exporter(exporter)", source = "s" }]
severity = "high"
source = "sdk CHANGELOG 0.28.0"
)toml";

const std::string kConventions = R"toml(schema = 1
[service-name]
pattern = "llm.{component}[.{subcomponent}]"
namespace = "llm"
separator = "."
[resource]
required = ["service.version", "deployment.environment.name"]
accepted-aliases = { "deployment.environment.name" = ["deployment.environment"] }
constructors = ["Resource::builder"]
[environment]
required = ["OTLP_ENDPOINT"]
standard-prefixes = ["OTEL_"]
[propagation]
identifiers = ["TraceContextPropagator"]
exporter-crates = ["opentelemetry-otlp"]
[http]
crates = ["axum"]
server-calls = ["axum::serve"]
request-id-header = "x-request-id"
span-name-pattern = "{METHOD} {route}"
methods = ["GET"]
[jaeger]
agent-ports = [6831]
code-paths = ["opentelemetry_jaeger"]
env-prefixes = ["JAEGER_AGENT_"]
replacement = "SpanExporter::builder()"
[canonical-set]
blocker-lines-behind = 2
tracing-crates = ["tracing"]
source = "s"
)toml";

RulesetResult parse(const std::string& api, const std::string& conventions) {
  auto files = test::replaced(test::bundled_rule_files(), {"rules/api-changes.toml", api});
  return parse_rule_data(test::replaced(files, {"rules/conventions.toml", conventions}), "0.27");
}

std::string with(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

} // namespace

TEST_CASE("source data: api changes and conventions load into the rule set") {
  auto r = parse(kApi, kConventions);
  for (const auto& e : r.errors)
    INFO(e.loc.line << ":" << e.loc.column << " " << e.message);
  REQUIRE(r.ruleset.has_value());
  const Ruleset& rs = *r.ruleset;
  REQUIRE(rs.api_changes.size() == 2);
  CHECK(rs.api_changes[0].path == "opentelemetry_otlp::new_pipeline");
  CHECK(rs.api_changes[0].args == -1);
  CHECK(rs.api_changes[1].method == "with_batch_exporter");
  CHECK(rs.api_changes[1].args == 2);
  CHECK(rs.api_changes[1].breaks == "0.28");
  const Conventions& c = rs.conventions;
  CHECK(c.loaded);
  CHECK(c.service_name_namespace == "llm");
  CHECK(c.service_name_max_levels == 3);
  CHECK(c.resource_aliases.at("deployment.environment.name") ==
        std::vector<std::string>{"deployment.environment"});
  CHECK(c.jaeger_agent_ports == std::vector<int>{6831});
  CHECK(rs.api_changes[0].replacement == "SpanExporter::builder()");
  CHECK(rs.api_changes[1].replacement.empty()); // breaks after the target: nothing to write
  CHECK(rs.tracing_crates == std::vector<std::string>{"tracing"});
  CHECK(rs.companions.empty());
}

TEST_CASE("source data: the real data files load and agree with OTEL-FACTS") {
  auto r = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
  REQUIRE(r.ruleset.has_value());
  const Ruleset& rs = *r.ruleset;
  CHECK(rs.conventions.loaded);
  CHECK(rs.conventions.required_env == std::vector<std::string>{"OTLP_ENDPOINT", "ENVIRONMENT"});
  CHECK(rs.conventions.jaeger_agent_ports == std::vector<int>{6831, 6832});
  auto find = [&](std::string_view path) -> const ApiChange* {
    for (const ApiChange& c : rs.api_changes)
      if (c.path == path) return &c;
    return nullptr;
  };
  auto method = [&](std::string_view name, std::string_view receiver) -> const ApiChange* {
    for (const ApiChange& c : rs.api_changes)
      if (c.method == name &&
          std::find(c.receiver.begin(), c.receiver.end(), receiver) != c.receiver.end())
        return &c;
    return nullptr;
  };
  REQUIRE(find("opentelemetry_otlp::new_pipeline") != nullptr);
  CHECK(find("opentelemetry_otlp::new_pipeline")->breaks == "0.27");
  CHECK(find("opentelemetry_sdk::trace::TracerProvider")->breaks == "0.28");
  CHECK(find("opentelemetry::global::shutdown_tracer_provider")->breaks == "0.28");
  CHECK(find("opentelemetry_sdk::Resource::empty")->breaks == "0.28");
  CHECK(find("opentelemetry::metrics::MetricsError")->breaks == "0.27");
  CHECK(find("opentelemetry_sdk::metrics::reader::TemporalitySelector")->breaks == "0.27");
  CHECK(find("opentelemetry_sdk::metrics::data::Temporality")->breaks == "0.27");
  // Still compiling, so never reported: the sdk's Tracer (`pub use tracer::SdkTracer as
  // Tracer` through 0.32), the type trace::Config (its setters and with_config went),
  // DeltaTemporalitySelector (never public).
  CHECK(find("opentelemetry_sdk::trace::Tracer") == nullptr);
  CHECK(find("opentelemetry_sdk::trace::Config") == nullptr);
  CHECK(find("opentelemetry_otlp::DeltaTemporalitySelector") == nullptr);
  // Traces keep with_config until 0.29 (deprecated 0.27.1), logs lose it at 0.24.
  REQUIRE(method("with_config", "TracerProvider::builder") != nullptr);
  CHECK(method("with_config", "TracerProvider::builder")->breaks == "0.29");
  CHECK(method("with_config", "LoggerProvider::builder")->breaks == "0.24");
  // The common Resource constants are gated from 0.26 and open again in semconv 0.32.1.
  const ApiChange* ns = find("opentelemetry_semantic_conventions::resource::SERVICE_NAMESPACE");
  REQUIRE(ns != nullptr);
  CHECK(ns->breaks == "0.26");
  CHECK(ns->restored == "0.32");
  CHECK(ns->feature == "semconv_experimental");
  // An instrument's .init() is judged on instrument builders only.
  REQUIRE(method("init", "u64_counter") != nullptr);
  CHECK(method("init", "u64_counter")->breaks == "0.27");
  for (const ApiChange& c : rs.api_changes) {
    INFO(c.identifier);
    CHECK_FALSE(c.source.empty());
    CHECK(line_less(c.breaks, "0.33").value_or(false));
    REQUIRE_FALSE(c.replacements.empty());
    CHECK(c.replacements.front().from == c.breaks);
    for (const Replacement& r : c.replacements)
      CHECK_FALSE(r.source.empty());
  }
}

namespace {

/// True when `text` names `path` as a whole path: not inside a longer identifier or path
/// (`SdkTracerProvider` does not name `trace::TracerProvider`).
bool names_path(std::string_view text, std::string_view path) {
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (std::size_t at = text.find(path); at != std::string_view::npos;
       at = text.find(path, at + 1)) {
    const bool start_ok = at == 0 || (!ident(text[at - 1]) && text[at - 1] != ':');
    const std::size_t end = at + path.size();
    const bool end_ok = end == text.size() || !ident(text[end]);
    if (start_ok && end_ok) return true;
  }
  return false;
}

} // namespace

TEST_CASE("source data: no fix text names an API removed at or before its target") {
  // Over every target: the replacement printed for it must compile there, so it may not name
  // any path that breaks at or before that target.
  for (const TargetInfo& t : available_targets(OTEL_AUDIT_RULES_DIR)) {
    auto r = load_ruleset(OTEL_AUDIT_RULES_DIR, t.line);
    REQUIRE(r.ruleset.has_value());
    const Ruleset& rs = *r.ruleset;
    for (const ApiChange& removed : rs.api_changes) {
      // Only a whole path can be judged from a text: not a method, not one argument count of a
      // function that stays (`PeriodicReader::builder(exporter, runtime)`).
      if (removed.path.empty() || removed.args >= 0) continue;
      if (line_less(t.line, removed.breaks).value_or(true)) continue;
      if (!removed.restored.empty() && line_less(t.line, removed.restored).value_or(false) == false)
        continue;
      for (const ApiChange& c : rs.api_changes) {
        const Replacement* fix = c.replacement_for(t.line);
        if (!fix || &c == &removed) continue; // a fix may say what it replaces
        // A gated item is valid where the fix enables its feature.
        if (!removed.feature.empty() && fix->text.find(removed.feature) != std::string::npos)
          continue;
        INFO("target " << t.line << ": the fix of " << c.identifier << " names " << removed.path
                       << ", removed at " << removed.breaks);
        CHECK_FALSE(names_path(fix->text, removed.path));
      }
    }
  }
}

TEST_CASE("source data: line_less orders lines numerically") {
  CHECK(line_less("0.9", "0.27") == true);
  CHECK(line_less("0.27", "0.27") == false);
  CHECK(line_less("0.32", "1") == true);
  CHECK_FALSE(line_less("x", "0.27").has_value());
}

TEST_CASE("source data: api-changes errors are collected with their positions") {
  std::string api = with(kApi, "method = \"with_batch_exporter\"",
                         "method = \"with_batch_exporter\"\npath = \"a::b\"");
  api = with(api, "args = 2", "args = -1");
  api = with(api, "breaks = \"0.27\"", "breaks = \"0.27.x\"");
  api = with(api, "source = \"otlp CHANGELOG 0.27.0\"", "source = \"\"\nnote = 1");
  auto r = parse(api, kConventions);
  CHECK_FALSE(r.ruleset.has_value());
  REQUIRE(r.errors.size() == 5);
  CHECK(r.errors[0].loc == Location{"rules/api-changes.toml", 6, 10});
  CHECK(r.errors[0].message == "\"breaks\" must be a version string like \"0.28\"");
  CHECK(r.errors[1].loc == Location{"rules/api-changes.toml", 9, 10});
  CHECK(r.errors[1].message == "\"source\" in [[change]] must not be empty");
  CHECK(r.errors[2].loc == Location{"rules/api-changes.toml", 10, 1});
  CHECK(r.errors[2].message == "unknown key \"note\" in [[change]]");
  CHECK(r.errors[3].loc == Location{"rules/api-changes.toml", 11, 1});
  CHECK(r.errors[3].message == "[[change]] needs exactly one of \"path\" and \"method\"");
  CHECK(r.errors[4].loc == Location{"rules/api-changes.toml", 15, 8});
  CHECK(r.errors[4].message == "\"args\" must be an integer from 0 to 64");
}

TEST_CASE("source data: a bad path or method is refused") {
  auto r = parse(with(with(kApi, "\"opentelemetry_otlp::new_pipeline\"", "\"new_pipeline\""),
                      "method = \"with_batch_exporter\"", "method = \".with_batch_exporter\""),
                 kConventions);
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].message == "\"path\" must be a Rust path like \"crate::item\"");
  CHECK(r.errors[0].loc == Location{"rules/api-changes.toml", 4, 8});
  CHECK(r.errors[1].message == "\"method\" must be a method name like \"with_config\"");
  CHECK(r.errors[1].loc == Location{"rules/api-changes.toml", 12, 10});
}

TEST_CASE("source data: `on` names paths, and only for a method entry") {
  auto r = parse(with(with(kApi, "args = 2\n", "args = 2\non = [\"with batch\"]\n"),
                      "breaks = \"0.27\"\n", "breaks = \"0.27\"\non = [\"opentelemetry::Key\"]\n"),
                 kConventions);
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].message == "\"on\" in [[change]] applies to a \"method\" entry only");
  CHECK(r.errors[0].loc.line == 7);
  CHECK(r.errors[1].message == "\"on\" lists crates or Rust paths like \"opentelemetry::Key\"");
  CHECK(r.errors[1].loc.line == 15);
  auto ok = parse(with(kApi, "args = 2\n", "args = 2\non = [\"opentelemetry_sdk::trace\"]\n"),
                  kConventions);
  REQUIRE(ok.ruleset.has_value());
  CHECK(ok.ruleset->api_changes[1].on == std::vector<std::string>{"opentelemetry_sdk::trace"});
}

TEST_CASE("source data: conventions errors are collected with their positions") {
  std::string conv =
      with(kConventions, "separator = \".\"", "separator = \"::\"\ncolour = \"red\"");
  conv = with(conv, "agent-ports = [6831]", "agent-ports = [6831, 70000]");
  conv = with(conv, "accepted-aliases = { \"deployment.environment.name\"",
              "accepted-aliases = { \"host.name\"");
  conv = with(conv, "[http]\ncrates = [\"axum\"]\n", "[http]\ncrates = []\n");
  auto r = parse(kApi, conv);
  CHECK_FALSE(r.ruleset.has_value());
  REQUIRE(r.errors.size() == 5);
  CHECK(r.errors[0].loc == Location{"rules/conventions.toml", 5, 13});
  CHECK(r.errors[0].message == "\"separator\" in [service-name] must be one character");
  CHECK(r.errors[1].loc == Location{"rules/conventions.toml", 6, 1});
  CHECK(r.errors[1].message == "unknown key \"colour\" in [service-name]");
  CHECK(r.errors[2].loc == Location{"rules/conventions.toml", 9, 22});
  CHECK(r.errors[2].message == "accepted-aliases \"host.name\" is not a required attribute");
  CHECK(r.errors[3].loc == Location{"rules/conventions.toml", 18, 10});
  CHECK(r.errors[3].message == "\"crates\" in [http] must be a non-empty array of strings");
  CHECK(r.errors[4].loc == Location{"rules/conventions.toml", 24, 15});
  CHECK(r.errors[4].message ==
        "\"agent-ports\" in [jaeger] must be a non-empty array of port numbers");
}

TEST_CASE("source data: a missing conventions table is named") {
  std::string conv = with(kConventions,
                          "[propagation]\nidentifiers = [\"TraceContextPropagator\"]\n"
                          "exporter-crates = [\"opentelemetry-otlp\"]\n",
                          "");
  auto r = parse(kApi, conv);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message == "missing table [propagation]");
  CHECK(r.errors[0].loc == Location{"rules/conventions.toml", 1, 1});
}
