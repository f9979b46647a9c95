#include "rules/families/deployment.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>

namespace otelaudit::deploy {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string join(const std::vector<std::string>& v, std::string_view sep = ", ") {
  std::string out;
  for (const std::string& s : v)
    out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

/// An image's repository path: registry host, `library/`, tag and digest removed, lowercase.
std::string image_repo(std::string_view image) {
  if (auto at = image.find('@'); at != std::string_view::npos) image = image.substr(0, at);
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash))
    image = image.substr(0, colon);
  if (auto first = image.find('/'); first != std::string_view::npos) {
    std::string_view host = image.substr(0, first);
    if (host.find('.') != std::string_view::npos || host.find(':') != std::string_view::npos ||
        host == "localhost")
      image = image.substr(first + 1);
  }
  if (image.starts_with("library/")) image.remove_prefix(8);
  return lower(image);
}

std::string image_tag(std::string_view image) {
  if (auto at = image.find('@'); at != std::string_view::npos) image = image.substr(0, at);
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  if (colon == std::string_view::npos || (slash != std::string_view::npos && colon < slash))
    return {};
  return std::string(image.substr(colon + 1));
}

bool image_matches(const std::string& repo, const std::vector<std::string>& patterns) {
  if (repo.empty()) return false;
  for (const std::string& p : patterns)
    if (p.ends_with('/') ? repo.starts_with(p) : repo == p) return true;
  return false;
}

/// The value with Compose / shell interpolation resolved where the text says what it is
/// (`${X:-default}`, `${X-default}`, `$$`); nullopt when it depends on the environment.
std::optional<std::string> resolve(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '$') {
      out += v[i];
      continue;
    }
    if (i + 1 < v.size() && v[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (i + 1 >= v.size() || v[i + 1] != '{') return std::nullopt;
    auto close = v.find('}', i);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view inner = v.substr(i + 2, close - i - 2);
    auto dash = inner.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    std::size_t from = dash + 1;
    if (dash > 0 && inner[dash - 1] == ':') --dash;
    if (inner.substr(0, dash).find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
        std::string_view::npos)
      return std::nullopt;
    out += inner.substr(from);
    i = close;
  }
  return out;
}

/// "1.52", "v1.52.0", "1.52-debug" -> {1, 52, 0}; nullopt for "latest" and other names.
std::optional<std::vector<int>> parse_version(std::string_view s) {
  if (s.starts_with('v')) s.remove_prefix(1);
  std::vector<int> parts;
  const char* p = s.data();
  const char* end = s.data() + s.size();
  while (p < end) {
    int n = 0;
    auto [next, ec] = std::from_chars(p, end, n);
    if (ec != std::errc()) return parts.empty() ? std::nullopt : std::optional(parts);
    parts.push_back(n);
    p = next;
    if (p < end && *p != '.') break;
    if (p < end) ++p;
  }
  if (parts.empty()) return std::nullopt;
  return parts;
}

bool version_less(const std::vector<int>& a, const std::vector<int>& b) {
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    int x = i < a.size() ? a[i] : 0, y = i < b.size() ? b[i] : 0;
    if (x != y) return x < y;
  }
  return false;
}

/// The image with `${VAR:-default}` resolved where it can be (`jaeger:${TAG:-1.52}`).
std::string image_of(const Container& c) {
  return resolve(c.image).value_or(c.image);
}

bool is_jaeger(const Container& c, const DeployRules& r) {
  return image_matches(image_repo(image_of(c)), r.jaeger_images);
}
bool is_collector(const Container& c, const DeployRules& r) {
  return image_matches(image_repo(image_of(c)), r.collector_images);
}

/// A container this repository builds or names, rather than a backing service next to it.
bool is_own(const Container& c, const DeployRules& r, std::string_view repo) {
  if (c.build) return true;
  std::string img = image_repo(image_of(c));
  if (!repo.empty() && img.find(lower(repo)) != std::string::npos) return true;
  return !is_jaeger(c, r) && !is_collector(c, r) && !image_matches(img, r.infrastructure_images);
}

