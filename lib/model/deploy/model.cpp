#include "model/deploy/model.h"

#include <algorithm>
#include <set>

#include "model/deploy/yaml.h"

namespace otelaudit::deploy {

namespace {

std::string basename(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string dirname(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

bool has_yaml_extension(const std::string& name) {
  return name.ends_with(".yml") || name.ends_with(".yaml");
}

/// `dir/rel` with `.` and `..` resolved; "" when it leaves the repository.
std::string join_path(const std::string& dir, const std::string& rel) {
  std::vector<std::string> parts;
  std::string whole = rel.starts_with('/') ? rel.substr(1) : (dir.empty() ? rel : dir + "/" + rel);
  std::size_t start = 0;
  while (start <= whole.size()) {
    auto end = whole.find('/', start);
    if (end == std::string::npos) end = whole.size();
    std::string part = whole.substr(start, end - start);
    if (part == "..") {
      if (parts.empty()) return {};
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out;
  for (const std::string& p : parts)
    out += (out.empty() ? "" : "/") + p;
  return out;
}

bool env_name_char(char c, bool first) {
  bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  if (first) return alpha;
  return alpha || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

bool upper_env_name(std::string_view s) {
  if (s.empty() || !(s[0] >= 'A' && s[0] <= 'Z')) return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::string scalar_text(const YamlNode& n) {
  return n.is_scalar() ? n.scalar : std::string();
}

/// A Compose `environment` item written as `NAME=value` (or `NAME`).
EnvSetting env_from_item(const YamlNode& item) {
  EnvSetting e;
  auto eq = item.scalar.find('=');
  e.name = item.scalar.substr(0, eq);
  e.loc = item.loc;
  e.value_loc = item.loc;
  if (eq != std::string::npos) {
    e.value = item.scalar.substr(eq + 1);
    e.has_value = true;
    if (item.loc.line > 0)
      e.value_loc.column = item.loc.column + (item.plain ? 0 : 1) + static_cast<int>(eq) + 1;
  }
  return e;
}

void read_compose_env(const YamlNode& env, std::vector<EnvSetting>& out) {
  if (env.is_seq()) {
    for (const YamlNode& item : env.items)
      if (item.is_scalar() && !item.scalar.empty()) out.push_back(env_from_item(item));
  } else if (env.is_map()) {
    for (const YamlEntry& e : env.entries) {
      EnvSetting s;
      s.name = e.key;
      s.loc = e.key_loc;
      s.value_loc = e.value.loc.line > 0 ? e.value.loc : e.key_loc;
      s.has_value = e.value.is_scalar();
      s.value_quoted = s.has_value && !e.value.plain && e.value.loc.line == e.key_loc.line;
      s.value = scalar_text(e.value);
      out.push_back(std::move(s));
    }
  }
}

void read_strings(const YamlNode* n, std::vector<std::string>& out) {
  if (!n) return;
  if (n->is_scalar()) out.push_back(n->scalar);
  for (const YamlNode& item : n->items)
    if (item.is_scalar()) out.push_back(item.scalar);
}

void read_ports(const YamlNode* n, std::vector<PortSpec>& out) {
  if (!n || !n->is_seq()) return;
  for (const YamlNode& item : n->items) {
    if (item.is_scalar()) {
      out.push_back({item.scalar, item.loc});
    } else if (item.is_map()) {
      // Compose long syntax and Kubernetes: the port inside the container is what receives.
      for (const char* key : {"target", "containerPort"})
        if (const YamlNode* p = item.find(key); p && p->is_scalar())
          out.push_back({p->scalar, p->loc});
    }
  }
}

Container read_compose_service(const YamlEntry& entry, const std::string& file) {
  Container c;
  c.name = entry.key;
  c.loc = entry.key_loc;
  c.hostnames.push_back(entry.key);
  const YamlNode& s = entry.value;
  c.env_loc = entry.key_loc;
  if (!s.is_map()) return c;
  if (const YamlNode* image = s.find("image"); image && image->is_scalar()) {
    c.image = image->scalar;
    c.image_loc = image->loc;
  }
  c.build = s.find("build") != nullptr;
  for (const char* key : {"hostname", "container_name"})
    if (std::string h = s.scalar_at(key); !h.empty()) c.hostnames.push_back(h);
  if (const YamlNode* nets = s.find("networks"); nets && nets->is_map())
    for (const YamlEntry& net : nets->entries)
      if (net.value.is_map()) read_strings(net.value.find("aliases"), c.hostnames);
  if (const YamlEntry* env = s.find_entry("environment")) {
    c.env_loc = env->key_loc;
    read_compose_env(env->value, c.env);
  }
  if (const YamlNode* ef = s.find("env_file")) {
    std::vector<std::string> paths;
    read_strings(ef, paths);
    for (const YamlNode& item : ef->items)
      if (item.is_map()) paths.push_back(item.scalar_at("path"));
    for (const std::string& p : paths)
      if (std::string full = join_path(dirname(file), p); !full.empty())
        c.env_files.push_back(full);
  }
  for (const char* key : {"entrypoint", "command"})
    read_strings(s.find(key), c.args);
  read_ports(s.find("ports"), c.ports);
  read_ports(s.find("expose"), c.ports);
  // A service naming no network joins the project's `default` one (Compose specification,
  // docs.docker.com/reference/compose-file/networks); one with `network_mode` (host,
  // service:NAME) joins none of them, and its reach is not judged (networks left empty).
  if (!s.find("network_mode")) {
    if (const YamlNode* nets = s.find("networks")) {
      read_strings(nets, c.networks);
      if (nets->is_map())
        for (const YamlEntry& net : nets->entries)
          c.networks.push_back(net.key);
    }
    if (c.networks.empty()) c.networks.push_back("default");
  }
  return c;
}

Container read_k8s_container(const YamlNode& n) {
  Container c;
  c.loc = n.loc;
  c.env_loc = n.loc;
  if (const YamlEntry* name = n.find_entry("name")) {
    c.name = scalar_text(name->value);
    c.loc = name->key_loc;
    c.env_loc = name->key_loc;
  }
  if (const YamlNode* image = n.find("image"); image && image->is_scalar()) {
    c.image = image->scalar;
    c.image_loc = image->loc;
  }
  if (const YamlEntry* env = n.find_entry("env")) {
    c.env_loc = env->key_loc;
    for (const YamlNode& item : env->value.items) {
      if (!item.is_map()) continue;
      const YamlEntry* name = item.find_entry("name");
      if (!name || !name->value.is_scalar()) continue;
      EnvSetting s;
      s.name = name->value.scalar;
      s.loc = name->value.loc;
      s.value_loc = s.loc;
      if (const YamlNode* v = item.find("value")) {
        s.has_value = v->is_scalar();
        s.value = scalar_text(*v);
        s.value_loc = v->loc;
      }
      if (const YamlNode* from = item.find("valueFrom"))
        if (const YamlNode* ref = from->find("fieldRef")) {
          s.field_ref = ref->scalar_at("fieldPath");
          s.value_loc = ref->loc;
        }
      c.env.push_back(std::move(s));
    }
  }
  if (const YamlNode* from = n.find("envFrom"))
    for (const YamlNode& item : from->items)
      if (const YamlNode* ref = item.find("configMapRef"))
        if (std::string name = ref->scalar_at("name"); !name.empty()) c.config_maps.push_back(name);
  for (const char* key : {"command", "args"})
    read_strings(n.find(key), c.args);
  read_ports(n.find("ports"), c.ports);
  return c;
}

/// The pod spec of a Kubernetes object, by kind.
const YamlNode* pod_spec(const YamlNode& doc, const std::string& kind) {
  const YamlNode* spec = doc.find("spec");
  if (!spec) return nullptr;
  if (kind == "Pod") return spec;
  if (kind == "CronJob") {
    const YamlNode* job = spec->find("jobTemplate");
    spec = job ? job->find("spec") : nullptr;
    if (!spec) return nullptr;
  }
  const YamlNode* tmpl = spec->find("template");
  return tmpl ? tmpl->find("spec") : nullptr;
}

void read_k8s(const YamlNode& doc, const std::string& file, DeployModel& model, int depth) {
  std::string kind = doc.scalar_at("kind");
  if (kind == "List" && depth == 0) {
    if (const YamlNode* items = doc.find("items"))
      for (const YamlNode& item : items->items)
        if (item.is_map()) read_k8s(item, file, model, 1);
    return;
  }
  std::string name;
  if (const YamlNode* meta = doc.find("metadata")) name = meta->scalar_at("name");
  if (kind == "ConfigMap") {
    ConfigMap cm{file, name, {}};
    if (const YamlNode* data = doc.find("data"); data && data->is_map())
      for (const YamlEntry& e : data->entries) {
        if (!upper_env_name(e.key) || !e.value.is_scalar()) continue;
        cm.data.push_back({e.key, e.value.scalar, true, {}, e.key_loc, e.value.loc});
      }
    model.config_maps.push_back(std::move(cm));
    return;
  }
  const YamlNode* spec = pod_spec(doc, kind);
  if (!spec) return;
  Workload w;
  w.file = file;
  w.kind = kind;
  w.name = name;
  const YamlEntry* kind_entry = doc.find_entry("kind");
  w.loc = kind_entry ? kind_entry->key_loc : doc.loc;
  if (const YamlNode* containers = spec->find("containers"))
    for (const YamlNode& c : containers->items)
      if (c.is_map()) w.containers.push_back(read_k8s_container(c));
  model.workloads.push_back(std::move(w));
}

void read_refs(const YamlNode* n, std::vector<ComponentRef>& out) {
  if (!n) return;
  if (n->is_scalar() && !n->scalar.empty()) out.push_back({n->scalar, n->loc});
  for (const YamlNode& item : n->items)
    if (item.is_scalar()) out.push_back({item.scalar, item.loc});
}

void read_components(const YamlNode* n, std::vector<ComponentRef>& out) {
  if (!n || !n->is_map()) return;
  for (const YamlEntry& e : n->entries)
    out.push_back({e.key, e.key_loc});
}

CollectorConfig read_collector(const YamlNode& doc, const std::string& file) {
  CollectorConfig c;
  c.file = file;
  c.loc = doc.loc;
  read_components(doc.find("receivers"), c.receivers);
  read_components(doc.find("processors"), c.processors);
  read_components(doc.find("exporters"), c.exporters);
  read_components(doc.find("connectors"), c.connectors);
  c.pipelines_loc = doc.entries.empty() ? doc.loc : doc.entries.front().key_loc;
  const YamlEntry* service = doc.find_entry("service");
  if (!service) return c;
  c.pipelines_loc = service->key_loc;
  const YamlEntry* pipelines = service->value.find_entry("pipelines");
  if (!pipelines) return c;
  c.pipelines_loc = pipelines->key_loc;
  c.has_pipelines = true;
  if (!pipelines->value.is_map()) return c;
  for (const YamlEntry& e : pipelines->value.entries) {
    Pipeline p;
    p.name = e.key;
    p.loc = e.key_loc;
    p.has_receivers = e.value.find("receivers") != nullptr;
    p.has_exporters = e.value.find("exporters") != nullptr;
    read_refs(e.value.find("receivers"), p.receivers);
    read_refs(e.value.find("processors"), p.processors);
    read_refs(e.value.find("exporters"), p.exporters);
    c.pipelines.push_back(std::move(p));
  }
  return c;
}

bool is_collector_doc(const YamlNode& doc) {
  const YamlNode* service = doc.find("service");
  bool pipelines = service && service->find("pipelines");
  return pipelines || (doc.find("receivers") && doc.find("exporters"));
}

bool is_compose_doc(const YamlNode& doc, bool compose_name) {
  const YamlNode* services = doc.find("services");
  if (!services || !services->is_map()) return false;
  if (compose_name) return true;
  return std::any_of(services->entries.begin(), services->entries.end(), [](const YamlEntry& e) {
    return e.value.is_map() && (e.value.find("image") || e.value.find("build"));
  });
}

/// Environment-like settings anywhere in Helm values: `NAME: value` with an upper-case name,
/// and `{name: NAME, value: ...}` items.
void scan_values(const YamlNode& n, std::vector<EnvSetting>& out) {
  if (n.is_map()) {
    const YamlNode* name = n.find("name");
    const YamlNode* value = n.find("value");
    if (name && value && name->is_scalar() && value->is_scalar() && upper_env_name(name->scalar))
      out.push_back({name->scalar, value->scalar, true, {}, name->loc, value->loc});
    for (const YamlEntry& e : n.entries) {
      if (upper_env_name(e.key) && e.value.is_scalar())
        out.push_back({e.key, e.value.scalar, true, {}, e.key_loc, e.value.loc});
      else
        scan_values(e.value, out);
    }
  }
  for (const YamlNode& item : n.items)
    scan_values(item, out);
}

bool env_example_name(const std::string& name) {
  return name == ".env.example" || name == ".env.sample" || name == ".env.template" ||
         name == "example.env";
}

} // namespace

bool vendored_path(const std::string& path, const std::set<std::string>& chart_dirs) {
  for (std::string dir = dirname(path); !dir.empty(); dir = dirname(dir)) {
    std::string name = basename(dir);
    if (name == "vendor" || name == "third_party" || name == "third-party") return true;
    // A chart's dependencies live in its charts/ directory (Helm, "Chart Dependencies").
    if (name == "charts" && chart_dirs.count(dirname(dir))) return true;
  }
  return false;
}

FileKind classify_path(const std::string& path) {
  std::string name = basename(path);
  if (name == ".env" || name.starts_with(".env.") || name.ends_with(".env")) return FileKind::env;
  if (!has_yaml_extension(name)) return FileKind::none;
  if (name.starts_with("docker-compose") || name.starts_with("compose")) return FileKind::compose;
  return FileKind::yaml;
}

std::vector<EnvSetting> parse_env_file(std::string_view text, const std::string& file,
                                       std::vector<Diagnostic>& diagnostics) {
  std::vector<EnvSetting> out;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  // Lines, keeping their 1-based numbers; a double-quoted value may run over several.
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start <= text.size();) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  // A file that is not an env file at all (binary, another format) would give one error per
  // line: after kMaxErrors the rest is not read.
  constexpr int kMaxErrors = 20;
  int errors = 0;
  auto error = [&](int line, std::size_t col, std::string message) {
    if (++errors > kMaxErrors) return;
    diagnostics.push_back(
        {"deploy-parse-error", {file, line, static_cast<int>(col) + 1}, std::move(message)});
    if (errors == kMaxErrors)
      diagnostics.push_back(
          {"deploy-parse-error",
           {file, line, 1},
           std::to_string(kMaxErrors) + " malformed lines: the rest of the file is not read"});
  };
  for (std::size_t li = 0; li < lines.size() && errors < kMaxErrors; ++li) {
    std::string_view line = lines[li];
    int number = static_cast<int>(li) + 1;
    std::size_t i = line.find_first_not_of(" \t");
    if (i == std::string_view::npos || line[i] == '#') continue;
    if (line.substr(i).starts_with("export") && line.size() > i + 6 &&
        (line[i + 6] == ' ' || line[i + 6] == '\t')) {
      i = line.find_first_not_of(" \t", i + 6);
      if (i == std::string_view::npos) {
        error(number, line.size(), "expected a variable name after `export`");
        continue;
      }
    }
    std::size_t name_start = i;
    if (!env_name_char(line[i], true)) {
      error(number, i,
            "expected a variable name (letters, digits and `_`, not starting with a "
            "digit)");
      continue;
    }
    while (i < line.size() && env_name_char(line[i], false))
      ++i;
    EnvSetting s;
    s.name = std::string(line.substr(name_start, i - name_start));
    s.loc = {file, number, static_cast<int>(name_start) + 1};
    s.value_loc = s.loc;
    std::size_t j = line.find_first_not_of(" \t", i);
    if (j == std::string_view::npos || line[j] == '#') {
      out.push_back(std::move(s)); // NAME alone: passed through from the environment
      continue;
    }
    if (line[j] != '=') {
      error(number, j, "expected `=` after " + s.name);
      continue;
    }
    s.has_value = true;
    std::size_t v = line.find_first_not_of(" \t", j + 1);
    if (v == std::string_view::npos) {
      s.value_loc = {file, number, static_cast<int>(j) + 2};
      out.push_back(std::move(s));
      continue;
    }
    s.value_loc = {file, number, static_cast<int>(v) + 1};
    char quote = line[v];
    if (quote == '"' || quote == '\'') {
      s.value_quoted = true;
      std::string value;
      std::size_t k = v + 1;
      std::size_t at_line = li;
      bool closed = false;
      while (!closed) {
        std::string_view cur = lines[at_line];
        for (; k < cur.size(); ++k) {
          char c = cur[k];
          if (c == quote) {
            closed = true;
            break;
          }
          if (quote == '"' && c == '\\' && k + 1 < cur.size()) {
            char n = cur[++k];
            value += n == 'n' ? '\n' : n == 't' ? '\t' : n;
          } else {
            value += c;
          }
        }
        if (closed || at_line + 1 >= lines.size()) break;
        ++at_line;
        value += '\n';
        k = 0;
      }
      if (!closed) {
        error(number, v,
              std::string("unterminated ") + (quote == '"' ? "double" : "single") +
                  "-quoted value of " + s.name);
        li = lines.size();
        continue;
      }
      li = at_line; // the rest of the closing line can only hold a comment
      s.value = std::move(value);
    } else {
      std::string_view rest = line.substr(v);
      for (std::size_t k = 1; k < rest.size(); ++k)
        if (rest[k] == '#' && (rest[k - 1] == ' ' || rest[k - 1] == '\t')) {
          rest = rest.substr(0, k);
          break;
        }
      while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t'))
        rest.remove_suffix(1);
      s.value = std::string(rest);
    }
    out.push_back(std::move(s));
  }
  return out;
}

DeployModel load_deploy(const Tree& tree) {
  DeployModel model;
  std::set<std::string> chart_dirs; // directories holding a Chart.yaml
  for (const std::string& f : tree.files())
    if (basename(f) == "Chart.yaml") chart_dirs.insert(dirname(f));
  auto in_chart_templates = [&](const std::string& f) {
    for (std::string dir = dirname(f); !dir.empty(); dir = dirname(dir))
      if (basename(dir) == "templates" && chart_dirs.count(dirname(dir))) return true;
    return false;
  };

  for (const std::string& f : tree.files()) {
    FileKind kind = classify_path(f);
    if (kind == FileKind::none || vendored_path(f, chart_dirs)) continue;
    std::string error;
    std::optional<std::string> text = tree.read(f, error);
    if (!text) {
      model.diagnostics.push_back({"file-unreadable", {f, 0, 0}, error});
      continue;
    }
    model.files.push_back(f);
    if (kind == FileKind::env) {
      EnvFile ef;
      ef.file = f;
      ef.example = env_example_name(basename(f));
      ef.vars = parse_env_file(*text, f, model.diagnostics);
      model.env_files.push_back(std::move(ef));
      continue;
    }
    if (in_chart_templates(f) && text->find("{{") != std::string::npos) {
      model.diagnostics.push_back({"deploy-file-skipped", first_template_action(*text, f),
                                   "Helm template: rendered by Helm, not audited as YAML"});
      continue;
    }
    YamlParseResult parsed = parse_yaml(*text, f);
    if (parsed.problem) {
      model.diagnostics.push_back(*parsed.problem);
      continue;
    }
    bool values = chart_dirs.count(dirname(f)) && basename(f).starts_with("values");
    for (const YamlNode& doc : parsed.documents) {
      if (!doc.is_map()) continue;
      if (values) {
        scan_values(doc, model.other_env);
      } else if (is_compose_doc(doc, kind == FileKind::compose)) {
        ComposeFile cf{f, {}};
        for (const YamlEntry& e : doc.find("services")->entries)
          cf.services.push_back(read_compose_service(e, f));
        model.compose.push_back(std::move(cf));
      } else if (!doc.scalar_at("apiVersion").empty() && !doc.scalar_at("kind").empty()) {
        read_k8s(doc, f, model, 0);
      } else if (is_collector_doc(doc)) {
        model.collectors.push_back(read_collector(doc, f));
      }
    }
  }
  for (const ConfigMap& cm : model.config_maps)
    model.other_env.insert(model.other_env.end(), cm.data.begin(), cm.data.end());
  return model;
}

} // namespace otelaudit::deploy
