#include <doctest/doctest.h>

#include <cstdio>

#include <algorithm>
#include <string>
#include <vector>

#include "audit/policy.h"
#include "rules/families/source.h"
#include "source/tree.h"

using namespace otelaudit;

namespace {

using Files = std::map<std::string, std::string>;

// The package most tests audit: line numbers below are those of the dependency keys.
const std::string kManifest = R"([package]
name = "llm-edge-agent"
version = "0.1.0"

[dependencies]
opentelemetry = "0.21"
opentelemetry-otlp = "0.14"
tracing = "0.1"
axum = "0.7"
otel_sdk = { package = "opentelemetry_sdk", version = "0.21" }
)";

rust::Arg lit(std::string value, int line, int column) {
  rust::Arg a;
  a.literal = true;
  a.text = "\"" + value + "\"";
  a.value = std::move(value);
  a.pos = {line, column};
  return a;
}

rust::Arg expr(std::string text, int line, int column) {
  rust::Arg a;
  a.text = std::move(text);
  a.pos = {line, column};
  return a;
}

/// A path written on one line; its last segment is given the first one's position.
rust::PathRef path(const std::string& text, int line, int column, bool in_use = false) {
  rust::PathRef p;
  p.segments = source::split_path(text);
  p.in_use = in_use;
  p.pos = {line, column};
  p.last_pos = p.pos;
  return p;
}

/// A repository built by hand: manifests through load_cargo, facts and module tree directly
/// (the extractor and the tree builder are not part of these tests).
struct Repo {
  RepoModel model;

  explicit Repo(std::map<std::string, std::string> manifests = {{"Cargo.toml", kManifest}}) {
    MemoryTree tree(std::move(manifests));
    model.name = "edge-agent";
    model.cargo = load_cargo(tree);
    REQUIRE(model.cargo.diagnostics.empty());
  }

  rust::FileFacts& file(const std::string& name, CodeScope scope = CodeScope::production,
                        bool orphan = false, const std::string& manifest = "Cargo.toml",
                        const std::string& package = "llm-edge-agent") {
    SourceFile f;
    f.file = name;
    f.package = package;
    f.manifest_file = manifest;
    f.scope = scope;
    f.orphan = orphan;
    model.modules.files.push_back(f);
    std::sort(model.modules.files.begin(), model.modules.files.end(),
              [](const SourceFile& a, const SourceFile& b) { return a.file < b.file; });
    return model.sources[name];
  }
};

/// Adds a call; its literal arguments are string literals of the file too, as the extractor
/// records them.
rust::Call& add_call(rust::FileFacts& f, const std::string& callee, std::vector<rust::Arg> args,
                     int line, int column, bool method = false, bool macro = false) {
  rust::Call c;
  c.callee = callee;
  c.method = method;
  c.macro = macro;
  c.args = std::move(args);
  c.pos = {line, column};
  for (const auto& a : c.args)
    if (a.literal) f.strings.push_back(a);
  f.calls.push_back(c);
  return f.calls.back();
}

const Ruleset& rules(const std::string& target = "0.27") {
  static std::map<std::string, Ruleset> cache;
  auto it = cache.find(target);
  if (it == cache.end()) {
    auto r = load_ruleset(OTEL_AUDIT_RULES_DIR, target);
    REQUIRE(r.ruleset.has_value());
    it = cache.emplace(target, *r.ruleset).first;
  }
  return it->second;
}

std::vector<Finding> run(RepoRule rule, const Repo& repo, const std::string& target = "0.27") {
  Sink sink(repo.model.name);
  rule(repo.model, rules(target), sink);
  return sink.take();
}

/// "line:column identifier" of each finding, the identifier being the message's first word.
std::string located(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings)
    out += std::to_string(f.loc.line) + ":" + std::to_string(f.loc.column) + " " +
           f.message.substr(0, f.message.find(' ')) + "\n";
  return out;
}

std::vector<Finding> of(const std::vector<Finding>& all, std::string_view id) {
  std::vector<Finding> out;
  for (const auto& f : all)
    if (f.rule == id) out.push_back(f);
  return out;
}

} // namespace

// --- undeclared-crate / unused-otel-crate ---------------------------------------------------

TEST_CASE("source rules: undeclared-crate fires once per package and crate, at the first use") {
  Repo repo;
  auto& f = repo.file("src/main.rs");
  f.paths.push_back(path("opentelemetry_stdout::SpanExporter", 3, 5, true));
  f.paths.push_back(path("opentelemetry_stdout::SpanExporter::default", 9, 20));
  auto findings = of(run(check_crate_usage, repo), "undeclared-crate");
  REQUIRE(findings.size() == 1);
  const Finding& u = findings[0];
  CHECK(u.severity == Severity::high);
  CHECK(u.loc == Location{"src/main.rs", 3, 5});
  CHECK(u.package == "llm-edge-agent");
  CHECK(u.repo == "edge-agent");
  CHECK_FALSE(u.orphan);
  CHECK(u.message == "opentelemetry_stdout is used in code, but package llm-edge-agent does not "
                     "declare it in Cargo.toml");
  CHECK(u.fix == "opentelemetry-stdout = \"0.27\"");
}

TEST_CASE("source rules: undeclared-crate honours renames, -/_ and local names") {
  Repo repo;
  auto& f = repo.file("src/main.rs");
  f.paths.push_back(path("opentelemetry_otlp::new_exporter", 2, 5)); // declared with a hyphen
  f.paths.push_back(path("otel_sdk::trace::Sampler", 3, 5, true));   // the renamed key
  f.paths.push_back(path("crate::telemetry::init", 4, 5));
  f.paths.push_back(path("serde_json::json", 5, 5));             // not a crate the rule data knows
  f.paths.push_back(path("tracing_opentelemetry::layer", 6, 5)); // a local module, below
  rust::ModDecl m;
  m.name = "tracing_opentelemetry";
  f.mods.push_back(m);
  // Imported by `use`: `Sampler` stands for the declared crate's item, not a crate.
  add_call(f, "Sampler::new", {}, 7, 14);
  CHECK(of(run(check_crate_usage, repo), "undeclared-crate").empty());

  // The real crate name is not what the code may use when the key renames it.
  f.paths.push_back(path("opentelemetry_sdk::Resource", 8, 5, true));
  auto findings = of(run(check_crate_usage, repo), "undeclared-crate");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].loc == Location{"src/main.rs", 8, 5});
  CHECK(findings[0].fix == "opentelemetry_sdk = \"0.27\"");
}

