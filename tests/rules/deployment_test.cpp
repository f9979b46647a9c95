#include "support/location_string.h"

#include <doctest/doctest.h>

#include "model/cargo/workspace.h"
#include "rules/families/deployment.h"
#include "rules/ruleset.h"
#include "source/tree.h"

using namespace otelaudit;
using namespace otelaudit::deploy;

namespace {

DeployModel model_of(std::map<std::string, std::string> files) {
  MemoryTree tree(std::move(files));
  return load_deploy(tree);
}

/// The bundled deployment rule data (rules/deployment.toml), through the one loader.
const DeployRules& R() {
  static const DeployRules rules = [] {
    RulesetResult r = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
    REQUIRE(r.ruleset);
    return r.ruleset->deployment;
  }();
  return rules;
}

const char* kDirectCompose = "services:\n"
                             "  edge-agent:\n"
                             "    build: .\n"
                             "    environment:\n"
                             "      - OTLP_ENDPOINT=http://jaeger:4317\n"
                             "      - ENVIRONMENT=production\n"
                             "  jaeger:\n"
                             "    image: jaegertracing/all-in-one:1.52\n"
                             "    environment:\n"
                             "      COLLECTOR_OTLP_ENABLED: \"true\"\n"
                             "    ports: [\"16686:16686\", \"4317:4317\"]\n";

/// A repository named edge-agent building no binary: only `build:` and that name are its own.
const OwnImages kEdge{"edge-agent", {}, {}};

} // namespace

TEST_CASE("deploy checks: a Compose service exporting to a Jaeger service is flagged") {
  DeployModel m = model_of({{"docker-compose.production.yml", kDirectCompose}});
  auto issues = direct_to_jaeger(m, R(), kEdge);
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].rule == "deploy-direct-to-jaeger");
  CHECK(where(issues[0].loc) == "docker-compose.production.yml:5:23");
  CHECK(issues[0].message == "service `edge-agent` sends telemetry straight to Jaeger "
                             "(OTLP_ENDPOINT=http://jaeger:4317): no OpenTelemetry Collector in "
                             "the path");
  CHECK(issues[0].fix == "add an OpenTelemetry Collector service "
                         "(otel/opentelemetry-collector-contrib) that receives OTLP and exports "
                         "to Jaeger, and point OTLP_ENDPOINT at it (http://otel-collector:4317)");
  CHECK(jaeger_without_otlp(m, R()).empty());
}

TEST_CASE("deploy checks: through a collector, to a Jaeger agent port, and via env_file") {
  DeployModel ok =
      model_of({{"compose.yaml", "services:\n"
                                 "  api:\n"
                                 "    image: llm/api\n"
                                 "    environment:\n"
                                 "      OTLP_ENDPOINT: http://otel-collector:4317\n"
                                 "  otel-collector:\n"
                                 "    image: otel/opentelemetry-collector-contrib:0.98.0\n"
                                 "    environment:\n"
                                 "      OTLP_ENDPOINT: http://jaeger:4317\n"
                                 "  jaeger:\n"
                                 "    image: jaegertracing/all-in-one\n"}});
  CHECK(direct_to_jaeger(ok, R(), kEdge).empty());

  DeployModel agent = model_of({{"docker-compose.yml", "services:\n"
                                                       "  policy:\n"
                                                       "    build: .\n"
                                                       "    env_file: ./config/app.env\n"
                                                       "  otel:\n"
                                                       "    image: otel/opentelemetry-collector\n"},
                                {"config/app.env", "JAEGER_AGENT_HOST=tracing-host:6831\n"}});
  auto issues = direct_to_jaeger(agent, R(), kEdge);
  REQUIRE(issues.size() == 1);
  CHECK(where(issues[0].loc) == "config/app.env:1:19");
  CHECK(issues[0].message == "service `policy` sends telemetry straight to Jaeger "
                             "(JAEGER_AGENT_HOST=tracing-host:6831, the Jaeger agent protocol): no "
                             "OpenTelemetry Collector in the path");
  CHECK(issues[0].fix == "point JAEGER_AGENT_HOST at the collector service `otel` "
                         "(http://otel:4317) and let it export to Jaeger");
}