/// Host and port of an endpoint written as a URL or as `host:port` / `host`.
std::pair<std::string, int> host_port(std::string_view v) {
  if (auto scheme = v.find("://"); scheme != std::string_view::npos) v = v.substr(scheme + 3);
  v = v.substr(0, v.find_first_of("/?#"));
  if (auto at = v.rfind('@'); at != std::string_view::npos) v = v.substr(at + 1);
  int port = 0;
  if (auto colon = v.rfind(':'); colon != std::string_view::npos) {
    std::string_view p = v.substr(colon + 1);
    std::from_chars(p.data(), p.data() + p.size(), port);
    v = v.substr(0, colon);
  }
  return {lower(v), port};
}

/// The port numbers inside the container a port spec covers ("127.0.0.1:4317:4317/udp",
/// "4317-4318", 6831).
std::pair<int, int> container_ports(std::string_view spec) {
  spec = spec.substr(0, spec.find('/'));
  if (auto colon = spec.rfind(':'); colon != std::string_view::npos) spec = spec.substr(colon + 1);
  int lo = 0, hi = 0;
  auto dash = spec.find('-');
  std::string_view a = spec.substr(0, dash);
  std::from_chars(a.data(), a.data() + a.size(), lo);
  hi = lo;
  if (dash != std::string_view::npos) {
    std::string_view b = spec.substr(dash + 1);
    std::from_chars(b.data(), b.data() + b.size(), hi);
  }
  return {lo, hi};
}

const EnvFile* find_env_file(const DeployModel& m, const std::string& path) {
  for (const EnvFile& f : m.env_files)
    if (f.file == path) return &f;
  return nullptr;
}

const EnvSetting* find_env(const std::vector<EnvSetting>& env, std::string_view name) {
  for (const EnvSetting& e : env)
    if (e.name == name) return &e;
  return nullptr;
}

/// Every variable a Compose service receives: `environment`, then its env files.
std::vector<const EnvSetting*> compose_env(const DeployModel& m, const Container& c) {
  std::vector<const EnvSetting*> out;
  for (const EnvSetting& e : c.env)
    out.push_back(&e);
  for (const std::string& path : c.env_files)
    if (const EnvFile* f = find_env_file(m, path))
      for (const EnvSetting& e : f->vars)
        out.push_back(&e);
  return out;
}

/// The names a container is given: its env, env files and the ConfigMaps it reads.
std::set<std::string> env_names(const DeployModel& m, const Container& c) {
  std::set<std::string> names;
  for (const EnvSetting* e : compose_env(m, c))
    names.insert(e->name);
  for (const std::string& cm_name : c.config_maps)
    for (const ConfigMap& cm : m.config_maps)
      if (cm.name == cm_name)
        for (const EnvSetting& e : cm.data)
          names.insert(e.name);
  return names;
}

std::string code(std::string_view s) {
  return "`" + std::string(s) + "`";
}

} // namespace

std::vector<DeployIssue> direct_to_jaeger(const DeployModel& m, const DeployRules& r) {
  // Jaeger may be defined in another Compose file of the same project (`-f a.yml -f b.yml`).
  std::set<std::string> jaeger_hosts;
  for (const ComposeFile& cf : m.compose)
    for (const Container& c : cf.services)
      if (is_jaeger(c, r))
        for (const std::string& h : c.hostnames)
          jaeger_hosts.insert(lower(h));
  std::vector<DeployIssue> out;
  for (const ComposeFile& cf : m.compose) {
    std::string collector_host; // the fix names a collector of the same file
    for (const Container& c : cf.services)
      if (is_collector(c, r) && collector_host.empty()) collector_host = c.name;
    for (const Container& c : cf.services) {
      if (is_jaeger(c, r) || is_collector(c, r)) continue;
      for (const EnvSetting* e : compose_env(m, c)) {
        if (!e->has_value || !contains(r.endpoint_env, e->name)) continue;
        std::optional<std::string> value = resolve(e->value);
        if (!value || value->empty()) continue;
        auto [host, port] = host_port(*value);
        bool agent = std::find(r.jaeger_agent_ports.begin(), r.jaeger_agent_ports.end(), port) !=
                     r.jaeger_agent_ports.end();
        if (!jaeger_hosts.count(host) && !agent) continue;
        DeployIssue issue;
        issue.rule = "deploy-direct-to-jaeger";
        issue.loc = e->value_loc;
        issue.message = "service " + code(c.name) + " sends telemetry straight to Jaeger (" +
                        e->name + "=" + e->value + (agent ? ", the Jaeger agent protocol" : "") +
                        "): no OpenTelemetry Collector in the path";
        if (!collector_host.empty())
          issue.fix = "point " + e->name + " at the collector service " + code(collector_host) +
                      " (http://" + collector_host + ":4317) and let it export to Jaeger";
        else
          issue.fix =
              "add an OpenTelemetry Collector service (otel/opentelemetry-collector-contrib) "
              "that receives OTLP and exports to Jaeger, and point " +
              e->name + " at it (http://otel-collector:4317)";
        out.push_back(std::move(issue));
      }
    }
  }
  return out;
}

