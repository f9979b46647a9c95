// The manifest family: what the Cargo.toml declarations of a repository say against the target
// line. Its checks live beside this declaration: versions.cpp (check_versions,
// check_crate_names), features.cpp (check_features), integration.cpp (check_integration).
#include "rules/families/manifest.h"

namespace otelaudit {

const RuleFamily& manifest_family() {
  static constexpr RuleInfo kRules[] = {
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
      RuleInfo{"misnamed-crate", Severity::high, "manifest",
               "A dependency names a crate that does not exist under that spelling."},
      RuleInfo{"needs-integration", Severity::medium, "manifest",
               "The repository uses tracing but declares no OpenTelemetry crate."},
      RuleInfo{
          "companion-drift", Severity::low, "manifest",
          "A companion crate (metrics, tracing-subscriber, …) differs from the canonical set."},
  };
  static constexpr RepoRule kChecks[] = {check_versions, check_crate_names, check_features,
                                         check_integration};
  static constexpr RuleFamily kFamily{kRules, kChecks};
  return kFamily;
}

} // namespace otelaudit
