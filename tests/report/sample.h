#pragma once
// A hand-built audit shared by the renderer tests: two repositories with findings of every
// severity (one without a line, one after a non-ASCII character and a tab, one with `|` in its
// message, one in a file without source text) and one repository without findings. Each
// finding is one the rules report at its line (docs/rules.md), though not every finding an audit
// of these files would report; statuses, scores and hours are computed by the real readiness
// model over the bundled rules/scoring.toml, never written here.
#include <doctest/doctest.h>

#include "rules/ruleset.h"
#include "score/readiness.h"
#include "score/score.h"

namespace otelaudit {

inline Finding sample_finding(std::string rule, Severity severity, std::string repo, Location loc,
                              std::string message, std::string fix, std::string package) {
  Finding f;
  f.rule = std::move(rule);
  f.severity = severity;
  f.repo = std::move(repo);
  f.loc = std::move(loc);
  f.message = std::move(message);
  f.fix = std::move(fix);
  f.package = std::move(package);
  return f;
}

/// Fills statuses, scores, hours and the verdict of `result` as the audit does: the readiness
/// model (score/score.h) over the bundled rules/scoring.toml, no minimum score.
inline void score_with_bundled_rules(AuditResult& result) {
  static const RulesetResult rules = load_ruleset(OTEL_AUDIT_RULES_DIR, result.target);
  REQUIRE(rules.ruleset.has_value());
  score_result(result, *rules.ruleset);
}

inline AuditResult sample_audit() {
  RepoResult edge;
  edge.name = "edge-agent";
  edge.path = "repos/edge-agent";
  edge.otel_line = "0.26";
  edge.exporter = "opentelemetry-otlp 0.26";
  edge.has_lockfile = true;
  edge.crates = {
      {"opentelemetry", "0.26", "0.26.0", "llm-edge-agent", {"Cargo.toml", 7, 1}},
      {"opentelemetry-otlp", "0.26", "0.26.0", "llm-edge-agent", {"Cargo.toml", 8, 1}},
  };
  edge.findings = {
      sample_finding("lockfile-multiple-lines", Severity::high, "edge-agent", {"Cargo.lock", 57, 1},
                     "Cargo.lock resolves opentelemetry at 0.24.0 and 0.26.0", "", ""),
      sample_finding("companion-drift", Severity::low, "edge-agent", {"Cargo.toml", 6, 11},
                     "metrics 0.23 differs from the canonical 0.24", "metrics = \"0.24\"", ""),
      sample_finding("otel-version-behind", Severity::high, "edge-agent", {"Cargo.toml", 7, 29},
                     "opentelemetry 0.26 is one line behind the target 0.27",
                     "opentelemetry = { version = \"0.27\" }", "llm-edge-agent"),
      // Only with default-features = false: otlp 0.26's defaults hold metrics and logs.
      sample_finding("missing-feature", Severity::high, "edge-agent", {"Cargo.toml", 8, 1},
                     "opentelemetry-otlp lacks the features metrics, logs",
                     "features = [\"trace\", \"metrics\", \"logs\"]", "llm-edge-agent"),
      sample_finding("companion-drift", Severity::low, "edge-agent", {"Cargo.toml", 11, 31},
                     "metrics-exporter-prometheus 0.15 differs from the canonical 0.16",
                     "metrics-exporter-prometheus = \"0.16\"", ""),
  };
  edge.sources = {
      {"Cargo.toml", "[workspace]\n"
                     "members = [\"crates/*\"]\n"
                     "\n"
                     "[workspace.dependencies]\n"
                     "tokio = { version = \"1.35\", features = [\"full\"] }\n"
                     "metrics = \"0.23\"\n"
                     "opentelemetry = { version = \"0.26\" }\n"
                     "opentelemetry-otlp = { version = \"0.26\", default-features = false, "
                     "features = [\"trace\"] }\n"
                     "tracing = \"0.1\"\n"
                     "# \xC3\x9C"
                     "berwachung: Exporter f\xC3\xBCr den Collector\n"
                     "metrics-exporter-prometheus = \"0.15\"\n"},
  };

  RepoResult policy;
  policy.name = "policy-engine";
  policy.path = "repos/policy-engine";
  policy.otel_line = "0.21";
  policy.exporter = "opentelemetry-jaeger 0.20";
  policy.bridge = "tracing-opentelemetry 0.22";
  policy.has_lockfile = false;
  policy.crates = {
      {"opentelemetry", "0.21 | 0.22", std::nullopt, "policy-engine", {"Cargo.toml", 9, 1}},
      {"tracing-opentelemetry", "0.22", std::nullopt, "policy-engine", {"Cargo.toml", 10, 1}},
      {"opentelemetry-jaeger", "0.20", std::nullopt, "policy-engine", {"Cargo.toml", 11, 1}},
  };
  policy.findings = {
      sample_finding("no-lockfile", Severity::info, "policy-engine", {"Cargo.toml", 0, 0},
                     "no Cargo.lock: policy-engine is audited from its requirements alone", "",
                     "policy-engine"),
      sample_finding("invalid-requirement", Severity::medium, "policy-engine",
                     {"Cargo.toml", 9, 17},
                     "version requirement \"0.21 | 0.22\" is not valid Cargo syntax",
                     "opentelemetry = \"0.27\"", "policy-engine"),
      sample_finding(
          "deprecated-exporter", Severity::blocker, "policy-engine", {"Cargo.toml", 11, 1},
          "opentelemetry-jaeger 0.20 is deprecated: export OTLP to a collector instead",
          "opentelemetry-otlp = { version = \"0.27\", features = [\"trace\"] }", "policy-engine"),
      // Code of the deprecated exporter is jaeger-code; deprecated-exporter is the manifest's.
      sample_finding("jaeger-code", Severity::high, "policy-engine", {"src/main.rs", 5, 16},
                     "opentelemetry_jaeger::new_agent_pipeline is code of the deprecated Jaeger "
                     "exporter",
                     "", "policy-engine"),
  };
  policy.sources = {
      {"Cargo.toml", "[package]\n"
                     "name = \"policy-engine\"\n"
                     "version = \"0.3.1\"\n"
                     "edition = \"2021\"\n"
                     "\n"
                     "[dependencies]\n"
                     "tokio = { version = \"1.35\", features = [\"full\"] }\n"
                     "tracing = \"0.1\"\n"
                     "opentelemetry = \"0.21 | 0.22\"\n"
                     "tracing-opentelemetry = \"0.22\"\n"
                     "opentelemetry-jaeger = { version = \"0.20\", features = [\"rt-tokio\"] }\n"},
      {"src/main.rs", "use opentelemetry::global;\n"
                      "\n"
                      "fn main() {\n"
                      "\t// T\xC3\xA9l\xC3\xA9m\xC3\xA9trie: the exporter below is deprecated\n"
                      "\tlet r\xC3\xA9glage = opentelemetry_jaeger::new_agent_pipeline();\n"
                      "}\n"},
  };

  RepoResult shield;
  shield.name = "shield";
  shield.path = "repos/shield";
  shield.has_lockfile = true;

  AuditResult result;
  result.target = "0.27";
  result.repos = {std::move(edge), std::move(policy), std::move(shield)};
  score_with_bundled_rules(result);
  return result;
}

} // namespace otelaudit
