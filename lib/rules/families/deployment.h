#pragma once
#include <set>
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

/// What makes a container the repository's own: the names its images may carry. A container is
/// its own when Compose builds it (`build:`), or when its image's name (the last path part,
/// without tag) is the repository's name, a package's name, or the name of a binary it builds
/// or of a package building one, also when such a name ends in `-<image name>` (`shuttle-auth`
/// for `…/auth`). Jaeger and collector images never are.
struct OwnImages {
  std::string repo;               // the repository's name, lowercase
  std::set<std::string> binaries; // binaries and packages building one, lowercase, `_` as `-`
  std::set<std::string> packages; // every package, the same way (matched whole only)
};

/// The names of the repository's own images, from its packages and the .rs files it has.
OwnImages own_images(const std::string& repo_name, const CargoModel& cargo,
                     const std::vector<std::string>& rs_files);
/// The same for a repository read in full.
OwnImages own_images(const RepoModel& repo);

/// deploy-direct-to-jaeger: a Compose service of the repository whose telemetry endpoint is a
/// Jaeger service of the repository's Compose files (by host name), or a Jaeger agent port.
std::vector<DeployIssue> direct_to_jaeger(const DeployModel& m, const DeployRules& r,
                                          const OwnImages& own);
/// deploy-jaeger-no-otlp: a Jaeger service or container that does not receive OTLP (too old,
/// not enabled before the version where it is default, turned off), or that shares no Compose
/// network with a service sending to it. Ports are not judged: `ports` only publishes to the
/// host, and every service on a shared network reaches every port.
std::vector<DeployIssue> jaeger_without_otlp(const DeployModel& m, const DeployRules& r);
/// collector-pipeline-invalid: pipelines naming undefined components, without receivers or
/// exporters, or no traces pipeline at all.
std::vector<DeployIssue> invalid_pipelines(const DeployModel& m);
/// deploy-env-missing: per file, the standard variables a .env.example or the repository's own
/// services (Compose, Kubernetes) do not set.
std::vector<DeployIssue> missing_env(const DeployModel& m, const DeployRules& r,
                                     const OwnImages& own);
/// deploy-sampler-invalid: a ratio sampler argument that is not a number in 0..1, in env files,
/// ConfigMaps, Helm values and the repository's own containers.
std::vector<DeployIssue> invalid_samplers(const DeployModel& m, const DeployRules& r,
                                          const OwnImages& own);
/// k8s-pod-metadata-missing: Deployment / StatefulSet containers of the repository without the
/// pod name and namespace from the downward API.
std::vector<DeployIssue> missing_pod_metadata(const DeployModel& m, const DeployRules& r,
                                              const OwnImages& own);
/// deploy-service-name-format: service.name from OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES
/// that breaks `<prefix>.{component}[.{subcomponent}]`, in env files, ConfigMaps, Helm values
/// and the repository's own containers.
std::vector<DeployIssue> bad_service_names(const DeployModel& m, const DeployRules& r,
                                           const OwnImages& own);

/// Why `name` breaks the naming rule, or "" when it follows it.
std::string service_name_problem(std::string_view name, std::string_view prefix);

/// The summary from the same issues the rules report.
DeploySummary summarize_deploy(const DeployModel& m, const DeployRules& r, const OwnImages& own);

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