TEST_CASE("deploy checks: an interpolated endpoint is judged by its default only") {
  DeployModel m =
      model_of({{"docker-compose.yml", "services:\n"
                                       "  a:\n"
                                       "    build: .\n"
                                       "    environment:\n"
                                       "      OTLP_ENDPOINT: ${OTLP_ENDPOINT:-http://jaeger:4317}\n"
                                       "  b:\n"
                                       "    build: .\n"
                                       "    environment:\n"
                                       "      OTLP_ENDPOINT: ${OTLP_ENDPOINT}\n"
                                       "  jaeger:\n"
                                       "    image: docker.io/jaegertracing/all-in-one:1.57\n"}});
  auto issues = direct_to_jaeger(m, R(), kEdge);
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].loc.line == 5);
}

TEST_CASE("deploy checks: Jaeger without OTLP, by version and setting, never by ports") {
  DeployModel m = model_of(
      {{"docker-compose.yml", "services:\n"
                              "  old:\n"
                              "    image: jaegertracing/all-in-one:1.30\n"
                              "  needs-flag:\n"
                              "    image: jaegertracing/all-in-one:1.40.0\n"
                              "  flagged:\n"
                              "    image: jaegertracing/all-in-one:1.40\n"
                              "    command: [\"--collector.otlp.enabled=true\"]\n"
                              "  off:\n"
                              "    image: jaegertracing/all-in-one:1.52\n"
                              "    environment:\n"
                              "      - COLLECTOR_OTLP_ENABLED=false\n"
                              "  published-ui-only:\n"
                              "    image: jaegertracing/all-in-one:${JAEGER_VERSION:-1.48.0}\n"
                              "    ports:\n"
                              "      - \"${MAP_HOST:-127.0.0.1}:16686:16686\"\n"
                              "  latest:\n"
                              "    image: jaegertracing/all-in-one:latest\n"
                              "    environment: [COLLECTOR_OTLP_ENABLED=true]\n"
                              "    ports: [\"16686:16686\", \"14268\", \"14250\"]\n"
                              "  enabled-by-env:\n"
                              "    image: jaegertracing/all-in-one:1.40\n"
                              "    environment: {COLLECTOR_OTLP_ENABLED: \"true\"}\n"
                              "    ports: [\"16686:16686\"]\n"
                              "  v2:\n"
                              "    image: jaegertracing/jaeger:2.1.0\n"
                              "    ports: [\"16686:16686\"]\n"}});
  auto issues = jaeger_without_otlp(m, R());
  REQUIRE(issues.size() == 3);
  CHECK(where(issues[0].loc) == "docker-compose.yml:3:12");
  CHECK(issues[0].message == "Jaeger `old` (jaegertracing/all-in-one:1.30) predates OTLP (Jaeger "
                             "receives OTLP from 1.35): spans exported with OpenTelemetry cannot "
                             "reach it");
  CHECK(issues[0].fix == "use jaegertracing/all-in-one:1.46 or later (OTLP on by default)");
  CHECK(where(issues[1].loc) == "docker-compose.yml:5:12");
  CHECK(issues[1].message == "Jaeger `needs-flag` (jaegertracing/all-in-one:1.40.0) does not "
                             "enable OTLP: before 1.46 the receiver is off unless "
                             "COLLECTOR_OTLP_ENABLED=true");
  CHECK(where(issues[2].loc) == "docker-compose.yml:12:32");
  CHECK(issues[2].message == "Jaeger `off` (jaegertracing/all-in-one:1.52) has its OTLP receiver "
                             "turned off (COLLECTOR_OTLP_ENABLED=false)");
}

