#pragma once
#include <string>
#include <vector>

namespace otelaudit::deploy {

/// The facts the deployment rules judge against, from rules/deployment.toml: which images are
/// Jaeger or a collector, from which Jaeger version OTLP exists and is on by default, which
/// environment variables are standard.
struct DeployRules {
  std::vector<std::string> standard_env; // expected in .env.example and services' env
  std::vector<std::string> endpoint_env; // variables whose value is where telemetry goes
  std::string sampler_arg_env = "OTEL_TRACES_SAMPLER_ARG";
  std::vector<std::string> ratio_samplers; // OTEL_TRACES_SAMPLER values taking a 0..1 arg
  std::string service_name_prefix = "llm"; // service.name = prefix.component[.sub]
  std::string pod_name_env = "K8S_POD_NAME";
  std::string namespace_env = "K8S_NAMESPACE";
  std::vector<int> jaeger_agent_ports;         // Jaeger's own UDP protocol (6831, 6832)
  std::vector<std::string> jaeger_images;      // image repositories that are Jaeger
  std::vector<std::string> jaeger_otlp_always; // Jaeger images with OTLP always on (v2)
  std::string jaeger_otlp_since;               // first version with an OTLP receiver ("1.35")
  std::string jaeger_otlp_default_since;       // first version where it is on by default ("1.46")
  std::vector<std::string> collector_images;
};

} // namespace otelaudit::deploy
