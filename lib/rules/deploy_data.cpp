#include "rules/deploy_data.h"

#include "rules/data_readers.h"

namespace otelaudit::data {

namespace {

constexpr std::string_view kWhere = "deployment.toml";

void strings(const toml::table& t, std::string_view key, std::vector<std::string>& out, Checker& c,
             bool required = true) {
  if (auto v = c.string_list(t, key, kWhere, required)) out = std::move(*v);
}

void ports(const toml::table& t, std::string_view key, std::vector<int>& out, Checker& c) {
  const toml::node* n = t.get(key);
  if (!n) return c.error(t, "missing key " + in_quotes(key) + " in " + std::string(kWhere));
  const toml::array* a = n->as_array();
  bool ok = a && !a->empty();
  std::vector<int> read;
  if (ok)
    for (const toml::node& item : *a) {
      auto v = item.value<std::int64_t>();
      if (!item.is_integer() || !v || *v < 1 || *v > 65535) {
        ok = false;
        break;
      }
      read.push_back(static_cast<int>(*v));
    }
  if (!ok) return c.error(*n, in_quotes(key) + " must be a non-empty array of port numbers");
  out = std::move(read);
}

void text(const toml::table& t, std::string_view key, std::string& out, Checker& c) {
  if (auto v = c.text(t, key, kWhere)) out = *v;
}

void version(const toml::table& t, std::string_view key, std::string& out, Checker& c) {
  auto v = c.text(t, key, kWhere);
  if (!v) return;
  if (!split_numbers(*v, 3))
    return c.error(*t.get(key), in_quotes(key) + " must be a version like \"1.46\"");
  out = *v;
}

} // namespace

void read_deploy_rules(const toml::table& root, Checker& c, deploy::DeployRules& d) {
  c.only_keys(root,
              {"schema", "standard-env", "endpoint-env", "sampler-arg-env", "ratio-samplers",
               "service-name-prefix", "pod-name-env", "namespace-env", "jaeger-agent-ports",
               "jaeger-images", "jaeger-otlp-always", "jaeger-otlp-since",
               "jaeger-otlp-default-since", "collector-images"},
              kWhere);
  c.schema(root, 1);
  strings(root, "standard-env", d.standard_env, c);
  strings(root, "endpoint-env", d.endpoint_env, c);
  text(root, "sampler-arg-env", d.sampler_arg_env, c);
  strings(root, "ratio-samplers", d.ratio_samplers, c);
  text(root, "service-name-prefix", d.service_name_prefix, c);
  text(root, "pod-name-env", d.pod_name_env, c);
  text(root, "namespace-env", d.namespace_env, c);
  ports(root, "jaeger-agent-ports", d.jaeger_agent_ports, c);
  strings(root, "jaeger-images", d.jaeger_images, c);
  strings(root, "jaeger-otlp-always", d.jaeger_otlp_always, c, false);
  version(root, "jaeger-otlp-since", d.jaeger_otlp_since, c);
  version(root, "jaeger-otlp-default-since", d.jaeger_otlp_default_since, c);
  strings(root, "collector-images", d.collector_images, c);
}

} // namespace otelaudit::data
