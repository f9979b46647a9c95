#include "deploy/rules_data.h"

#include <toml++/toml.h>

#include <fstream>
#include <sstream>

namespace otelaudit::deploy {

namespace {

constexpr const char* kRule = "rule-data-invalid";

/// Reads typed keys of the data file, collecting one located error per problem.
class Reader {
public:
  Reader(const std::string& file, std::vector<Diagnostic>& errors) : file_(file), errors_(errors) {}

  void error(const toml::source_region& at, std::string message) {
    errors_.push_back({kRule,
                       {file_, static_cast<int>(at.begin.line), static_cast<int>(at.begin.column)},
                       std::move(message)});
  }

  void strings(const toml::table& t, const char* key, std::vector<std::string>& out,
               bool required = true) {
    const toml::node* n = t.get(key);
    if (!n) {
      if (required) error(t.source(), std::string("missing key \"") + key + "\"");
      return;
    }
    const toml::array* a = n->as_array();
    if (!a) return error(n->source(), std::string("\"") + key + "\" must be an array of strings");
    for (const toml::node& item : *a) {
      if (auto s = item.value<std::string>())
        out.push_back(*s);
      else
        error(item.source(), std::string("\"") + key + "\" must hold strings only");
    }
  }

  void ints(const toml::table& t, const char* key, std::vector<int>& out) {
    const toml::node* n = t.get(key);
    if (!n) return error(t.source(), std::string("missing key \"") + key + "\"");
    const toml::array* a = n->as_array();
    if (!a) return error(n->source(), std::string("\"") + key + "\" must be an array of integers");
    for (const toml::node& item : *a) {
      if (auto v = item.value<int64_t>(); v && *v > 0 && *v < 65536)
        out.push_back(static_cast<int>(*v));
      else
        error(item.source(), std::string("\"") + key + "\" must hold port numbers only");
    }
  }

  void string(const toml::table& t, const char* key, std::string& out) {
    const toml::node* n = t.get(key);
    if (!n) return error(t.source(), std::string("missing key \"") + key + "\"");
    if (auto s = n->value<std::string>(); s && !s->empty())
      out = *s;
    else
      error(n->source(), std::string("\"") + key + "\" must be a non-empty string");
  }

  void version(const toml::table& t, const char* key, std::string& out) {
    string(t, key, out);
    bool ok = !out.empty();
    for (char c : out)
      ok = ok && ((c >= '0' && c <= '9') || c == '.');
    if (!ok && t.get(key))
      error(t.get(key)->source(), std::string("\"") + key + "\" must be a version like \"1.46\"");
  }

private:
  const std::string& file_;
  std::vector<Diagnostic>& errors_;
};

} // namespace

DeployRulesResult parse_deploy_rules(std::string_view text, const std::string& file) {
  DeployRulesResult result;
  for (unsigned char ch : text)
    if (ch >= 0x80) { // see ruleset.cpp: toml++ 3.3.0 must not see non-ASCII keys
      result.errors.push_back({kRule, {file, 0, 0}, "rule data must be ASCII"});
      return result;
    }
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    result.errors.push_back(
        {kRule,
         {file, static_cast<int>(e.source().begin.line), static_cast<int>(e.source().begin.column)},
         std::string(e.description())});
    return result;
  }
  Reader r(file, result.errors);
  static const char* known[] = {"schema",
                                "standard-env",
                                "endpoint-env",
                                "sampler-arg-env",
                                "ratio-samplers",
                                "service-name-prefix",
                                "pod-name-env",
                                "namespace-env",
                                "jaeger-agent-ports",
                                "otlp-ports",
                                "jaeger-images",
                                "jaeger-otlp-always",
                                "jaeger-otlp-since",
                                "jaeger-otlp-default-since",
                                "collector-images",
                                "infrastructure-images"};
  for (auto&& [key, node] : root) {
    bool ok = false;
    for (const char* k : known)
      ok = ok || key.str() == k;
    if (!ok) r.error(key.source(), "unknown key \"" + std::string(key.str()) + "\"");
  }
  if (root["schema"].value<int64_t>() != 1) r.error(root.source(), "\"schema\" must be 1");
  DeployRules d;
  r.strings(root, "standard-env", d.standard_env);
  r.strings(root, "endpoint-env", d.endpoint_env);
  r.string(root, "sampler-arg-env", d.sampler_arg_env);
  r.strings(root, "ratio-samplers", d.ratio_samplers);
  r.string(root, "service-name-prefix", d.service_name_prefix);
  r.string(root, "pod-name-env", d.pod_name_env);
  r.string(root, "namespace-env", d.namespace_env);
  r.ints(root, "jaeger-agent-ports", d.jaeger_agent_ports);
  r.ints(root, "otlp-ports", d.otlp_ports);
  r.strings(root, "jaeger-images", d.jaeger_images);
  r.strings(root, "jaeger-otlp-always", d.jaeger_otlp_always, false);
  r.version(root, "jaeger-otlp-since", d.jaeger_otlp_since);
  r.version(root, "jaeger-otlp-default-since", d.jaeger_otlp_default_since);
  r.strings(root, "collector-images", d.collector_images);
  r.strings(root, "infrastructure-images", d.infrastructure_images, false);
  if (result.errors.empty()) result.rules = std::move(d);
  return result;
}

DeployRulesResult load_deploy_rules(const std::filesystem::path& rules_dir) {
  std::filesystem::path path = rules_dir / "deployment.toml";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    DeployRulesResult result;
    result.errors.push_back({kRule, {path.string(), 0, 0}, "cannot read deployment.toml"});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_deploy_rules(text.str(), path.string());
}

} // namespace otelaudit::deploy