std::vector<DeployIssue> jaeger_without_otlp(const DeployModel& m, const DeployRules& r) {
  std::vector<const Container*> jaegers;
  for (const ComposeFile& cf : m.compose)
    for (const Container& c : cf.services)
      if (is_jaeger(c, r)) jaegers.push_back(&c);
  for (const Workload& w : m.workloads)
    for (const Container& c : w.containers)
      if (is_jaeger(c, r)) jaegers.push_back(&c);

  auto since = parse_version(r.jaeger_otlp_since);
  auto default_since = parse_version(r.jaeger_otlp_default_since);
  std::vector<DeployIssue> out;
  for (const Container* c : jaegers) {
    DeployIssue issue;
    issue.rule = "deploy-jaeger-no-otlp";
    issue.loc = c->image_loc.line > 0 ? c->image_loc : c->loc;
    std::string repo = image_repo(image_of(*c));
    std::string tag = image_tag(image_of(*c));
    auto version = parse_version(tag);
    std::string who = "Jaeger " + code(c->name) + " (" + c->image + ")";
    if (image_matches(repo, r.jaeger_otlp_always)) continue;
    // An explicit setting wins: the variable or the flag.
    std::optional<bool> enabled;
    Location setting_loc;
    std::string setting;
    if (const EnvSetting* e = find_env(c->env, "COLLECTOR_OTLP_ENABLED"); e && e->has_value) {
      if (auto v = resolve(e->value)) {
        enabled = lower(*v) == "true";
        setting_loc = e->value_loc;
        setting = "COLLECTOR_OTLP_ENABLED=" + e->value;
      }
    }
    for (std::size_t i = 0; i < c->args.size(); ++i) {
      const std::string& a = c->args[i];
      if (a.find("--collector.otlp.enabled") == std::string::npos) continue;
      auto eq = a.find('=');
      std::string v = eq != std::string::npos  ? a.substr(eq + 1)
                      : i + 1 < c->args.size() ? c->args[i + 1]
                                               : "true";
      enabled = lower(v) == "true";
      setting_loc = issue.loc;
      setting = "--collector.otlp.enabled=" + v;
    }
    if (version && since && version_less(*version, *since)) {
      issue.message = who + " predates OTLP (Jaeger receives OTLP from " + r.jaeger_otlp_since +
                      "): spans exported with OpenTelemetry cannot reach it";
      issue.fix = "use jaegertracing/all-in-one:" + r.jaeger_otlp_default_since +
                  " or later (OTLP on by default)";
    } else if (enabled == false) {
      issue.loc = setting_loc;
      issue.message = who + " has its OTLP receiver turned off (" + setting + ")";
      issue.fix = "remove " + setting + " or set it to true";
    } else if (!enabled && version && default_since && version_less(*version, *default_since)) {
      issue.message = who + " does not enable OTLP: before " + r.jaeger_otlp_default_since +
                      " the receiver is off unless COLLECTOR_OTLP_ENABLED=true";
      issue.fix = "set COLLECTOR_OTLP_ENABLED=true, or use Jaeger " + r.jaeger_otlp_default_since +
                  " or later";
    } else if (!c->ports.empty()) {
      bool open = false;
      for (const PortSpec& p : c->ports) {
        auto [lo, hi] = container_ports(p.text);
        for (int port : r.otlp_ports)
          open = open || (port >= lo && port <= hi);
      }
      if (open) continue;
      std::vector<std::string> listed;
      for (const PortSpec& p : c->ports)
        listed.push_back(p.text);
      issue.loc = c->ports.front().loc;
      issue.message =
          who + " opens ports " + join(listed) + " but not the OTLP ports (4317 gRPC, 4318 HTTP)";
      issue.fix = "publish or expose 4317 and 4318";
    } else {
      continue;
    }
    out.push_back(std::move(issue));
  }
  return out;
}

