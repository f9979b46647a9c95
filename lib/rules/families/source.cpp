// The source family: what the .rs files of a repository do. Its checks live beside this
// declaration, one file each: source_crates.cpp, jaeger.cpp, removed_api.cpp,
// service_names.cpp, telemetry.cpp, env.cpp, http.cpp (shared helpers: source_common.cpp).
#include "rules/families/source.h"

namespace otelaudit {

// source-lex-error is emitted where the files are lexed (audit/audit.cpp), module-not-found by
// the module tree (model/rust/modules.cpp).
const RuleFamily& source_family() {
  static constexpr RuleInfo kRules[] = {
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
      RuleInfo{
          "env-var-missing", Severity::low, "source",
          "A repository that exports traces reads none of the required environment variables."},
      RuleInfo{"request-id-not-propagated", Severity::low, "source",
               "An HTTP service never names the x-request-id header."},
      RuleInfo{"span-name-format", Severity::low, "source",
               "An HTTP span name is not in the form {METHOD} {route}."},
      RuleInfo{"source-lex-error", Severity::medium, "source",
               "A Rust file could not be fully tokenised."},
      RuleInfo{"module-not-found", Severity::medium, "source",
               "A `mod x;` declaration names a file that does not exist."},
  };
  static constexpr RepoRule kChecks[] = {
      check_crate_usage,     check_jaeger_code, check_removed_apis,     check_service_names,
      check_telemetry_setup, check_env_vars,    check_http_conventions,
  };
  static constexpr RuleFamily kFamily{kRules, kChecks};
  return kFamily;
}

} // namespace otelaudit
