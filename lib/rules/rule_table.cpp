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
             "A deprecated exporter crate is declared (opentelemetry-jaeger: export OTLP instead)."},
    RuleInfo{"missing-feature", Severity::high, "manifest",
             "A crate of the line lacks a feature the canonical set requires."},
    RuleInfo{"misnamed-crate", Severity::high, "manifest",
             "A dependency names a crate that does not exist under that spelling."},
    RuleInfo{"needs-integration", Severity::medium, "manifest",
             "The repository uses tracing but declares no OpenTelemetry crate."},
    RuleInfo{"companion-drift", Severity::low, "manifest",
             "A companion crate (metrics, tracing-subscriber, …) differs from the canonical set."},
    RuleInfo{"lockfile-multiple-lines", Severity::high, "lockfile",
             "Cargo.lock resolves OpenTelemetry crates at two or more lines."},
    RuleInfo{"no-lockfile", Severity::info, "lockfile",
             "No Cargo.lock: the package is audited from its requirements alone."},
    RuleInfo{"manifest-parse-error", Severity::high, "input", "A Cargo.toml is not valid TOML."},
    RuleInfo{"manifest-invalid", Severity::high, "input",
             "A Cargo.toml parses but is not a valid manifest."},
    RuleInfo{"lockfile-parse-error", Severity::medium, "input",
             "A Cargo.lock does not parse."},
    RuleInfo{"invalid-requirement", Severity::medium, "input",
             "A version requirement is not valid Cargo syntax."},
    RuleInfo{"workspace-member-missing", Severity::medium, "input",
             "A workspace member path or glob matches no package."},
    RuleInfo{"path-outside-repo", Severity::high, "input",
             "A workspace member or path dependency points outside the repository."},
    RuleInfo{"file-unreadable", Severity::medium, "input",
             "A file could not be read or is not UTF-8 text."},
    RuleInfo{"symlink-skipped", Severity::info, "input",
             "A symbolic link was not followed."},
    // hardening: limits on what an audited repository can make the tool read
    RuleInfo{"file-too-large", Severity::medium, "input",
             "A file is larger than the size limit and was not read."},
};

} // namespace

std::span<const RuleInfo> rule_table() { return kRules; }

const RuleInfo* find_rule(std::string_view id) {
  for (const RuleInfo& r : kRules)
    if (r.id == id) return &r;
  return nullptr;
}

} // namespace otelaudit