std::vector<DeployIssue> invalid_pipelines(const DeployModel& m) {
  std::vector<DeployIssue> out;
  auto add = [&](Location loc, std::string message, std::string fix) {
    out.push_back(
        {"collector-pipeline-invalid", std::move(loc), std::move(message), std::move(fix), {}});
  };
  auto defined = [](const std::vector<ComponentRef>& a, const std::vector<ComponentRef>* b,
                    const std::string& name) {
    auto has = [&](const std::vector<ComponentRef>& v) {
      return std::any_of(v.begin(), v.end(), [&](const ComponentRef& c) { return c.name == name; });
    };
    return has(a) || (b && has(*b));
  };
  for (const CollectorConfig& c : m.collectors) {
    if (!c.has_pipelines) {
      add(c.pipelines_loc,
          "collector config has no service.pipelines: it receives and exports "
          "nothing",
          "add service.pipelines.traces with receivers: [otlp] and an exporter");
      continue;
    }
    bool traces = std::any_of(c.pipelines.begin(), c.pipelines.end(), [](const Pipeline& p) {
      return p.name == "traces" || p.name.starts_with("traces/");
    });
    if (!traces) {
      std::vector<std::string> names;
      for (const Pipeline& p : c.pipelines)
        names.push_back(p.name);
      add(c.pipelines_loc,
          "collector config defines no traces pipeline (pipelines: " +
              (names.empty() ? std::string("none") : join(names)) + "): spans are dropped",
          "add service.pipelines.traces with receivers: [otlp] and an exporter");
    }
    for (const Pipeline& p : c.pipelines) {
      std::string where = "pipeline " + code(p.name);
      if (p.receivers.empty())
        add(p.loc, where + " has no receivers", "list at least one receiver, e.g. [otlp]");
      if (p.exporters.empty())
        add(p.loc, where + " has no exporters", "list at least one exporter");
      auto check = [&](const std::vector<ComponentRef>& refs, const std::vector<ComponentRef>& defs,
                       const std::vector<ComponentRef>* connectors, const char* kind) {
        for (const ComponentRef& ref : refs)
          if (!defined(defs, connectors, ref.name))
            add(ref.loc,
                where + " uses " + kind + " " + code(ref.name) + ", which is not defined under " +
                    kind + "s",
                std::string("define ") + code(ref.name) + " under " + kind +
                    "s, or remove it from the pipeline");
      };
      check(p.receivers, c.receivers, &c.connectors, "receiver");
      check(p.processors, c.processors, nullptr, "processor");
      check(p.exporters, c.exporters, &c.connectors, "exporter");
    }
  }
  return out;
}

std::vector<DeployIssue> missing_env(const DeployModel& m, const DeployRules& r,
                                     std::string_view repo) {
  std::vector<DeployIssue> out;
  auto missing_of = [&](const std::set<std::string>& names) {
    std::vector<std::string> missing;
    for (const std::string& s : r.standard_env)
      if (!names.count(s)) missing.push_back(s);
    return missing;
  };
  for (const EnvFile& f : m.env_files) {
    if (!f.example) continue;
    std::set<std::string> names;
    for (const EnvSetting& e : f.vars)
      names.insert(e.name);
    std::vector<std::string> missing = missing_of(names);
    if (missing.empty()) continue;
    out.push_back({"deploy-env-missing",
                   {f.file, 1, 1},
                   "the template does not list the standard variables " + join(missing),
                   "add " + join(missing, "=, ") + "= with example values",
                   missing});
  }
  // One finding per Compose or Kubernetes file, naming the services that lack something.
  auto per_file = [&](const std::vector<const Container*>& containers) {
    std::vector<std::string> parts, union_names;
    Location first;
    for (const Container* c : containers) {
      std::vector<std::string> missing = missing_of(env_names(m, *c));
      if (missing.empty()) continue;
      if (first.line == 0) first = c->env_loc;
      parts.push_back(code(c->name) + " (" + join(missing) + ")");
      for (const std::string& s : missing)
        if (!contains(union_names, s)) union_names.push_back(s);
    }
    if (parts.empty()) return;
    std::vector<std::string> ordered;
    for (const std::string& s : r.standard_env)
      if (contains(union_names, s)) ordered.push_back(s);
    out.push_back({"deploy-env-missing", first,
                   "standard variables not set for " + join(parts, "; "),
                   "set " + join(ordered) + " in the environment of each service", ordered});
  };
  for (const ComposeFile& cf : m.compose) {
    std::vector<const Container*> own;
    for (const Container& c : cf.services)
      if (is_own(c, r, repo)) own.push_back(&c);
    per_file(own);
  }
  std::map<std::string, std::vector<const Container*>> by_file;
  std::vector<std::string> order;
  for (const Workload& w : m.workloads) {
    if (w.kind != "Deployment" && w.kind != "StatefulSet" && w.kind != "DaemonSet") continue;
    if (!by_file.count(w.file)) order.push_back(w.file);
    auto& list = by_file[w.file];
    for (const Container& c : w.containers)
      if (is_own(c, r, repo)) list.push_back(&c);
  }
  for (const std::string& f : order)
    per_file(by_file[f]);
  return out;
}