TEST_CASE("deploy checks: a Jaeger is reached over a shared Compose network, not host ports") {
  DeployModel m =
      model_of({{"docker-compose.yml", "networks:\n"
                                       "  front: {}\n"
                                       "  tracing: {}\n"
                                       "services:\n"
                                       "  jaeger:\n"
                                       "    image: jaegertracing/all-in-one:1.57\n"
                                       "    networks: [tracing]\n"
                                       "  otel-collector:\n"
                                       "    image: otel/opentelemetry-collector-contrib:0.98.0\n"
                                       "    networks: [front]\n"
                                       "    environment:\n"
                                       "      JAEGER_ENDPOINT: jaeger:4317\n"},
                {"compose.yaml", "services:\n"
                                 "  jaeger:\n"
                                 "    image: jaegertracing/all-in-one:1.57\n"
                                 "    networks:\n"
                                 "      tracing:\n"
                                 "        aliases: [traces]\n"
                                 "  otel-collector:\n"
                                 "    image: otel/opentelemetry-collector-contrib:0.98.0\n"
                                 "    networks: {front: {}, tracing: {}}\n"
                                 "    environment:\n"
                                 "      JAEGER_ENDPOINT: http://traces:4317\n"
                                 "  api:\n"
                                 "    build: .\n"
                                 "    environment:\n"
                                 "      OTLP_ENDPOINT: http://otel-collector:4317\n"}});
  auto issues = jaeger_without_otlp(m, R());
  REQUIRE(issues.size() == 1);
  CHECK(where(issues[0].loc) == "docker-compose.yml:6:12");
  CHECK(issues[0].message == "Jaeger `jaeger` (jaegertracing/all-in-one:1.57) shares no Compose "
                             "network with `otel-collector`, which sends to it (tracing against "
                             "front)");
  CHECK(issues[0].fix == "put `jaeger` on a network of `otel-collector` (front)");
}

TEST_CASE("deploy checks: own images are built here or named like a binary of the repository") {
  MemoryTree tree(
      {{"Cargo.toml", "[workspace]\nmembers = [\"auth\", \"gateway\", \"qdrant\", \"tools\"]\n"},
       {"auth/Cargo.toml", "[package]\nname = \"shuttle-auth\"\nversion = \"0.1.0\"\n"},
       {"auth/src/main.rs", "fn main() {}\n"},
       {"gateway/Cargo.toml", "[package]\nname = \"shuttle-gateway\"\nversion = "
                              "\"0.1.0\"\n[[bin]]\nname = \"gw\"\npath = \"src/gw.rs\"\n"},
       {"gateway/src/gw.rs", "fn main() {}\n"},
       {"qdrant/Cargo.toml", "[package]\nname = \"shuttle-qdrant\"\nversion = \"0.1.0\"\n"},
       {"qdrant/src/lib.rs", "\n"},
       {"tools/Cargo.toml", "[package]\nname = \"tools\"\nversion = \"0.1.0\"\n"},
       {"tools/src/bin/migrate.rs", "fn main() {}\n"},
       {"tools/src/bin/seed/main.rs", "fn main() {}\n"}});
  CargoModel cargo = load_cargo(tree);
  OwnImages own = own_images("Shuttle", cargo,
                             {"auth/src/main.rs", "gateway/src/gw.rs", "qdrant/src/lib.rs",
                              "tools/src/bin/migrate.rs", "tools/src/bin/seed/main.rs"});
  CHECK(own.repo == "shuttle");
  // shuttle-qdrant is a library: matched whole only, so `qdrant/qdrant` stays infrastructure.
  CHECK(own.binaries ==
        std::set<std::string>{"gw", "migrate", "seed", "shuttle-auth", "shuttle-gateway", "tools"});
  CHECK(own.packages ==
        std::set<std::string>{"shuttle-auth", "shuttle-gateway", "shuttle-qdrant", "tools"});
  DeployModel m =
      model_of({{"docker-compose.yml", "services:\n"
                                       "  auth:\n"
                                       "    image: \"${CONTAINER_REGISTRY}/auth:${TAG}\"\n"
                                       "  gw:\n"
                                       "    image: registry.example.com/acme/gw:1\n"
                                       "  vector:\n"
                                       "    image: qdrant/qdrant:v1.9.0\n"
                                       "  pgbouncer:\n"
                                       "    image: docker.io/edoburu/pgbouncer\n"
                                       "  main:\n"
                                       "    image: shuttle:dev\n"
                                       "  dev:\n"
                                       "    build: ./extras/dev\n"
                                       "  collector:\n"
                                       "    build: ./extras/otel\n"
                                       "    image: otel/opentelemetry-collector-contrib\n"}});
  auto issues = missing_env(m, R(), own);
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].message.starts_with("standard variables not set for `auth` ("));
  CHECK(issues[0].message.find("; `gw` (") != std::string::npos);
  CHECK(issues[0].message.find("; `main` (") != std::string::npos);
  CHECK(issues[0].message.find("; `dev` (") != std::string::npos);
  CHECK(issues[0].message.find("vector") == std::string::npos);
  CHECK(issues[0].message.find("pgbouncer") == std::string::npos);
  CHECK(issues[0].message.find("collector") == std::string::npos);
}