TEST_CASE("source rules: a module hides a crate only in the file that declares it") {
  Repo repo;
  // lib.rs declares `mod metrics;`: there `metrics::record` is the module.
  auto& lib = repo.file("src/lib.rs");
  rust::ModDecl m;
  m.name = "metrics";
  lib.mods.push_back(m);
  lib.paths.push_back(path("metrics::record", 3, 5));
  CHECK(of(run(check_crate_usage, repo), "undeclared-crate").empty());
  // In another module `metrics::` is the crate again (rustc 2018), not declared: a compile
  // error. `crate::metrics` is the module.
  auto& other = repo.file("src/telemetry.rs");
  other.paths.push_back(path("crate::metrics::record", 2, 5));
  other.paths.push_back(path("metrics::counter", 4, 5));
  auto findings = of(run(check_crate_usage, repo), "undeclared-crate");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].loc == Location{"src/telemetry.rs", 4, 5});
  CHECK(findings[0].severity == Severity::high);

  // A `mod tracing_subscriber` in a file no crate root reaches hides nothing in compiled code.
  auto& orphan = repo.file("src/old.rs", CodeScope::production, true);
  rust::ModDecl t;
  t.name = "tracing_subscriber";
  orphan.mods.push_back(t);
  orphan.paths.push_back(path("tracing_subscriber::init", 9, 5)); // its own module
  other.paths.push_back(path("tracing_subscriber::fmt", 6, 5));
  findings = of(run(check_crate_usage, repo), "undeclared-crate");
  REQUIRE(findings.size() == 2);
  CHECK(findings[1].loc == Location{"src/telemetry.rs", 6, 5});
  CHECK(findings[1].severity == Severity::high);

  // Quoted tokens (a quote! argument, a macro_rules! body) are compiled by another crate.
  auto quoted = path("opentelemetry_stdout::SpanExporter", 8, 5);
  quoted.quoted = true;
  other.paths.push_back(quoted);
  CHECK(of(run(check_crate_usage, repo), "undeclared-crate").size() == 2);
}

TEST_CASE("source rules: a dev- or build-dependency does not declare a crate for production code") {
  Repo repo(Files{{"Cargo.toml", R"([package]
name = "svc"
version = "0.1.0"
[dependencies]
opentelemetry = "0.27"
[dev-dependencies]
opentelemetry_sdk = "0.27"
[build-dependencies]
opentelemetry-otlp = "0.27"
)"}});
  auto& lib = repo.file("src/lib.rs", CodeScope::production, false, "Cargo.toml", "svc");
  lib.paths.push_back(path("opentelemetry_sdk::trace::Sampler", 2, 5, true));
  lib.paths.push_back(path("opentelemetry::global", 3, 5, true));
  repo.file("tests/it.rs", CodeScope::test, false, "Cargo.toml", "svc")
      .paths.push_back(path("opentelemetry_sdk::Resource", 1, 5, true));
  auto findings = of(run(check_crate_usage, repo), "undeclared-crate");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].loc == Location{"src/lib.rs", 2, 5});
  CHECK(findings[0].message == "opentelemetry_sdk is used in production code, but package svc "
                               "declares it only in [dev-dependencies] of Cargo.toml");
  // An exporter in build-dependencies exports nothing: no propagation or variable finding.
  CHECK(run(check_telemetry_setup, repo).empty());
  CHECK(run(check_env_vars, repo).empty());
}

TEST_CASE("source rules: undeclared-crate skips tests and reports orphans as info") {
  Repo repo;
  repo.file("tests/it.rs", CodeScope::test).paths.push_back(path("opentelemetry_stdout::X", 1, 5));
  auto& main = repo.file("src/main.rs");
  auto p = path("opentelemetry_stdout::X", 20, 9);
  p.in_test = true;
  main.paths.push_back(p);
  main.paths.push_back(path("opentelemetry_stdout::Y", 30, 9)); // inside test_lines below
  main.test_lines.push_back({25, 40});
  CHECK(of(run(check_crate_usage, repo), "undeclared-crate").empty());

  repo.file("src/old.rs", CodeScope::production, true)
      .paths.push_back(path("opentelemetry_stdout::SpanExporter", 4, 5, true));
  Sink sink("edge-agent");
  check_crate_usage(repo.model, rules(), sink);
  AuditResult result;
  result.repos.emplace_back().findings = of(sink.take(), "undeclared-crate");
  AuditPolicy policy;
  policy.severity_overrides = {{"undeclared-crate", Severity::blocker}};
  LevelReport levels;
  apply_policy(result, policy, levels);
  const auto& findings = result.repos[0].findings;
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].orphan);
  CHECK(findings[0].severity == Severity::info); // an override does not lift an orphan
  CHECK(findings[0].loc == Location{"src/old.rs", 4, 5});
}

TEST_CASE("source rules: unused-otel-crate points at the dependency key of an unused crate") {
  Repo repo;
  auto& f = repo.file("src/main.rs");
  f.paths.push_back(path("opentelemetry::global", 1, 5, true));
  f.paths.push_back(path("otel_sdk::trace::Sampler", 2, 5, true));
  auto findings = of(run(check_crate_usage, repo), "unused-otel-crate");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::low);
  CHECK(findings[0].loc == Location{"Cargo.toml", 7, 1});
  CHECK(findings[0].package == "llm-edge-agent");
  CHECK(findings[0].message == "opentelemetry-otlp is declared in [dependencies] of package "
                               "llm-edge-agent but never used in its production code");
  CHECK(findings[0].fix == "remove the opentelemetry-otlp entry from Cargo.toml");

  // Used only by a test: still unused by production code.
  auto p = path("opentelemetry_otlp::new_exporter", 40, 9);
  p.in_test = true;
  f.paths.push_back(p);
  CHECK(of(run(check_crate_usage, repo), "unused-otel-crate").size() == 1);
  f.paths.push_back(path("opentelemetry_otlp::new_exporter", 12, 9));
  CHECK(of(run(check_crate_usage, repo), "unused-otel-crate").empty());
}

TEST_CASE("source rules: unused-otel-crate needs compiled code to judge") {
  Repo repo;
  repo.file("src/orphan.rs", CodeScope::production, true);
  CHECK(of(run(check_crate_usage, repo), "unused-otel-crate").empty());
}

// --- jaeger-code ----------------------------------------------------------------------------

TEST_CASE("source rules: jaeger-code fires on exporter paths, agent endpoints and variables") {
  Repo repo;
  auto& f = repo.file("src/telemetry.rs");
  f.paths.push_back(path("opentelemetry_jaeger::new_agent_pipeline", 5, 17));
  add_call(f, "opentelemetry_jaeger::new_agent_pipeline", {}, 5, 39);
  add_call(f, "with_endpoint", {lit("jaeger:6831", 6, 24)}, 6, 10, true);
  add_call(f, "std::env::var", {lit("JAEGER_AGENT_HOST", 7, 30)}, 7, 20);
  auto findings = run(check_jaeger_code, repo);
  REQUIRE(findings.size() == 3);
  CHECK(findings[0].loc == Location{"src/telemetry.rs", 5, 17});
  CHECK(findings[0].severity == Severity::high);
  CHECK(findings[0].package == "llm-edge-agent");
  CHECK(findings[0].message ==
        "opentelemetry_jaeger::new_agent_pipeline is code of the deprecated Jaeger exporter: "
        "Jaeger accepts OTLP natively, export with opentelemetry-otlp instead");
  CHECK(findings[0].fix == "opentelemetry_otlp::SpanExporter::builder().with_tonic()."
                           "with_endpoint(\"http://collector:4317\").build()");
  CHECK(findings[1].loc == Location{"src/telemetry.rs", 6, 24});
  CHECK(findings[1].message == "\"jaeger:6831\" is a Jaeger agent endpoint (UDP 6831): send OTLP "
                               "to the collector on port 4317 (gRPC) or 4318 (HTTP) instead");
  CHECK(findings[2].loc == Location{"src/telemetry.rs", 7, 30});
  CHECK(findings[2].message == "reads JAEGER_AGENT_HOST, a setting of the deprecated Jaeger agent "
                               "exporter: configure the OTLP endpoint instead");
}