namespace {

/// Calls `fn(setting, scope)` for every variable of every source, `scope` being the variables
/// set next to it (a sampler argument is judged with its sampler).
template <typename Fn>
void each_env(const DeployModel& m, Fn fn) {
  auto scope_of = [&](const std::vector<EnvSetting>& env) {
    for (const EnvSetting& e : env)
      fn(e, env);
  };
  for (const EnvFile& f : m.env_files)
    scope_of(f.vars);
  for (const ComposeFile& cf : m.compose)
    for (const Container& c : cf.services)
      scope_of(c.env);
  for (const Workload& w : m.workloads)
    for (const Container& c : w.containers)
      scope_of(c.env);
  scope_of(m.other_env);
}

} // namespace

std::vector<DeployIssue> invalid_samplers(const DeployModel& m, const DeployRules& r) {
  std::vector<DeployIssue> out;
  each_env(m, [&](const EnvSetting& e, const std::vector<EnvSetting>& scope) {
    if (e.name != r.sampler_arg_env || !e.has_value) return;
    if (const EnvSetting* s = find_env(scope, "OTEL_TRACES_SAMPLER"); s && s->has_value) {
      auto sampler = resolve(s->value);
      if (!sampler || (!sampler->empty() && !contains(r.ratio_samplers, lower(*sampler)))) return;
    }
    std::optional<std::string> value = resolve(e.value);
    if (!value || value->empty()) return;
    double ratio = 0;
    const char* begin = value->data();
    const char* end = begin + value->size();
    auto [ptr, ec] = std::from_chars(begin, end, ratio);
    bool number = ec == std::errc() && ptr == end && std::isfinite(ratio);
    if (number && ratio >= 0.0 && ratio <= 1.0) return;
    out.push_back({"deploy-sampler-invalid",
                   e.value_loc,
                   e.name + "=" + e.value +
                       (number ? " is outside 0..1: the sampling ratio is a probability"
                               : " is not a number: the sampling ratio is a probability in 0..1"),
                   "a ratio between 0 and 1, e.g. 1.0 in development and 0.1 in production",
                   {}});
  });
  return out;
}

std::vector<DeployIssue> missing_pod_metadata(const DeployModel& m, const DeployRules& r,
                                              std::string_view repo) {
  std::vector<DeployIssue> out;
  for (const Workload& w : m.workloads) {
    if (w.kind != "Deployment" && w.kind != "StatefulSet") continue;
    for (const Container& c : w.containers) {
      if (!is_own(c, r, repo)) continue;
      std::vector<std::string> missing;
      for (auto [name, path] : {std::pair{r.pod_name_env, "metadata.name"},
                                std::pair{r.namespace_env, "metadata.namespace"}}) {
        const EnvSetting* e = find_env(c.env, name);
        if (!e || e->field_ref != path) missing.push_back(name);
      }
      if (missing.empty()) continue;
      out.push_back(
          {"k8s-pod-metadata-missing", c.env_loc,
           "container " + code(c.name) + " of " + w.kind + " " + code(w.name) +
               " does not receive " + join(missing) +
               " from the downward API: spans carry no k8s.pod.name / "
               "k8s.namespace.name",
           "env: - name: " + r.pod_name_env +
               " valueFrom: {fieldRef: {fieldPath: metadata.name}} - name: " + r.namespace_env +
               " valueFrom: {fieldRef: {fieldPath: metadata.namespace}}",
           missing});
    }
  }
  return out;
}