TEST_CASE("deploy checks: vendored directories and Helm chart dependencies are not read") {
  DeployModel m =
      model_of({{"vendor/github.com/x/docker-compose.yml", "services:\n  a:\n    build: .\n"},
                {"third_party/jaeger/k8s.yaml",
                 "apiVersion: v1\nkind: Pod\nmetadata: {name: j}\n"
                 "spec: {containers: [{name: j, image: jaegertracing/all-in-one:1.30}]}\n"},
                {"deploy/chart/Chart.yaml", "apiVersion: v2\nname: app\nversion: 0.1.0\n"},
                {"deploy/chart/charts/redis/values.yaml", "OTEL_TRACES_SAMPLER_ARG: \"7\"\n"},
                {"deploy/chart/values.yaml", "OTEL_TRACES_SAMPLER_ARG: \"3\"\n"},
                {"charts/app/.env.example", "X=1\n"}});
  CHECK(m.compose.empty());
  CHECK(m.workloads.empty());
  CHECK(m.files == std::vector<std::string>{"charts/app/.env.example", "deploy/chart/Chart.yaml",
                                            "deploy/chart/values.yaml"});
  auto samplers = invalid_samplers(m, R(), kEdge);
  REQUIRE(samplers.size() == 1);
  CHECK(where(samplers[0].loc) == "deploy/chart/values.yaml:1:26");
}