TEST_CASE("source rules: jaeger-code leaves the propagator, other ports and tests alone") {
  Repo repo;
  auto& f = repo.file("src/telemetry.rs");
  f.paths.push_back(path("opentelemetry_jaeger_propagator::Propagator", 2, 5, true));
  f.strings.push_back(lit("collector:68310", 3, 9));
  f.strings.push_back(lit("collector:4317", 4, 9));
  auto p = path("opentelemetry_jaeger::new_agent_pipeline", 30, 9);
  p.in_test = true;
  f.paths.push_back(p);
  repo.file("examples/jaeger.rs", CodeScope::example)
      .paths.push_back(path("opentelemetry_jaeger::new_agent_pipeline", 3, 9));
  CHECK(run(check_jaeger_code, repo).empty());
}

// --- removed-api ----------------------------------------------------------------------------

TEST_CASE("source rules: removed-api reports a crossed break once per line, at the call") {
  Repo repo;
  auto& f = repo.file("src/main.rs");
  f.paths.push_back(path("opentelemetry_otlp::new_pipeline", 12, 17));
  add_call(f, "opentelemetry_otlp::new_pipeline", {}, 12, 37);
  auto findings = run(check_removed_apis, repo);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].rule == "removed-api");
  CHECK(findings[0].severity == Severity::high);
  CHECK(findings[0].loc == Location{"src/main.rs", 12, 37});
  CHECK(findings[0].package == "llm-edge-agent");
  CHECK(findings[0].message ==
        "opentelemetry_otlp::new_pipeline (opentelemetry-otlp) stops "
        "compiling at 0.27: package llm-edge-agent builds it on 0.21, the target is 0.27");
  // The fix compiles on the target: 0.27 has no SdkTracerProvider and its batch exporter takes
  // a runtime; from 0.28 the other way round.
  CHECK(findings[0].fix.find("opentelemetry_sdk::trace::TracerProvider::builder()."
                             "with_batch_exporter(exporter, opentelemetry_sdk::runtime::Tokio)") !=
        std::string::npos);
  CHECK(findings[0].fix.find("SdkTracerProvider") == std::string::npos);
  const auto later = run(check_removed_apis, repo, "0.28");
  REQUIRE(later.size() == 1);
  CHECK(later[0].fix.find("SdkTracerProvider::builder()") != std::string::npos);
  CHECK(later[0].fix.find("runtime::Tokio") == std::string::npos);
}

TEST_CASE(
    "source rules: removed-api follows use imports and fires only when the break is crossed") {
  Repo repo;
  auto& f = repo.file("src/main.rs");
  f.paths.push_back(path("opentelemetry::global", 1, 5, true));
  add_call(f, "global::shutdown_tracer_provider", {}, 30, 13);
  CHECK(run(check_removed_apis, repo, "0.27").empty()); // breaks at 0.28
  auto findings = run(check_removed_apis, repo, "0.28");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].loc == Location{"src/main.rs", 30, 13});
  CHECK(findings[0].message ==
        "global::shutdown_tracer_provider (opentelemetry) stops compiling "
        "at 0.28: package llm-edge-agent builds it on 0.21, the target is 0.28");

  // A renamed dependency: otel_sdk::trace::TracerProvider is opentelemetry_sdk's.
  f.paths.push_back(path("otel_sdk::trace::TracerProvider", 2, 5, true));
  add_call(f, "TracerProvider::builder", {}, 20, 33);
  findings = run(check_removed_apis, repo, "0.28");
  REQUIRE(findings.size() == 3);
  CHECK(findings[1].loc == Location{"src/main.rs", 20, 33});
  INFO(findings[1].message);
  CHECK(findings[1].message.find("(opentelemetry_sdk) stops compiling at 0.28") !=
        std::string::npos);
  CHECK(findings[2].loc == Location{"src/main.rs", 2, 5}); // the import itself
}

