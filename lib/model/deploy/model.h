#pragma once
#include <set>
#include <string>
#include <vector>

#include "common/location.h"
#include "source/tree.h"

namespace otelaudit::deploy {

/// One environment variable given to a service: a line of a .env file, an entry of a Compose
/// `environment`, a Kubernetes container's `env` item or ConfigMap key.
struct EnvSetting {
  std::string name;
  std::string value; // the literal value, "" when none is written
  bool has_value = false;
  std::string field_ref;     // Kubernetes downward API `fieldRef.fieldPath` ("metadata.name")
  Location loc;              // the name
  Location value_loc;        // the value (the name's position when there is none)
  bool value_quoted = false; // value_loc is at an opening quote: the text starts one further
};

/// A port a container publishes or exposes, as written ("4317:4317", "16686", 6831).
struct PortSpec {
  std::string text;
  Location loc;
};

/// A Compose service or a Kubernetes container: what the rules judge about a running process.
struct Container {
  std::string name; // Compose service key, or the container's `name`
  Location loc;
  std::string image; // "" when built from source without a tag
  Location image_loc;
  bool build = false;                 // Compose `build:`: built from this repository
  std::vector<std::string> hostnames; // names other services reach it by (Compose)
  std::vector<EnvSetting> env;
  Location env_loc;                     // the `environment`/`env` key, else the container's
  std::vector<std::string> env_files;   // Compose env_file paths, relative to the repository
  std::vector<std::string> config_maps; // Kubernetes envFrom configMapRef names
  std::vector<std::string> args;        // command and args, one item each
  std::vector<PortSpec> ports;          // ports and expose
  std::vector<std::string> networks;    // Compose networks it joins: "default" when none is named,
                                        // none under `network_mode` (and in Kubernetes)
};

/// A Compose file and its services.
struct ComposeFile {
  std::string file;
  std::vector<Container> services;
};

/// A Kubernetes object that runs pods (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod).
struct Workload {
  std::string file;
  std::string kind;
  std::string name;
  Location loc; // the `kind` line
  std::vector<Container> containers;
};

/// A Kubernetes ConfigMap: its keys can feed containers' environments through envFrom.
struct ConfigMap {
  std::string file;
  std::string name;
  std::vector<EnvSetting> data;
};

/// A component a collector pipeline names (`otlp`, `otlp/jaeger`) with where it is written.
struct ComponentRef {
  std::string name;
  Location loc;
};

/// One entry of a collector's `service.pipelines` (`traces`, `traces/2`).
struct Pipeline {
  std::string name;
  Location loc;
  std::vector<ComponentRef> receivers, processors, exporters;
  bool has_receivers = false, has_exporters = false;
};

/// An OpenTelemetry Collector configuration document.
struct CollectorConfig {
  std::string file;
  Location loc; // the document's start
  std::vector<ComponentRef> receivers, processors, exporters, connectors;
  bool has_pipelines = false;
  Location pipelines_loc; // `service.pipelines`, else `service`, else the document
  std::vector<Pipeline> pipelines;
};

/// A .env file (`.env`, `.env.example`, `*.env`).
struct EnvFile {
  std::string file;
  bool example = false; // a template checked in for others to copy (.env.example, .env.sample)
  std::vector<EnvSetting> vars;
};

/// A repository's deployment side: Compose files, Kubernetes manifests, collector configs and
/// env files, read once (the rules do no I/O), each value located.
struct DeployModel {
  std::vector<std::string> files; // every deployment file read, sorted
  std::vector<ComposeFile> compose;
  std::vector<Workload> workloads;
  std::vector<ConfigMap> config_maps;
  std::vector<CollectorConfig> collectors;
  std::vector<EnvFile> env_files;
  std::vector<EnvSetting> other_env;   // from Helm values: judged by value only
  std::vector<Diagnostic> diagnostics; // parse errors and skipped files
};

/// Which deployment file kind a path is, by name alone.
enum class FileKind { none, compose, env, yaml };
FileKind classify_path(const std::string& path);

/// The settings of a .env file; malformed lines become `deploy-parse-error` diagnostics and the
/// rest of the file is still read. Understands comments, `export NAME=…`, single and double
/// quotes (double quotes may span lines and take backslash escapes) and `NAME` alone.
std::vector<EnvSetting> parse_env_file(std::string_view text, const std::string& file,
                                       std::vector<Diagnostic>& diagnostics);

/// True for a path inside a vendored directory (`vendor/`, `third_party/`, `third-party/`) or a
/// Helm chart's dependencies (`charts/` beside a `Chart.yaml`, given as `chart_dirs`): someone
/// else's deployment, not the repository's.
bool vendored_path(const std::string& path, const std::set<std::string>& chart_dirs);

/// Reads every deployment file of the tree, apart from vendored ones. Rule data is not part of
/// the reading: the caller sets `rules`.
DeployModel load_deploy(const Tree& tree);

} // namespace otelaudit::deploy