TEST_CASE("deploy checks: collector pipelines must name defined components and carry traces") {
  DeployModel m =
      model_of({{"otel-collector-config.yaml", "receivers:\n"
                                               "  otlp:\n"
                                               "    protocols: {grpc: {}}\n"
                                               "processors:\n"
                                               "  batch: {}\n"
                                               "exporters:\n"
                                               "  otlp/jaeger:\n"
                                               "    endpoint: jaeger:4317\n"
                                               "connectors:\n"
                                               "  spanmetrics: {}\n"
                                               "service:\n"
                                               "  pipelines:\n"
                                               "    traces:\n"
                                               "      receivers: [otlp, jaeger]\n"
                                               "      processors: [batch, memory_limiter]\n"
                                               "      exporters: [otlp/jaeger, spanmetrics]\n"
                                               "    metrics:\n"
                                               "      receivers: [spanmetrics]\n"
                                               "      exporters: []\n"},
                {"collector/metrics-only.yaml", "receivers: {otlp: {}}\n"
                                                "exporters: {prometheus: {}}\n"
                                                "service:\n"
                                                "  pipelines:\n"
                                                "    metrics:\n"
                                                "      receivers: [otlp]\n"
                                                "      exporters: [prometheus]\n"},
                {"collector/no-service.yaml", "receivers: {otlp: {}}\n"
                                              "exporters: {debug: {}}\n"}});
  REQUIRE(m.collectors.size() == 3);
  auto issues = invalid_pipelines(m);
  REQUIRE(issues.size() == 5);
  CHECK(where(issues[0].loc) == "collector/metrics-only.yaml:4:3");
  CHECK(issues[0].message ==
        "collector config defines no traces pipeline (pipelines: metrics): spans are dropped");
  CHECK(where(issues[1].loc) == "collector/no-service.yaml:1:1");
  CHECK(issues[1].message ==
        "collector config has no service.pipelines: it receives and exports nothing");
  CHECK(where(issues[2].loc) == "otel-collector-config.yaml:14:25");
  CHECK(issues[2].message ==
        "pipeline `traces` uses receiver `jaeger`, which is not defined under receivers");
  CHECK(issues[2].fix == "define `jaeger` under receivers, or remove it from the pipeline");
  CHECK(where(issues[3].loc) == "otel-collector-config.yaml:15:27");
  CHECK(issues[3].message ==
        "pipeline `traces` uses processor `memory_limiter`, which is not defined under processors");
  CHECK(where(issues[4].loc) == "otel-collector-config.yaml:17:5");
  CHECK(issues[4].message == "pipeline `metrics` has no exporters");
}

TEST_CASE("deploy checks: standard variables missing from .env.example and own services") {
  DeployModel m =
      model_of({{".env.example",
                 "# Example\nOTLP_ENDPOINT=http://localhost:4317\nENVIRONMENT=development\n"},
                {"docker-compose.yml", "services:\n"
                                       "  api:\n"
                                       "    build: .\n"
                                       "    env_file: .env.shared\n"
                                       "    environment:\n"
                                       "      ENVIRONMENT: production\n"
                                       "  worker:\n"
                                       "    image: ghcr.io/llm/edge-agent-worker:1\n"
                                       "  redis:\n"
                                       "    image: redis:7\n"
                                       "  sqs:\n"
                                       "    image: softwaremill/elasticmq-native:1.5\n"
                                       "  otel:\n"
                                       "    image: ${REGISTRY}/otel:${TAG}\n"},
                {".env.shared", "OTLP_ENDPOINT=http://otel:4317\nOTEL_TRACES_SAMPLER_ARG=0.5\n"
                                "LOG_FORMAT=json\nSERVICE_NAMESPACE=llm-devops\n"},
                {"k8s/deploy.yaml", "apiVersion: v1\n"
                                    "kind: ConfigMap\n"
                                    "metadata: {name: otel-env}\n"
                                    "data:\n"
                                    "  OTLP_ENDPOINT: http://otel:4317\n"
                                    "  ENVIRONMENT: production\n"
                                    "  OTEL_TRACES_SAMPLER_ARG: \"0.1\"\n"
                                    "  LOG_FORMAT: json\n"
                                    "  SERVICE_NAMESPACE: llm-devops\n"
                                    "---\n"
                                    "apiVersion: apps/v1\n"
                                    "kind: Deployment\n"
                                    "metadata: {name: edge-agent}\n"
                                    "spec:\n"
                                    "  template:\n"
                                    "    spec:\n"
                                    "      containers:\n"
                                    "        - name: edge-agent\n"
                                    "          image: llm/edge-agent:1\n"
                                    "          envFrom: [{configMapRef: {name: otel-env}}]\n"}});
  // The worker binary of a package `edge-agent-worker` is its own; Redis, an SQS emulator and a
  // collector built elsewhere are not, whether or not a list knows them.
  auto issues = missing_env(m, R(), OwnImages{"edge-agent", {"edge-agent-worker"}, {}});
  REQUIRE(issues.size() == 2);
  CHECK(where(issues[0].loc) == ".env.example:1:1");
  CHECK(issues[0].message == "the template does not list the standard variables "
                             "OTEL_TRACES_SAMPLER_ARG, LOG_FORMAT, SERVICE_NAMESPACE");
  CHECK(issues[0].fix ==
        "add OTEL_TRACES_SAMPLER_ARG=, LOG_FORMAT=, SERVICE_NAMESPACE= with example values");
  CHECK(where(issues[1].loc) == "docker-compose.yml:7:3");
  CHECK(issues[1].message == "standard variables not set for `worker` (OTLP_ENDPOINT, ENVIRONMENT, "
                             "OTEL_TRACES_SAMPLER_ARG, LOG_FORMAT, SERVICE_NAMESPACE)");
  CHECK(issues[1].names == std::vector<std::string>{"OTLP_ENDPOINT", "ENVIRONMENT",
                                                    "OTEL_TRACES_SAMPLER_ARG", "LOG_FORMAT",
                                                    "SERVICE_NAMESPACE"});
}