TEST_CASE("source rules: removed-api judges each package against the line it builds against") {
  Repo repo(Files{{"old/Cargo.toml", R"([package]
name = "svc-old"
version = "0.1.0"
[dependencies]
opentelemetry = "0.26"
opentelemetry-otlp = "0.26"
)"},
                  {"new/Cargo.toml", R"([package]
name = "svc-new"
version = "0.1.0"
[dependencies]
opentelemetry = "0.27"
opentelemetry-otlp = "0.27"
)"},
                  {"new2/Cargo.toml", R"([package]
name = "svc-new2"
version = "0.1.0"
[dependencies]
opentelemetry = "0.27"
)"},
                  {"legacy/Cargo.toml", R"([package]
name = "svc-legacy"
version = "0.1.0"
[dependencies]
opentelemetry = "0.18"
)"}});
  add_call(repo.file("old/src/main.rs", CodeScope::production, false, "old/Cargo.toml", "svc-old"),
           "opentelemetry_otlp::new_pipeline", {}, 5, 37);
  add_call(repo.file("new/src/main.rs", CodeScope::production, false, "new/Cargo.toml", "svc-new"),
           "opentelemetry_otlp::new_pipeline", {}, 7, 37);
  add_call(repo.file("new/src/old.rs", CodeScope::production, true, "new/Cargo.toml", "svc-new"),
           "opentelemetry_otlp::new_exporter", {}, 3, 31);
  repo.file("legacy/src/lib.rs", CodeScope::production, false, "legacy/Cargo.toml", "svc-legacy")
      .paths.push_back(path("opentelemetry::sdk::trace::Tracer", 2, 5, true));

  // The repository's line is 0.27 (two of three opentelemetry declarations), yet svc-old builds
  // on 0.26 and svc-legacy on 0.18: the upgrade crosses their breaks.
  auto findings = run(check_removed_apis, repo, "0.27");
  REQUIRE(findings.size() == 4);
  CHECK(findings[0].loc == Location{"legacy/src/lib.rs", 2, 5});
  CHECK(findings[0].message == "opentelemetry::sdk (opentelemetry) stops compiling at 0.21: "
                               "package svc-legacy builds it on 0.18, the target is 0.27");
  // svc-new was moved to 0.27 in its manifest but not in its code: it does not compile now.
  CHECK(findings[1].loc == Location{"new/src/main.rs", 7, 37});
  CHECK(findings[1].severity == Severity::high);
  CHECK(findings[1].message ==
        "opentelemetry_otlp::new_pipeline (opentelemetry-otlp) does not compile on 0.27, the line "
        "package svc-new builds it on: it was removed at 0.27");
  CHECK(findings[2].loc == Location{"new/src/old.rs", 3, 31}); // never compiled
  CHECK(findings[2].severity == Severity::info);
  CHECK(findings[2].orphan);
  CHECK(findings[3].loc == Location{"old/src/main.rs", 5, 37});
  CHECK(findings[3].severity == Severity::high);
  CHECK(findings[3].message ==
        "opentelemetry_otlp::new_pipeline (opentelemetry-otlp) stops "
        "compiling at 0.27: package svc-old builds it on 0.26, the target is 0.27");

  // At target 0.26 the upgrade crosses nothing for svc-old, but svc-new still does not compile.
  findings = run(check_removed_apis, repo, "0.26");
  std::vector<std::string> at;
  for (const Finding& f : findings)
    at.push_back(f.loc.file + " " + std::string(to_string(f.severity)));
  CHECK(at == std::vector<std::string>{"legacy/src/lib.rs high", "new/src/main.rs high",
                                       "new/src/old.rs info"});
}

TEST_CASE("source rules: removed-api sees imported names used alone as types and values") {
  // Through the extractor: the uses below are one-segment paths of the imported names.
  Repo repo;
  repo.file("src/lib.rs") =
      rust::extract_facts(R"(use opentelemetry_sdk::trace::{Tracer, TracerProvider};
use opentelemetry::global::shutdown_tracer_provider;

pub struct Telemetry {
    pub provider: TracerProvider,
}
fn keep(p: TracerProvider) -> Option<TracerProvider> { Some(p) }
fn stopper() -> fn() { shutdown_tracer_provider }
)");
  // `Tracer` is not among them: opentelemetry_sdk keeps `pub use tracer::SdkTracer as Tracer`
  // through 0.32, so it still compiles.
  CHECK(located(run(check_removed_apis, repo, "0.28")) ==
        "1:40 trace::TracerProvider\n"
        "2:28 global::shutdown_tracer_provider\n"
        "5:19 trace::TracerProvider\n"
        "7:12 trace::TracerProvider\n"
        "8:24 global::shutdown_tracer_provider\n");
}

TEST_CASE("source rules: removed-api points at the leaf of a grouped use, undeclared-crate at "
          "its crate") {
  Repo repo;
  repo.file("src/lib.rs") = rust::extract_facts(R"(use opentelemetry_sdk::{
    runtime,
    trace::{Sampler, TracerProvider},
};
)");
  const auto findings = run(check_removed_apis, repo, "0.28");
  CHECK(located(findings) == "3:22 trace::TracerProvider\n");
  // The package declares the sdk only under its key otel_sdk.
  CHECK(located(of(run(check_crate_usage, repo), "undeclared-crate")) == "1:5 opentelemetry_sdk\n");
}

TEST_CASE("source rules: removed-api matches methods by argument count in declaring packages") {
  Repo repo;
  auto& f = repo.file("src/main.rs");
  add_call(f, "with_batch_exporter", {expr("exporter", 14, 30), expr("runtime::Tokio", 14, 40)}, 14,
           10, true);
  add_call(f, "with_batch_exporter", {expr("exporter", 15, 30)}, 15, 10, true);
  auto findings = run(check_removed_apis, repo, "0.28");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].loc == Location{"src/main.rs", 14, 10});
  CHECK(findings[0].fix == ".with_batch_exporter(exporter) (no runtime: the processor runs on its "
                           "own thread; with OTLP use grpc-tonic or reqwest-blocking-client)");

  // A closure of two parameters is one argument.
  Repo closure;
  closure.file("src/lib.rs") = rust::extract_facts(R"(fn init(b: Builder, e: Exporter) {
    b.with_batch_exporter(|a, c| a + c);
    b.with_batch_exporter(e, runtime::Tokio);
}
)");
  CHECK(located(run(check_removed_apis, closure, "0.28")) == "3:7 with_batch_exporter(exporter,\n");

  // A repository already on the target line crosses nothing; and a method known by its name
  // and argument count alone is not called absent from the package's own line (code that
  // compiles today, another type's method of that name, must not be called broken).
  Repo current(Files{{"Cargo.toml", R"([package]
name = "x"
version = "0.1.0"
[dependencies]
opentelemetry = "0.28"
opentelemetry_sdk = "0.28"
)"}});
  add_call(current.file("src/main.rs", CodeScope::production, false, "Cargo.toml", "x"),
           "with_batch_exporter", {expr("e", 3, 30), expr("runtime::Tokio", 3, 33)}, 3, 10, true);
  CHECK(run(check_removed_apis, current, "0.28").empty());
}

TEST_CASE("source rules: a common method name counts only on what the removed API was") {
  // `.tracing()` of the otlp pipeline: not on a package's own type in a file without
  // new_pipeline, nor on anything but new_pipeline's result where it has it; `.string(…)` of
  // opentelemetry's Key: not on other types; an instrument's `.init()`: not tracing-subscriber's.
  Repo repo;
  repo.file("src/settings.rs") = rust::extract_facts(R"(fn load(c: Config) {
    c.tracing();
    c.string(v);
    tracing_subscriber::registry().with(layer).init();
}
)");
  CHECK(run(check_removed_apis, repo).empty());
  repo.file("src/telemetry.rs") = rust::extract_facts(R"(use opentelemetry::Key;
fn init(meter: Meter) {
    let p = opentelemetry_otlp::new_pipeline()
        .tracing()
        .install_batch(runtime::Tokio);
    settings.tracing();
    let k = Key::new("k").string("v");
    let c = meter.u64_counter("requests").with_description("d").init();
    tracing_subscriber::registry().with(layer).init();
}
)");
  CHECK(located(run(check_removed_apis, repo)) == "3:33 opentelemetry_otlp::new_pipeline\n"
                                                  "4:10 new_pipeline().tracing()\n"
                                                  "5:10 .install_batch(..)\n"
                                                  "7:27 Key::string\n"
                                                  "8:65 .init()\n");
}

TEST_CASE("source rules: a detector's detect(timeout) breaks at 0.28, only where the trait is "
          "named") {
  // ResourceDetector::detect lost its timeout at opentelemetry_sdk 0.28; a `detect` of one
  // argument on anything else (a file that never names the trait cannot call it) is not it.
  Repo repo;
  repo.file("src/resource.rs") = rust::extract_facts(
      R"(use opentelemetry_sdk::resource::{EnvResourceDetector, ResourceDetector};
fn resource() -> Resource {
    let d = EnvResourceDetector::new();
    d.detect(Duration::from_secs(0))
}
)");
  repo.file("src/probe.rs") = rust::extract_facts(R"(fn probe(p: Probe) {
    p.detect(Duration::from_secs(1));
}
)");
  CHECK(run(check_removed_apis, repo, "0.27").empty());
  CHECK(located(run(check_removed_apis, repo, "0.28")) ==
        "4:7 ResourceDetector::detect(timeout)\n");
}

