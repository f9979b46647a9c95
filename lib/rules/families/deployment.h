#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "model/deploy/model.h"
#include "model/deploy/summary.h"
#include "rules/context.h"
#include "rules/deploy_data.h"
#include "rules/family.h"

namespace otelaudit::deploy {

/// One problem a deployment rule found, before it goes through the Sink: the rules are pure
/// functions returning these, so the report summary reuses exactly what the rules decided.
struct DeployIssue {
  std::string rule;
  Location loc;
  std::string message;
  std::string fix;
  std::vector<std::string> names; // deploy-env-missing: the missing variables
};

/// deploy-direct-to-jaeger: a Compose service whose telemetry endpoint is a Jaeger service of
/// the repository's Compose files (by host name), or a Jaeger agent port.
std::vector<DeployIssue> direct_to_jaeger(const DeployModel& m, const DeployRules& r);
/// deploy-jaeger-no-otlp: a Jaeger service or container that does not receive OTLP (too old,
/// not enabled before the version where it is default, turned off, or its ports not open).
std::vector<DeployIssue> jaeger_without_otlp(const DeployModel& m, const DeployRules& r);
/// collector-pipeline-invalid: pipelines naming undefined components, without receivers or
/// exporters, or no traces pipeline at all.
std::vector<DeployIssue> invalid_pipelines(const DeployModel& m);
/// deploy-env-missing: per file, the standard variables a .env.example or the repository's own
/// services (Compose, Kubernetes) do not set.
std::vector<DeployIssue> missing_env(const DeployModel& m, const DeployRules& r,
                                     std::string_view repo);
/// deploy-sampler-invalid: a ratio sampler argument that is not a number in 0..1.
std::vector<DeployIssue> invalid_samplers(const DeployModel& m, const DeployRules& r);
/// k8s-pod-metadata-missing: Deployment / StatefulSet containers of the repository without the
/// pod name and namespace from the downward API.
std::vector<DeployIssue> missing_pod_metadata(const DeployModel& m, const DeployRules& r,
                                              std::string_view repo);
/// deploy-service-name-format: service.name from OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES
/// that breaks `<prefix>.{component}[.{subcomponent}]`.
std::vector<DeployIssue> bad_service_names(const DeployModel& m, const DeployRules& r);

/// Why `name` breaks the naming rule, or "" when it follows it.
std::string service_name_problem(std::string_view name, std::string_view prefix);

/// The summary from the same issues the rules report.
DeploySummary summarize_deploy(const DeployModel& m, const DeployRules& r, std::string_view repo);

} // namespace otelaudit::deploy

namespace otelaudit {

/// The deployment family's rules and checks (deployment.cpp).
const RuleFamily& deployment_family();

/// deploy-direct-to-jaeger and deploy-jaeger-no-otlp.
void check_deploy_jaeger(const RepoModel& repo, const Ruleset& rules, Sink& sink);
/// collector-pipeline-invalid.
void check_deploy_collector(const RepoModel& repo, const Ruleset& rules, Sink& sink);
/// deploy-env-missing, deploy-sampler-invalid and deploy-service-name-format.
void check_deploy_env(const RepoModel& repo, const Ruleset& rules, Sink& sink);
/// k8s-pod-metadata-missing.
void check_deploy_k8s(const RepoModel& repo, const Ruleset& rules, Sink& sink);

} // namespace otelaudit