TEST_CASE("deploy checks: the sampler argument must be a ratio") {
  DeployModel m = model_of({{".env", "OTEL_TRACES_SAMPLER_ARG=1.5\n"},
                            {"prod.env", "OTEL_TRACES_SAMPLER_ARG=often\n"},
                            {"ok.env", "OTEL_TRACES_SAMPLER_ARG=0.25\n"},
                            {"remote.env", "OTEL_TRACES_SAMPLER=jaeger_remote\n"
                                           "OTEL_TRACES_SAMPLER_ARG=endpoint=http://j:14250\n"},
                            {"ratio.env", "OTEL_TRACES_SAMPLER=parentbased_traceidratio\n"
                                          "OTEL_TRACES_SAMPLER_ARG=-0.1\n"}});
  auto issues = invalid_samplers(m, R(), kEdge);
  REQUIRE(issues.size() == 3);
  CHECK(where(issues[0].loc) == ".env:1:25");
  CHECK(issues[0].message ==
        "OTEL_TRACES_SAMPLER_ARG=1.5 is outside 0..1: the sampling ratio is a probability");
  CHECK(where(issues[1].loc) == "prod.env:1:25");
  CHECK(
      issues[1].message ==
      "OTEL_TRACES_SAMPLER_ARG=often is not a number: the sampling ratio is a probability in 0..1");
  CHECK(where(issues[2].loc) == "ratio.env:2:25");
}

TEST_CASE("deploy checks: Kubernetes pods need their name and namespace from the downward API") {
  DeployModel m =
      model_of({{"k8s/app.yaml", "apiVersion: apps/v1\n"
                                 "kind: Deployment\n"
                                 "metadata: {name: edge-agent}\n"
                                 "spec:\n"
                                 "  template:\n"
                                 "    spec:\n"
                                 "      containers:\n"
                                 "        - name: edge-agent\n"
                                 "          image: llm/edge-agent:1\n"
                                 "          env:\n"
                                 "            - name: K8S_POD_NAME\n"
                                 "              value: fixed\n"
                                 "            - name: K8S_NAMESPACE\n"
                                 "              valueFrom:\n"
                                 "                fieldRef: {fieldPath: metadata.namespace}\n"
                                 "        - name: proxy\n"
                                 "          image: llm/edge-proxy:1\n"
                                 "          env:\n"
                                 "            - name: K8S_POD_NAME\n"
                                 "              valueFrom:\n"
                                 "                fieldRef: {fieldPath: metadata.name}\n"
                                 "            - name: K8S_NAMESPACE\n"
                                 "              valueFrom:\n"
                                 "                fieldRef: {fieldPath: metadata.namespace}\n"
                                 "        - name: sidecar\n"
                                 "          image: otel/opentelemetry-collector:0.98.0\n"
                                 "---\n"
                                 "apiVersion: apps/v1\n"
                                 "kind: StatefulSet\n"
                                 "metadata: {name: store}\n"
                                 "spec:\n"
                                 "  template:\n"
                                 "    spec:\n"
                                 "      containers:\n"
                                 "        - name: store\n"
                                 "          image: llm/llm_store:1\n"
                                 "---\n"
                                 "apiVersion: batch/v1\n"
                                 "kind: Job\n"
                                 "metadata: {name: migrate}\n"
                                 "spec:\n"
                                 "  template:\n"
                                 "    spec:\n"
                                 "      containers: [{name: migrate, image: llm/m:1}]\n"}});
  REQUIRE(m.workloads.size() == 3);
  auto issues =
      missing_pod_metadata(m, R(), OwnImages{"edge-agent", {"edge-proxy"}, {"llm-store"}});
  REQUIRE(issues.size() == 2);
  CHECK(where(issues[0].loc) == "k8s/app.yaml:10:11");
  CHECK(issues[0].message == "container `edge-agent` of Deployment `edge-agent` does not receive "
                             "K8S_POD_NAME from the downward API: spans carry no k8s.pod.name / "
                             "k8s.namespace.name");
  CHECK(where(issues[1].loc) == "k8s/app.yaml:35:11");
  CHECK(issues[1].message == "container `store` of StatefulSet `store` does not receive "
                             "K8S_POD_NAME, K8S_NAMESPACE from the downward API: spans carry no "
                             "k8s.pod.name / k8s.namespace.name");
}