TEST_CASE("source rules: a gated API is no break where the package enables its feature, and an "
          "item that compiles again is none on that target") {
  const char* manifest = R"([package]
name = "x"
version = "0.1.0"
[dependencies]
opentelemetry = "0.26"
opentelemetry_sdk = { version = "0.26"%s }
)";
  auto repo_with = [&](const char* features) {
    char text[512];
    std::snprintf(text, sizeof text, manifest, features);
    Repo repo(Files{{"Cargo.toml", text}});
    repo.file("src/main.rs", CodeScope::production, false, "Cargo.toml", "x") =
        rust::extract_facts(R"(use opentelemetry::metrics::noop::NoopMeterProvider;
fn views() { let v = opentelemetry_sdk::metrics::new_view(criteria, stream); }
)");
    return repo;
  };
  // new_view is gated behind spec_unstable_metrics_views at 0.27 and removed at 0.30;
  // NoopMeterProvider is private on 0.27 .. 0.31 and public again on 0.32.
  CHECK(located(run(check_removed_apis, repo_with(""), "0.27")) ==
        "2:50 metrics::new_view\n"
        "1:35 metrics::noop::NoopMeterProvider\n");
  CHECK(located(run(check_removed_apis,
                    repo_with(R"(, features = ["spec_unstable_metrics_views"])"), "0.27")) ==
        "1:35 metrics::noop::NoopMeterProvider\n");
  CHECK(located(run(check_removed_apis,
                    repo_with(R"(, features = ["spec_unstable_metrics_views"])"), "0.32")) ==
        "2:50 metrics::new_view\n");
}

// --- service names --------------------------------------------------------------------------

TEST_CASE("source rules: service names are checked against the naming standard") {
  const Conventions& conv = rules().conventions;
  CHECK(service_name_suggestion("llm-edge-agent", conv) == "llm.edge-agent");
  CHECK(service_name_suggestion("edge-agent", conv) == "llm.edge-agent");
  CHECK(service_name_suggestion("LLM_Shield", conv) == "llm.shield");
  CHECK(service_name_suggestion("llm..shield", conv) == "llm.shield");
  CHECK(service_name_suggestion("llm.a.b.c", conv) == "llm.a.b-c");
  CHECK(service_name_suggestion("llm.edge-agent-", conv) == "llm.edge-agent");
  // No suggestion can be derived from the namespace alone or from letters beyond ASCII.
  CHECK(service_name_suggestion("llm", conv) == "llm.{component}[.{subcomponent}]");
  CHECK(service_name_suggestion("llm.\xC3\xA9"
                                "dge",
                                conv) == "llm.{component}[.{subcomponent}]");
  CHECK_FALSE(service_name_suggestion("llm.edge-agent", conv).has_value());
  CHECK_FALSE(service_name_suggestion("llm.edge-agent.proxy", conv).has_value());
}

TEST_CASE("source rules: service-name-format and service-name-dynamic at each source") {
  Repo repo;
  auto& f = repo.file("src/telemetry.rs");
  add_call(f, "KeyValue::new", {lit("service.name", 8, 23), lit("llm-edge-agent", 8, 39)}, 8, 19);
  add_call(f, "with_service_name", {expr("format!(\"llm.{}\", name)", 9, 28)}, 9, 10, true);
  // Data about another service, never passed where the service names itself: not judged.
  rust::FieldInit field;
  field.field = "service_name";
  field.value = lit("none", 10, 23);
  f.fields.push_back(field);
  // The service's own name in a constant, followed from its use below; a gRPC service's
  // generated SERVICE_NAME, never used so, is not judged.
  rust::StringItem item;
  item.name = "SERVICE";
  item.value = lit("EdgeAgent", 2, 28);
  f.items.push_back(item);
  item.name = "SERVICE_NAME";
  item.value = lit("search.v1.SearchService", 3, 33);
  f.items.push_back(item);
  add_call(f, "with_service_name", {expr("SERVICE.to_string()", 13, 28)}, 13, 10, true);
  // std::env::var("OTEL_SERVICE_NAME")
  //     .unwrap_or_else(|_| "edge".into())
  add_call(f, "std::env::var", {lit("OTEL_SERVICE_NAME", 11, 29)}, 11, 24);
  f.strings.push_back(lit("OTEL_SERVICE_NAME", 11, 29));
  add_call(f, "unwrap_or_else", {expr("|_| \"edge\".into()", 12, 25)}, 12, 10, true);
  f.strings.push_back(lit("edge", 12, 29));
  add_call(f, "into", {}, 12, 36, true);
  auto findings = run(check_service_names, repo);
  std::sort(findings.begin(), findings.end(), finding_less);
  REQUIRE(findings.size() == 4);
  CHECK(findings[0].rule == "service-name-format");
  CHECK(findings[0].loc == Location{"src/telemetry.rs", 2, 28});
  CHECK(findings[0].message == "service name \"EdgeAgent\" breaks the naming standard "
                               "llm.{component}[.{subcomponent}]: use \"llm.edgeagent\" (the "
                               "service name at src/telemetry.rs:13)");
  CHECK(findings[1].loc == Location{"src/telemetry.rs", 8, 39});
  CHECK(findings[1].severity == Severity::high);
  CHECK(findings[1].package == "llm-edge-agent");
  CHECK(findings[1].message == "service name \"llm-edge-agent\" breaks the naming standard "
                               "llm.{component}[.{subcomponent}]: use \"llm.edge-agent\"");
  CHECK(findings[1].fix == "\"llm.edge-agent\"");
  CHECK(findings[2].rule == "service-name-dynamic");
  CHECK(findings[2].severity == Severity::info);
  CHECK(findings[2].loc == Location{"src/telemetry.rs", 9, 28});
  CHECK(findings[2].message == "service name is not statically known: format!(\"llm.{}\", name)");
  CHECK(findings[3].loc == Location{"src/telemetry.rs", 12, 29});
  CHECK(findings[3].message == "service name \"edge\" breaks the naming standard "
                               "llm.{component}[.{subcomponent}]: use \"llm.edge\"");
}

TEST_CASE("source rules: OTEL_SERVICE_NAME has a default only through unwrap_or") {
  Repo repo;
  auto& f = repo.file("src/lib.rs");
  // std::env::var("OTEL_SERVICE_NAME").expect("OTEL_SERVICE_NAME must be set")
  add_call(f, "std::env::var", {lit("OTEL_SERVICE_NAME", 2, 20)}, 2, 15);
  f.strings.push_back(lit("OTEL_SERVICE_NAME", 2, 20));
  add_call(f, "expect", {lit("OTEL_SERVICE_NAME must be set", 2, 48)}, 2, 41, true);
  f.strings.push_back(lit("OTEL_SERVICE_NAME must be set", 2, 48));
  // env::var("OTEL_SERVICE_NAME").map_err(|e| format!("bad: {e}"))?
  add_call(f, "env::var", {lit("OTEL_SERVICE_NAME", 4, 15)}, 4, 10);
  add_call(f, "map_err", {expr("|e| format!(\"bad: {e}\")", 4, 44)}, 4, 36, true);
  f.strings.push_back(lit("bad: {e}", 4, 56));
  CHECK(run(check_service_names, repo).empty());
  // env::var("OTEL_SERVICE_NAME").unwrap_or("policy-engine".to_string())
  add_call(f, "env::var", {lit("OTEL_SERVICE_NAME", 6, 15)}, 6, 10);
  add_call(f, "unwrap_or", {lit("policy-engine", 6, 46)}, 6, 36, true);
  auto findings = run(check_service_names, repo);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].loc == Location{"src/lib.rs", 6, 46});
}