std::string service_name_problem(std::string_view name, std::string_view prefix) {
  if (lower(name) != name) return "not lowercase";
  std::vector<std::string_view> levels;
  for (std::size_t start = 0;;) {
    auto dot = name.find('.', start);
    levels.push_back(name.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (levels.front() != prefix) return "does not start with `" + std::string(prefix) + ".`";
  if (levels.size() < 2) return "has no component after `" + std::string(prefix) + ".`";
  for (std::string_view level : levels) {
    if (level.empty()) return "has an empty level";
    for (char c : level)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
        return std::string("holds `") + c + "`: only letters, digits, dots and hyphens";
    if (level.front() == '-' || level.back() == '-')
      return "a hyphen may only join words inside a level";
  }
  return {};
}

namespace {

/// A name that follows the rule, as close to `name` as a mechanical rewrite gets.
std::string suggest_name(std::string_view name, const std::string& prefix) {
  std::string s = lower(name);
  for (char& c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) c = '-';
  if (s.starts_with(prefix + "-")) s = prefix + "." + s.substr(prefix.size() + 1);
  if (!s.starts_with(prefix + ".")) s = prefix + "." + s;
  return s;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() + 0 &&
        std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

} // namespace

std::vector<DeployIssue> bad_service_names(const DeployModel& m, const DeployRules& r) {
  std::vector<DeployIssue> out;
  auto judge = [&](const EnvSetting& e, const std::string& name, int offset) {
    std::string problem = service_name_problem(name, r.service_name_prefix);
    if (problem.empty()) return;
    Location loc = e.value_loc;
    if (loc.line > 0 && offset > 0) loc.column += offset + (e.value_quoted ? 1 : 0);
    std::string rule = r.service_name_prefix + ".{component}[.{subcomponent}]";
    out.push_back({"deploy-service-name-format",
                   loc,
                   "service.name " + code(name) + " (" + e.name + ") breaks the naming rule " +
                       rule + ": " + problem,
                   "service.name = " + suggest_name(name, r.service_name_prefix),
                   {}});
  };
  each_env(m, [&](const EnvSetting& e, const std::vector<EnvSetting>&) {
    if (!e.has_value) return;
    std::optional<std::string> value = resolve(e.value);
    if (!value || value->empty()) return;
    if (e.name == "OTEL_SERVICE_NAME") {
      judge(e, *value, 0);
    } else if (e.name == "OTEL_RESOURCE_ATTRIBUTES" && *value == e.value) {
      for (std::size_t start = 0; start <= value->size();) {
        auto comma = value->find(',', start);
        if (comma == std::string::npos) comma = value->size();
        std::string_view pair = std::string_view(*value).substr(start, comma - start);
        auto eq = pair.find('=');
        std::string_view key = pair.substr(0, eq);
        while (!key.empty() && key.front() == ' ')
          key.remove_prefix(1);
        while (!key.empty() && key.back() == ' ')
          key.remove_suffix(1);
        if (eq != std::string_view::npos && key == "service.name")
          judge(e, percent_decode(pair.substr(eq + 1)), static_cast<int>(start + eq + 1));
        start = comma + 1;
      }
    }
  });
  return out;
}

DeploySummary summarize_deploy(const DeployModel& m, const DeployRules& r, std::string_view repo) {
  DeploySummary s;
  bool collector = !m.collectors.empty(), jaeger = false, own = false, k8s = false;
  for (const ComposeFile& cf : m.compose)
    for (const Container& c : cf.services) {
      collector = collector || is_collector(c, r);
      jaeger = jaeger || is_jaeger(c, r);
      own = own || is_own(c, r, repo);
    }
  for (const Workload& w : m.workloads)
    for (const Container& c : w.containers) {
      collector = collector || is_collector(c, r);
      jaeger = jaeger || is_jaeger(c, r);
      bool mine = is_own(c, r, repo);
      own = own ||
            (mine && (w.kind == "Deployment" || w.kind == "StatefulSet" || w.kind == "DaemonSet"));
      k8s = k8s || (mine && (w.kind == "Deployment" || w.kind == "StatefulSet"));
    }
  bool example = std::any_of(m.env_files.begin(), m.env_files.end(),
                             [](const EnvFile& f) { return f.example; });
  if (!direct_to_jaeger(m, r).empty())
    s.collector_in_path = Check::no;
  else if (collector)
    s.collector_in_path = Check::yes;
  if (jaeger) s.jaeger_otlp = jaeger_without_otlp(m, r).empty() ? Check::yes : Check::no;
  if (example || own) {
    std::vector<DeployIssue> env = missing_env(m, r, repo);
    s.env_standard = env.empty() ? Check::yes : Check::no;
    for (const std::string& name : r.standard_env)
      for (const DeployIssue& i : env)
        if (contains(i.names, name)) {
          s.env_missing.push_back(name);
          break;
        }
  }
  if (k8s) s.k8s_metadata = missing_pod_metadata(m, r, repo).empty() ? Check::yes : Check::no;
  return s;
}

} // namespace otelaudit::deploy

namespace otelaudit {

namespace {

void emit_all(const std::vector<deploy::DeployIssue>& issues, Sink& sink) {
  for (const deploy::DeployIssue& i : issues)
    sink.emit(i.rule, i.loc, i.message, i.fix);
}

} // namespace

void check_deploy_jaeger(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  emit_all(deploy::direct_to_jaeger(repo.deploy, rules.deployment), sink);
  emit_all(deploy::jaeger_without_otlp(repo.deploy, rules.deployment), sink);
}

void check_deploy_collector(const RepoModel& repo, const Ruleset&, Sink& sink) {
  emit_all(deploy::invalid_pipelines(repo.deploy), sink);
}

void check_deploy_env(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  emit_all(deploy::missing_env(repo.deploy, rules.deployment, repo.name), sink);
  emit_all(deploy::invalid_samplers(repo.deploy, rules.deployment), sink);
  emit_all(deploy::bad_service_names(repo.deploy, rules.deployment), sink);
}

void check_deploy_k8s(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  emit_all(deploy::missing_pod_metadata(repo.deploy, rules.deployment, repo.name), sink);
}

// deploy-parse-error and deploy-file-skipped (shown in the input group) are emitted where the
// deployment files are read (model/deploy).
const RuleFamily& deployment_family() {
  static constexpr RuleInfo kRules[] = {
      RuleInfo{"deploy-direct-to-jaeger", Severity::high, "deployment",
               "A Compose service exports telemetry straight to Jaeger, with no collector in the "
               "path."},
      RuleInfo{"deploy-jaeger-no-otlp", Severity::medium, "deployment",
               "A Jaeger service does not receive OTLP (too old, not enabled, or ports closed)."},
      RuleInfo{"collector-pipeline-invalid", Severity::high, "deployment",
               "A collector pipeline names undefined components, or no traces pipeline exists."},
      RuleInfo{"deploy-env-missing", Severity::low, "deployment",
               "Standard environment variables are absent from .env.example or a service's "
               "environment."},
      RuleInfo{"deploy-sampler-invalid", Severity::medium, "deployment",
               "OTEL_TRACES_SAMPLER_ARG is not a ratio in 0..1."},
      RuleInfo{"k8s-pod-metadata-missing", Severity::low, "deployment",
               "A Deployment or StatefulSet does not pass the pod name and namespace from the "
               "downward API."},
      RuleInfo{"deploy-service-name-format", Severity::high, "deployment",
               "A service.name set in the environment breaks llm.{component}[.{subcomponent}]."},
      RuleInfo{"deploy-parse-error", Severity::medium, "input",
               "A deployment file (YAML or .env) does not parse."},
      RuleInfo{"deploy-file-skipped", Severity::info, "input",
               "A deployment file was not audited: a Helm template, or over a size or "
               "alias-expansion limit."},
  };
  static constexpr RepoRule kChecks[] = {check_deploy_jaeger, check_deploy_collector,
                                         check_deploy_env, check_deploy_k8s};
  static constexpr RuleFamily kFamily{kRules, kChecks};
  return kFamily;
}

} // namespace otelaudit