TEST_CASE("deploy checks: the service-name rule") {
  CHECK(service_name_problem("llm.edge-agent", "llm").empty());
  CHECK(service_name_problem("llm.edge-agent.proxy", "llm").empty());
  CHECK(service_name_problem("llm-edge-agent", "llm") == "does not start with `llm.`");
  CHECK(service_name_problem("LLM.edge", "llm") == "not lowercase");
  CHECK(service_name_problem("llm", "llm") == "has no component after `llm.`");
  CHECK(service_name_problem("llm..x", "llm") == "has an empty level");
  CHECK(service_name_problem("llm.edge_agent", "llm") ==
        "holds `_`: only letters, digits, dots and hyphens");
  CHECK(service_name_problem("llm.edge-.proxy", "llm") ==
        "a hyphen may only join words inside a level");
}

TEST_CASE("deploy checks: service.name from OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES") {
  DeployModel m = model_of(
      {{"docker-compose.yml",
        "services:\n"
        "  edge:\n"
        "    build: .\n"
        "    environment:\n"
        "      - OTEL_SERVICE_NAME=llm-edge-agent\n"
        "      - OTEL_RESOURCE_ATTRIBUTES=deployment.environment=prod,service.name=Edge_Agent\n"
        "  good:\n"
        "    build: .\n"
        "    environment:\n"
        "      OTEL_SERVICE_NAME: llm.edge-agent.proxy\n"
        "      OTEL_RESOURCE_ATTRIBUTES: service.name=${NAME}\n"}});
  auto issues = bad_service_names(m, R(), kEdge);
  REQUIRE(issues.size() == 2);
  CHECK(where(issues[0].loc) == "docker-compose.yml:5:27");
  CHECK(issues[0].message == "service.name `llm-edge-agent` (OTEL_SERVICE_NAME) breaks the naming "
                             "rule llm.{component}[.{subcomponent}]: does not start with `llm.`");
  CHECK(issues[0].fix == "service.name = llm.edge-agent");
  CHECK(where(issues[1].loc) == "docker-compose.yml:6:75");
  CHECK(issues[1].message == "service.name `Edge_Agent` (OTEL_RESOURCE_ATTRIBUTES) breaks the "
                             "naming rule llm.{component}[.{subcomponent}]: not lowercase");
  CHECK(issues[1].fix == "service.name = llm.edge-agent");
}