TEST_CASE("source rules: service names in tests and test code are not judged") {
  Repo repo;
  add_call(repo.file("tests/it.rs", CodeScope::test), "KeyValue::new",
           {lit("service.name", 3, 23), lit("test-service", 3, 39)}, 3, 19);
  auto& f = repo.file("src/lib.rs");
  auto& c = add_call(f, "KeyValue::new", {lit("service.name", 50, 23), lit("test-service", 50, 39)},
                     50, 19);
  c.in_test = true;
  add_call(f, "with_service_name", {lit("mock", 60, 28)}, 60, 10, true);
  f.test_lines.push_back({55, 70});
  CHECK(run(check_service_names, repo).empty());

  add_call(repo.file("src/unused.rs", CodeScope::production, true), "with_service_name",
           {lit("edge", 4, 28)}, 4, 10, true);
  auto findings = run(check_service_names, repo);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].orphan);
  CHECK(findings[0].severity == Severity::info);
  CHECK(findings[0].rule == "service-name-format");
}

// --- propagation and resources --------------------------------------------------------------

TEST_CASE("source rules: missing-propagation at the exporter's key until a propagator is set") {
  Repo repo;
  auto& f = repo.file("src/main.rs");
  add_call(f, "opentelemetry_otlp::new_exporter", {}, 4, 30);
  auto findings = of(run(check_telemetry_setup, repo), "missing-propagation");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::medium);
  CHECK(findings[0].loc == Location{"Cargo.toml", 7, 1});
  CHECK(findings[0].package == "llm-edge-agent");
  CHECK(findings[0].message ==
        "llm-edge-agent exports traces (opentelemetry-otlp) but none of the code it is built from "
        "installs W3C trace context propagation (TraceContextPropagator, set_text_map_propagator): "
        "traces break at every service boundary");

  add_call(f, "global::set_text_map_propagator", {expr("TraceContextPropagator::new()", 9, 40)}, 9,
           13);
  CHECK(of(run(check_telemetry_setup, repo), "missing-propagation").empty());
}

TEST_CASE("source rules: missing-propagation ignores test and orphan propagators") {
  Repo repo;
  repo.file("tests/p.rs", CodeScope::test).paths.push_back(path("x::TraceContextPropagator", 1, 5));
  repo.file("src/old.rs", CodeScope::production, true)
      .paths.push_back(path("x::TraceContextPropagator", 1, 5));
  CHECK(of(run(check_telemetry_setup, repo), "missing-propagation").empty()); // nothing compiled
  repo.file("src/main.rs");
  CHECK(of(run(check_telemetry_setup, repo), "missing-propagation").size() == 1);
}

TEST_CASE("source rules: resource-attributes-missing names what the Resource lacks") {
  Repo repo;
  repo.file("src/main.rs");
  auto& f = repo.file("src/telemetry.rs");
  add_call(f, "Resource::builder", {}, 20, 19);
  add_call(f, "KeyValue::new", {lit("service.version", 21, 38), expr("VERSION", 21, 57)}, 21, 34);
  auto findings = of(run(check_telemetry_setup, repo), "resource-attributes-missing");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::medium);
  CHECK(findings[0].loc == Location{"src/telemetry.rs", 20, 19});
  CHECK(findings[0].message == "Resource::builder builds a Resource without "
                               "deployment.environment.name (or deployment.environment)");
  CHECK(findings[0].fix == "add KeyValue::new(\"deployment.environment.name\", …)");

  // The newer attribute name, given through its semantic-conventions constant, is accepted.
  add_call(f, "KeyValue::new",
           {expr("semconv::resource::DEPLOYMENT_ENVIRONMENT_NAME", 22, 38), expr("env", 22, 80)},
           22, 34);
  CHECK(of(run(check_telemetry_setup, repo), "resource-attributes-missing").empty());
}

TEST_CASE("source rules: a resource key may be a string constant of another module") {
  Repo repo;
  repo.file("src/main.rs");
  auto& keys = repo.file("src/keys.rs");
  rust::StringItem version, env;
  version.name = "VERSION_KEY";
  version.value = lit("service.version", 1, 31);
  env.name = "ENV_KEY";
  env.value = lit("deployment.environment", 2, 27);
  keys.items = {version};
  auto& a = repo.file("src/a.rs");
  add_call(a, "Resource::new", {expr("[…]", 6, 29)}, 6, 15);
  add_call(a, "KeyValue::new", {expr("VERSION_KEY", 6, 44), lit("1", 6, 57)}, 6, 30);
  add_call(a, "KeyValue::new", {expr("crate::keys::ENV_KEY", 6, 76), lit("prod", 6, 98)}, 6, 62);
  auto findings = of(run(check_telemetry_setup, repo), "resource-attributes-missing");
  REQUIRE(findings.size() == 1); // ENV_KEY is no constant of the repository yet
  CHECK(findings[0].message == "Resource::new builds a Resource without "
                               "deployment.environment.name (or deployment.environment)");
  keys.items.push_back(env);
  CHECK(of(run(check_telemetry_setup, repo), "resource-attributes-missing").empty());
}

TEST_CASE("source rules: services are the binary packages with the members they are built from") {
  Repo repo({{"Cargo.toml", "[workspace]\nmembers = [\"svc\", \"tel\", \"kit\", \"tool\"]\n"
                            "[workspace.dependencies]\ntel = { path = \"tel\" }\n"},
             {"svc/Cargo.toml", "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n"
                                "[dependencies]\ntel.workspace = true\n"},
             {"tel/Cargo.toml", "[package]\nname = \"tel\"\nversion = \"0.1.0\"\n"
                                "[dependencies]\nopentelemetry-otlp = \"0.27\"\n"},
             {"kit/Cargo.toml", "[package]\nname = \"kit\"\nversion = \"0.1.0\"\n"
                                "[dependencies]\nopentelemetry-otlp = \"0.27\"\n"},
             {"tool/Cargo.toml", "[package]\nname = \"tool\"\nversion = \"0.1.0\"\n"
                                 "[[bin]]\nname = \"tool\"\npath = \"cli.rs\"\n"
                                 "[dev-dependencies]\ntel = { path = \"../tel\" }\n"}});
  repo.file("svc/src/main.rs", CodeScope::production, false, "svc/Cargo.toml", "svc");
  auto& tel = repo.file("tel/src/lib.rs", CodeScope::production, false, "tel/Cargo.toml", "tel");
  repo.file("kit/src/lib.rs", CodeScope::production, false, "kit/Cargo.toml", "kit");
  repo.file("tool/cli.rs", CodeScope::production, false, "tool/Cargo.toml", "tool");
  auto names = [](const std::vector<const PackageModel*>& packages) {
    std::string out;
    for (const PackageModel* p : packages)
      out += (out.empty() ? "" : " ") + p->name;
    return out;
  };
  const auto services = source::services(repo.model);
  REQUIRE(services.size() == 2);
  CHECK(services[0].binary->name == "svc");
  CHECK(names(services[0].closure) == "svc tel"); // through `tel.workspace = true`
  CHECK(services[1].binary->name == "tool");      // a [[bin]] at a path of its own
  CHECK(names(services[1].closure) == "tool");    // a dev-dependency is not built into it

  // svc's exporter is set up in tel: one finding, for svc, at tel's key; kit, a library no
  // binary is built from, is its users' to set up.
  auto findings = of(run(check_telemetry_setup, repo), "missing-propagation");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].loc == Location{"tel/Cargo.toml", 5, 1});
  CHECK(findings[0].package == "svc");
  CHECK(findings[0].message ==
        "svc exports traces (opentelemetry-otlp) but none of the code it is built from installs "
        "W3C trace context propagation (TraceContextPropagator, set_text_map_propagator): traces "
        "break at every service boundary");

  // A second binary built from tel: one place to fix, one finding naming both.
  Repo two({{"Cargo.toml", "[workspace]\nmembers = [\"svc\", \"svc2\", \"tel\"]\n"},
            {"svc/Cargo.toml", "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n"
                               "[dependencies]\ntel = { path = \"../tel\" }\n"},
            {"svc2/Cargo.toml", "[package]\nname = \"svc2\"\nversion = \"0.1.0\"\n"
                                "[dependencies]\ntel = { path = \"../tel\" }\n"},
            {"tel/Cargo.toml", "[package]\nname = \"tel\"\nversion = \"0.1.0\"\n"
                               "[dependencies]\nopentelemetry-otlp = \"0.27\"\n"}});
  two.file("svc/src/main.rs", CodeScope::production, false, "svc/Cargo.toml", "svc");
  two.file("svc2/src/bin/admin.rs", CodeScope::production, false, "svc2/Cargo.toml", "svc2");
  two.file("tel/src/lib.rs", CodeScope::production, false, "tel/Cargo.toml", "tel");
  findings = of(run(check_telemetry_setup, two), "missing-propagation");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].package == "tel");
  CHECK(findings[0].message.starts_with("svc, svc2 export traces (opentelemetry-otlp) but none "
                                        "of the code they are built from installs"));

  tel.paths.push_back(path("opentelemetry_sdk::propagation::TraceContextPropagator", 3, 5, true));
  CHECK(of(run(check_telemetry_setup, repo), "missing-propagation").empty());
}

