#include "rules/rule_table.h"

#include <array>

namespace otelaudit {

namespace {

constexpr std::array kRules = {
    RuleInfo{"otel-version-behind", Severity::high, "manifest",
             "An OpenTelemetry crate is on a line older than the target (a blocker when "
             "several lines behind)."},
    RuleInfo{"otel-version-ahead", Severity::medium, "manifest",
             "An OpenTelemetry crate is on a line newer than the target."},
    RuleInfo{"otel-line-mixed", Severity::high, "manifest",
             "Crates of different OpenTelemetry lines are declared in one repository."},
    RuleInfo{"tracing-bridge-mismatch", Severity::high, "manifest",
             "tracing-opentelemetry is not the release built for the OpenTelemetry line in use."},
    RuleInfo{"deprecated-exporter", Severity::blocker, "manifest",
             "A deprecated crate is declared (opentelemetry-jaeger: export OTLP instead)."},
    RuleInfo{"missing-feature", Severity::high, "manifest",
             "A crate of the line lacks a feature the canonical set requires."},
    RuleInfo{"unknown-feature", Severity::blocker, "manifest",
             "A dependency names a feature its crate does not have on that line: Cargo refuses "
             "the manifest."},
    RuleInfo{"misnamed-crate", Severity::high, "manifest",
             "A dependency names a crate that does not exist under that spelling."},
    RuleInfo{"needs-integration", Severity::medium, "manifest",
             "The repository uses tracing but declares no OpenTelemetry crate."},
    RuleInfo{"companion-drift", Severity::low, "manifest",
             "A companion crate (metrics, tracing-subscriber, …) differs from the canonical set."},
    RuleInfo{"unused-workspace-dependency", Severity::low, "manifest",
             "A [workspace.dependencies] entry no member inherits: Cargo never builds it."},
    RuleInfo{"lockfile-multiple-lines", Severity::high, "lockfile",
             "Cargo.lock resolves OpenTelemetry crates at two or more lines."},
    RuleInfo{"lockfile-stale", Severity::high, "lockfile",
             "Cargo.lock does not satisfy a requirement of the manifests (cargo build --locked "
             "fails)."},
    RuleInfo{"no-lockfile", Severity::info, "lockfile",
             "No Cargo.lock: the package is audited from its requirements alone."},
    RuleInfo{"manifest-parse-error", Severity::high, "input", "A Cargo.toml is not valid TOML."},
    RuleInfo{"manifest-invalid", Severity::high, "input",
             "A Cargo.toml parses but is not a valid manifest."},
    RuleInfo{"lockfile-parse-error", Severity::medium, "input", "A Cargo.lock does not parse."},
    RuleInfo{"invalid-requirement", Severity::medium, "input",
             "A version requirement is not valid Cargo syntax."},
    RuleInfo{"workspace-member-missing", Severity::medium, "input",
             "A workspace member path or glob matches no package."},
    RuleInfo{"path-outside-repo", Severity::high, "input",
             "A workspace member or path dependency points outside the repository."},
    RuleInfo{"file-unreadable", Severity::medium, "input",
             "A file could not be read, or its facts could not be fully extracted."},
    RuleInfo{"symlink-skipped", Severity::info, "input", "A symbolic link was not followed."},
    RuleInfo{"git-object-missing", Severity::medium, "input",
             "A file's blob is missing from the git object database (partial or pruned copy)."},
    RuleInfo{"git-object-corrupt", Severity::medium, "input",
             "A git object is damaged (a truncated or invalid loose object, a bad pack entry, "
             "content that does not match its id)."},
    RuleInfo{"git-submodule-skipped", Severity::info, "input",
             "A git submodule was not followed: audit it as a repository of its own."},
    RuleInfo{"unused-suppression", Severity::low, "input",
             "An inline `otel-audit: allow(rule)` comment silences no finding."},
    // Cross-repository analysis (lib/graph/): judged over the whole set of repositories.
    RuleInfo{"dependency-cycle", Severity::high, "graph",
             "Repositories of the set depend on each other in a cycle."},
    RuleInfo{"link-incompatible", Severity::blocker, "graph",
             "A repository depends on one on another OpenTelemetry line: they cannot be linked "
             "into one binary."},
    RuleInfo{"transitive-spread", Severity::medium, "graph",
             "A crate is locked across the set at versions on both sides of a breaking release."},
    // Source rules: what the .rs files do (lib/rules/source_*.cpp).
    RuleInfo{"undeclared-crate", Severity::high, "source",
             "Code uses an OpenTelemetry or tracing crate its package does not declare."},
    RuleInfo{"unused-otel-crate", Severity::low, "source",
             "An OpenTelemetry crate is declared but its package's code never uses it."},
    RuleInfo{"jaeger-code", Severity::high, "source",
             "Code of the deprecated Jaeger exporter or a Jaeger agent endpoint."},
    RuleInfo{"removed-api", Severity::high, "source",
             "An API that stops compiling between the repository's line and the target."},
    RuleInfo{"service-name-format", Severity::high, "source",
             "A service name breaks the naming standard llm.{component}[.{subcomponent}]."},
    RuleInfo{"service-name-dynamic", Severity::info, "source",
             "A service name is built at run time and cannot be checked."},
    RuleInfo{"missing-propagation", Severity::medium, "source",
             "Traces are exported but W3C trace context propagation is never installed."},
    RuleInfo{"resource-attributes-missing", Severity::medium, "source",
             "A Resource is built without service.version or deployment.environment."},
    RuleInfo{"env-var-nonstandard", Severity::info, "source",
             "Code reads an environment variable that is not one of the standard names."},
    RuleInfo{"env-var-missing", Severity::low, "source",
             "A repository that exports traces reads none of the required environment variables."},
    RuleInfo{"request-id-not-propagated", Severity::low, "source",
             "An HTTP service never names the x-request-id header."},
    RuleInfo{"span-name-format", Severity::low, "source",
             "An HTTP span name is not in the form {METHOD} {route}."},
    RuleInfo{"source-lex-error", Severity::medium, "source",
             "A Rust file could not be fully tokenised."},
    RuleInfo{"module-not-found", Severity::medium, "source",
             "A `mod x;` declaration names a file that does not exist."},
    // deployment: Compose files, Kubernetes manifests, collector configs, .env files
    RuleInfo{"deploy-direct-to-jaeger", Severity::high, "deployment",
             "A Compose service exports telemetry straight to Jaeger, with no collector in the "
             "path."},
    RuleInfo{"deploy-jaeger-no-otlp", Severity::medium, "deployment",
             "A Jaeger service does not receive OTLP (too old, not enabled, or ports closed)."},
    RuleInfo{"collector-pipeline-invalid", Severity::high, "deployment",
             "A collector pipeline names undefined components, or no traces pipeline exists."},
    RuleInfo{"deploy-env-missing", Severity::low, "deployment",
             "Standard environment variables are absent from .env.example or a service's "
             "environment."},
    RuleInfo{"deploy-sampler-invalid", Severity::medium, "deployment",
             "OTEL_TRACES_SAMPLER_ARG is not a ratio in 0..1."},
    RuleInfo{"k8s-pod-metadata-missing", Severity::low, "deployment",
             "A Deployment or StatefulSet does not pass the pod name and namespace from the "
             "downward API."},
    RuleInfo{"deploy-service-name-format", Severity::high, "deployment",
             "A service.name set in the environment breaks llm.{component}[.{subcomponent}]."},
    RuleInfo{"deploy-parse-error", Severity::medium, "input",
             "A deployment file (YAML or .env) does not parse."},
    RuleInfo{"deploy-file-skipped", Severity::info, "input",
             "A deployment file was not audited: a Helm template, or over a size or "
             "alias-expansion limit."},
    // hardening: limits on what an audited repository can make the tool read
    RuleInfo{"file-too-large", Severity::medium, "input",
             "A file is larger than the size limit and was not read."},
    RuleInfo{"repository-budget-exceeded", Severity::high, "input",
             "A repository reached a reading budget (entries, path bytes, depth, file size, "
             "member globs): part of it was not audited."},
};

} // namespace

std::span<const RuleInfo> rule_table() {
  return kRules;
}

const RuleInfo* find_rule(std::string_view id) {
  for (const RuleInfo& r : kRules)
    if (r.id == id) return &r;
  return nullptr;
}

} // namespace otelaudit