TEST_CASE("deploy checks: service.name inside a quoted OTEL_RESOURCE_ATTRIBUTES is located") {
  DeployModel m = model_of(
      {{"docker-compose.yml",
        "services:\n"
        "  edge:\n"
        "    build: .\n"
        "    environment:\n"
        "      OTEL_RESOURCE_ATTRIBUTES: \"service.name=LLM.Edge,deployment.environment=prod\"\n"},
       {".env.example", "OTLP_ENDPOINT=http://collector:4317\n"
                        "OTEL_RESOURCE_ATTRIBUTES='service.name=LLM.Env'\n"}});
  auto issues = bad_service_names(m, R(), kEdge);
  REQUIRE(issues.size() == 2);
  // The column of the name's first letter, past the opening quote.
  CHECK(where(issues[0].loc) == ".env.example:2:40");
  CHECK(where(issues[1].loc) == "docker-compose.yml:5:47");
}

TEST_CASE("deploy checks: Helm templates are skipped, values are read as plain YAML") {
  DeployModel m = model_of(
      {{"chart/Chart.yaml", "apiVersion: v2\nname: edge\nversion: 0.1.0\n"},
       {"chart/values.yaml", "env:\n"
                             "  OTEL_SERVICE_NAME: edge-agent\n"
                             "extraEnv:\n"
                             "  - name: OTEL_TRACES_SAMPLER_ARG\n"
                             "    value: \"2\"\n"},
       {"chart/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"}});
  REQUIRE(m.diagnostics.size() == 1);
  CHECK(m.diagnostics[0].rule == "deploy-file-skipped");
  CHECK(where(m.diagnostics[0].loc) == "chart/templates/deployment.yaml:4:9");
  CHECK(m.diagnostics[0].message == "Helm template: rendered by Helm, not audited as YAML");
  CHECK(m.workloads.empty());
  auto names = bad_service_names(m, R(), kEdge);
  REQUIRE(names.size() == 1);
  CHECK(where(names[0].loc) == "chart/values.yaml:2:22");
  auto samplers = invalid_samplers(m, R(), kEdge);
  REQUIRE(samplers.size() == 1);
  CHECK(where(samplers[0].loc) == "chart/values.yaml:5:12");
}

TEST_CASE("deploy checks: the summary follows the rules' findings") {
  DeployModel direct = model_of({{"docker-compose.production.yml", kDirectCompose}});
  DeploySummary s = summarize_deploy(direct, R(), kEdge);
  CHECK(s.collector_in_path == Check::no);
  CHECK(s.jaeger_otlp == Check::yes);
  CHECK(s.env_standard == Check::no);
  CHECK(s.env_missing ==
        std::vector<std::string>{"OTEL_TRACES_SAMPLER_ARG", "LOG_FORMAT", "SERVICE_NAMESPACE"});
  CHECK(s.k8s_metadata == Check::not_applicable);
  CHECK(to_string(s.k8s_metadata) == "n/a");

  DeployModel with_collector = model_of(
      {{"compose.yaml", "services:\n"
                        "  api:\n"
                        "    build: .\n"
                        "    environment: [OTLP_ENDPOINT=http://otel:4317, ENVIRONMENT=prod,\n"
                        "                  OTEL_TRACES_SAMPLER_ARG=1.0, LOG_FORMAT=json,\n"
                        "                  SERVICE_NAMESPACE=llm-devops]\n"
                        "  otel:\n"
                        "    image: otel/opentelemetry-collector-contrib\n"
                        "  jaeger:\n"
                        "    image: jaegertracing/all-in-one:1.40\n"}});
  DeploySummary t = summarize_deploy(with_collector, R(), kEdge);
  CHECK(t.collector_in_path == Check::yes);
  CHECK(t.jaeger_otlp == Check::no);
  CHECK(t.env_standard == Check::yes);
  CHECK(t.env_missing.empty());

  DeploySummary none = summarize_deploy(model_of({}), R(), kEdge);
  CHECK(none.collector_in_path == Check::not_applicable);
  CHECK(none.jaeger_otlp == Check::not_applicable);
  CHECK(none.env_standard == Check::not_applicable);
}