TEST_CASE("source rules: propagation installed by a helper crate's function counts") {
  auto findings = [](const std::string& code, bool declared = true) {
    std::string manifest = "[package]\nname = \"api\"\nversion = \"0.1.0\"\n[dependencies]\n"
                           "opentelemetry-otlp = \"0.27\"\n";
    if (declared) manifest += "init-tracing-opentelemetry = \"0.25\"\n";
    Repo repo(Files{{"Cargo.toml", manifest}});
    repo.file("src/main.rs", CodeScope::production, false, "Cargo.toml", "api") =
        rust::extract_facts(code);
    return of(run(check_telemetry_setup, repo), "missing-propagation").size();
  };
  CHECK(findings("fn main() { init_tracing_opentelemetry::init_propagator().unwrap(); }") == 0);
  CHECK(findings("use init_tracing_opentelemetry::tracing_subscriber_ext::init_subscribers;\n"
                 "fn main() { let _guard = init_subscribers(); }") == 0);
  CHECK(findings("use init_tracing_opentelemetry::tracing_subscriber_ext::*;\n"
                 "fn main() { let _guard = init_subscribers(); }") == 0);
  // A function of the service's own that shares the name, the helper not depended on, or one
  // of its functions that installs no propagator.
  CHECK(findings("fn init_propagator() {}\nfn main() { init_propagator(); }") == 1);
  CHECK(findings("fn main() { init_tracing_opentelemetry::init_propagator().unwrap(); }", false) ==
        1);
  CHECK(
      findings("fn main() { let _p = init_tracing_opentelemetry::otlp::init_tracerprovider(); }") ==
      1);
}

// --- environment variables ------------------------------------------------------------------

TEST_CASE("source rules: env-var-nonstandard lists other names once per package") {
  Repo repo;
  auto& f = repo.file("src/config.rs");
  add_call(f, "std::env::var", {lit("DATABASE_URL", 3, 29)}, 3, 24);
  add_call(f, "env::var", {lit("DATABASE_URL", 9, 24)}, 9, 19);
  add_call(f, "env::var", {lit("OTLP_ENDPOINT", 4, 24)}, 4, 19);
  add_call(f, "option_env", {lit("OTEL_EXPORTER_OTLP_COMPRESSION", 5, 24)}, 5, 13, false, true);
  add_call(f, "dotenvy::var", {lit("LOG_FORMAT", 6, 28)}, 6, 23);
  // Set by Cargo when it compiles the crate: env!("CARGO_PKG_VERSION"), env!("OUT_DIR").
  add_call(f, "env", {lit("CARGO_PKG_VERSION", 7, 24)}, 7, 19, false, true);
  add_call(f, "env", {lit("OUT_DIR", 8, 33)}, 8, 28, false, true);
  auto findings = run(check_env_vars, repo);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].rule == "env-var-nonstandard");
  CHECK(findings[0].severity == Severity::info);
  CHECK(findings[0].loc == Location{"src/config.rs", 3, 29});
  CHECK(findings[0].message ==
        "environment variable DATABASE_URL is not one of the ecosystem's standard names");
}

TEST_CASE("source rules: env-var-missing when no required variable is read") {
  Repo repo;
  repo.file("src/main.rs");
  auto& f = repo.file("src/config.rs");
  add_call(f, "env::var", {lit("OTEL_EXPORTER_OTLP_ENDPOINT", 4, 24)}, 4, 19);
  auto findings = run(check_env_vars, repo);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].rule == "env-var-missing");
  CHECK(findings[0].severity == Severity::low);
  CHECK(findings[0].loc == Location{"Cargo.toml", 7, 1});
  CHECK(findings[0].message == "llm-edge-agent exports traces (opentelemetry-otlp) but none of "
                               "the code it is built from reads the standard environment "
                               "variables OTLP_ENDPOINT, ENVIRONMENT");

  auto& c = add_call(f, "env::var", {lit("ENVIRONMENT", 40, 24)}, 40, 19);
  c.in_test = true; // a test's read does not count
  CHECK(run(check_env_vars, repo).size() == 1);
  add_call(f, "env::var", {lit("ENVIRONMENT", 5, 24)}, 5, 19);
  CHECK(run(check_env_vars, repo).empty());
}

TEST_CASE("source rules: env! and option_env! are read at build time, not from the environment") {
  Repo repo;
  repo.file("src/main.rs");
  auto& f = repo.file("src/config.rs");
  add_call(f, "env", {lit("OTLP_ENDPOINT", 3, 30)}, 3, 25, false, true);
  add_call(f, "option_env", {lit("ENVIRONMENT", 4, 37)}, 4, 25, false, true);
  add_call(f, "option_env", {lit("GIT_SHA", 5, 37)}, 5, 25, false, true);
  auto findings = run(check_env_vars, repo);
  REQUIRE(findings.size() == 1); // no env-var-nonstandard for GIT_SHA
  CHECK(findings[0].rule == "env-var-missing");
  add_call(f, "std::env::var", {lit("ENVIRONMENT", 9, 30)}, 9, 15);
  CHECK(run(check_env_vars, repo).empty());
}

TEST_CASE("source rules: env-var-missing only where traces are exported") {
  // A service that uses the API only configures no exporter: it has nothing to read them for.
  Repo repo({{"Cargo.toml", "[workspace]\nmembers = [\"core\"]\n"},
             {"core/Cargo.toml", "[package]\nname = \"core\"\nversion = \"0.1.0\"\n"
                                 "[dependencies]\nopentelemetry = \"0.27\"\n"}});
  auto& f = repo.file("core/src/main.rs", CodeScope::production, false, "core/Cargo.toml", "core");
  CHECK(run(check_env_vars, repo).empty());
  // An exporter built in code is a sign too, where no exporter crate is declared.
  add_call(f, "opentelemetry_otlp::SpanExporter::builder", {}, 12, 33);
  auto findings = run(check_env_vars, repo);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].loc == Location{"core/src/main.rs", 12, 33});
  CHECK(findings[0].package == "core");
  CHECK(findings[0].message ==
        "core exports traces (opentelemetry_otlp::SpanExporter::builder) but none of the code it "
        "is built from reads the standard environment variables OTLP_ENDPOINT, ENVIRONMENT");
}

// --- HTTP conventions -----------------------------------------------------------------------

TEST_CASE("source rules: span names that look like HTTP must be {METHOD} {route}") {
  const Conventions& conv = rules().conventions;
  std::string s;
  CHECK(http_span_name_malformed("/v1/chat", conv, s));
  CHECK(s == "{METHOD} /v1/chat");
  CHECK(http_span_name_malformed("POST_chat", conv, s));
  CHECK(s == "POST /chat");
  CHECK(http_span_name_malformed("post /v1/chat", conv, s));
  CHECK(s == "POST /v1/chat");
  CHECK(http_span_name_malformed("GET:/health", conv, s));
  CHECK(s == "GET /health");
  CHECK_FALSE(http_span_name_malformed("GET /v1/chat", conv, s));
  CHECK_FALSE(http_span_name_malformed("GET", conv, s));
  CHECK_FALSE(http_span_name_malformed("handle_request", conv, s));
  CHECK_FALSE(http_span_name_malformed("get_user", conv, s));
  CHECK_FALSE(http_span_name_malformed("db.query", conv, s));
}

TEST_CASE("source rules: request-id-not-propagated and span-name-format in an HTTP service") {
  Repo repo;
  repo.file("src/main.rs");
  auto& f = repo.file("src/routes.rs");
  // Naming axum is not serving: without a router or server built, request ids are not asked.
  add_call(f, "axum::extract::Json", {expr("body", 9, 30)}, 9, 20);
  add_call(f, "info_span", {lit("/v1/chat", 14, 26)}, 14, 16, false, true);
  CHECK(of(run(check_http_conventions, repo), "request-id-not-propagated").empty());
  // `use axum::serve; serve(listener, app)`: the package serves HTTP.
  f.paths.push_back(path("axum::serve", 1, 5, true));
  add_call(f, "serve", {expr("listener", 30, 11), expr("app", 30, 21)}, 30, 5);
  add_call(f, "tracing::info_span", {lit("handle_request", 15, 35)}, 15, 25, false, true);
  rust::Attribute attr;
  attr.path = "tracing::instrument";
  attr.values.push_back({"name", lit("POST_chat", 20, 30)});
  attr.pos = {20, 3};
  f.attributes.push_back(attr);
  auto findings = run(check_http_conventions, repo);
  std::sort(findings.begin(), findings.end(), finding_less);
  REQUIRE(findings.size() == 3);
  CHECK(findings[0].rule == "request-id-not-propagated");
  CHECK(findings[0].loc == Location{"Cargo.toml", 9, 1});
  CHECK(findings[0].severity == Severity::low);
  CHECK(findings[0].package == "llm-edge-agent");
  CHECK(findings[0].message ==
        "package llm-edge-agent serves HTTP (serve at src/routes.rs:30) but no code it is built "
        "from names the x-request-id header: requests cannot be correlated across services");
  CHECK(findings[1].rule == "span-name-format");
  CHECK(findings[1].loc == Location{"src/routes.rs", 14, 26});
  CHECK(findings[1].message == "HTTP span name \"/v1/chat\" is not in the form {METHOD} {route}: "
                               "use \"{METHOD} /v1/chat\"");
  CHECK(findings[2].loc == Location{"src/routes.rs", 20, 30});
  CHECK(findings[2].fix == "\"POST /chat\"");

  f.strings.push_back(lit("X-Request-Id", 30, 40));
  CHECK(of(run(check_http_conventions, repo), "request-id-not-propagated").empty());
}

TEST_CASE("source rules: tower-http's request-id layers name the header themselves") {
  Repo repo;
  repo.file("src/main.rs");
  auto& f = repo.file("src/app.rs");
  add_call(f, "Router::new", {}, 11, 20);
  add_call(f, "x_request_id", {}, 12, 40, true);
  f.calls.back().method = false;
  f.calls.back().callee = "SetRequestIdLayer::x_request_id";
  CHECK(of(run(check_http_conventions, repo), "request-id-not-propagated").empty());
  Repo other;
  other.file("src/main.rs");
  add_call(other.file("src/app.rs"), "Router::new", {}, 8, 20);
  add_call(other.file("src/app.rs"), "propagate_x_request_id", {}, 9, 10, true);
  CHECK(of(run(check_http_conventions, other), "request-id-not-propagated").empty());
  Repo none;
  none.file("src/main.rs");
  add_call(none.file("src/app.rs"), "request_id", {}, 9, 10, true);
  add_call(none.file("src/app.rs"), "Router::new", {}, 8, 20);
  CHECK(of(run(check_http_conventions, none), "request-id-not-propagated").size() == 1);
}

TEST_CASE("source rules: span-name-format reads the name of #[instrument], not of its fields") {
  Repo repo;
  repo.file("src/routes.rs") = rust::extract_facts(R"(const HEADER: &str = "x-request-id";
#[instrument(name = "GET /v1/models/{id}", fields(name = "/not-a-span-name"))]
async fn get_model() {}
#[tracing::instrument(fields(route = "/v1/chat"), name = "/v1/chat")]
async fn chat() {}
)");
  const auto findings = run(check_http_conventions, repo);
  CHECK(located(findings) == "4:58 HTTP\n");
}

TEST_CASE("source rules: HTTP rules leave non-HTTP packages and test code alone") {
  Repo repo(Files{{"Cargo.toml", "[package]\nname = \"worker\"\nversion = \"0.1.0\"\n"
                                 "[dependencies]\ntracing = \"0.1\"\n"}});
  add_call(repo.file("src/lib.rs", CodeScope::production, false, "Cargo.toml", "worker"),
           "info_span", {lit("/v1/chat", 4, 26)}, 4, 16, false, true);
  CHECK(run(check_http_conventions, repo).empty());

  Repo http;
  auto& f = http.file("src/lib.rs");
  f.strings.push_back(lit("x-request-id", 2, 30));
  auto& c = add_call(f, "info_span", {lit("/v1/chat", 40, 26)}, 40, 16, false, true);
  c.in_test = true;
  CHECK(run(check_http_conventions, http).empty());
}
