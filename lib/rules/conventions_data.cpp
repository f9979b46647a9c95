#include <algorithm>

#include "rules/data_readers.h"

namespace otelaudit::data {

void read_conventions(const toml::table& root, Checker& c, Ruleset& rs) {
  Conventions& cv = rs.conventions;
  c.only_keys(root,
              {"schema", "service-name", "resource", "environment", "propagation", "http", "jaeger",
               "canonical-set", "companions", "propagation-helpers"},
              "conventions.toml");
  c.schema(root, 1);
  auto section = [&](std::string_view name) { return c.required_table(root, name); };

  if (const toml::table* t = section("service-name")) {
    c.only_keys(*t, {"pattern", "description", "namespace", "separator", "max-levels"},
                "[service-name]");
    c.string(*t, "description", "[service-name]", false);
    if (auto v = c.text(*t, "pattern", "[service-name]")) cv.service_name_pattern = *v;
    if (auto v = c.text(*t, "namespace", "[service-name]")) cv.service_name_namespace = *v;
    if (auto v = c.text(*t, "separator", "[service-name]")) {
      if (v->size() != 1)
        c.error(*t->get("separator"), "\"separator\" in [service-name] must be one character");
      else
        cv.service_name_separator = *v;
    }
    if (const toml::node* n = t->get("max-levels")) {
      if (!n->is_integer() || n->as_integer()->get() < 2 || n->as_integer()->get() > 16)
        c.error(*n, "\"max-levels\" in [service-name] must be an integer from 2 to 16");
      else
        cv.service_name_max_levels = static_cast<int>(n->as_integer()->get());
    }
  }

  if (const toml::table* t = section("resource")) {
    c.only_keys(*t, {"required", "accepted-aliases", "recommended", "constructors"}, "[resource]");
    if (auto v = c.string_list(*t, "required", "[resource]", true)) cv.required_resource = *v;
    if (auto v = c.string_list(*t, "recommended", "[resource]", false))
      cv.recommended_resource = *v;
    if (auto v = c.string_list(*t, "constructors", "[resource]", true))
      cv.resource_constructors = *v;
    if (const toml::node* n = t->get("accepted-aliases")) {
      if (!n->is_table()) {
        c.error(*n, "\"accepted-aliases\" in [resource] must be a table of arrays of strings");
      } else {
        for (auto&& [key, value] : *n->as_table()) {
          std::string k(key.str());
          auto names = c.strings(value, in_quotes(k) + " in accepted-aliases", true);
          if (!names) continue;
          if (std::find(cv.required_resource.begin(), cv.required_resource.end(), k) ==
              cv.required_resource.end())
            c.error(key.source(),
                    "accepted-aliases " + in_quotes(k) + " is not a required attribute");
          cv.resource_aliases[k] = *names;
        }
      }
    }
  }

  if (const toml::table* t = section("environment")) {
    c.only_keys(*t,
                {"required", "optional", "standard", "standard-prefixes", "build-time",
                 "build-time-prefixes"},
                "[environment]");
    if (auto v = c.string_list(*t, "required", "[environment]", true)) cv.required_env = *v;
    if (auto v = c.string_list(*t, "optional", "[environment]", false)) cv.optional_env = *v;
    if (auto v = c.string_list(*t, "standard", "[environment]", false)) cv.standard_env = *v;
    if (auto v = c.string_list(*t, "standard-prefixes", "[environment]", false))
      cv.standard_env_prefixes = *v;
    if (auto v = c.string_list(*t, "build-time-prefixes", "[environment]", false))
      cv.build_env_prefixes = *v;
    if (auto v = c.string_list(*t, "build-time", "[environment]", false)) cv.build_env = *v;
  }

  if (const toml::table* t = section("propagation")) {
    c.only_keys(*t, {"identifiers", "exporter-crates", "exporter-calls"}, "[propagation]");
    if (auto v = c.string_list(*t, "identifiers", "[propagation]", true))
      cv.propagation_identifiers = *v;
    if (auto v = c.string_list(*t, "exporter-crates", "[propagation]", true))
      cv.exporter_crates = *v;
    if (auto v = c.string_list(*t, "exporter-calls", "[propagation]", false))
      cv.exporter_calls = *v;
  }

  if (const toml::table* t = section("http")) {
    c.only_keys(*t,
                {"crates", "server-calls", "request-id-header", "request-id-calls",
                 "span-name-pattern", "methods"},
                "[http]");
    if (auto v = c.string_list(*t, "crates", "[http]", true)) cv.http_crates = *v;
    if (auto v = c.string_list(*t, "server-calls", "[http]", true)) cv.http_server_calls = *v;
    if (auto v = c.text(*t, "request-id-header", "[http]")) cv.request_id_header = *v;
    if (auto v = c.string_list(*t, "request-id-calls", "[http]", false)) cv.request_id_calls = *v;
    if (auto v = c.text(*t, "span-name-pattern", "[http]")) cv.span_name_pattern = *v;
    if (auto v = c.string_list(*t, "methods", "[http]", true)) cv.http_methods = *v;
  }

  if (const toml::table* t = section("jaeger")) {
    c.only_keys(*t, {"agent-ports", "code-paths", "env-prefixes", "replacement"}, "[jaeger]");
    if (const toml::node* n = t->get("agent-ports")) {
      const toml::array* a = n->as_array();
      bool ok = a && !a->empty();
      std::vector<int> ports;
      if (ok)
        for (const toml::node& item : *a) {
          if (!item.is_integer() || item.as_integer()->get() < 1 ||
              item.as_integer()->get() > 65535) {
            ok = false;
            break;
          }
          ports.push_back(static_cast<int>(item.as_integer()->get()));
        }
      if (ok)
        cv.jaeger_agent_ports = ports;
      else
        c.error(*n, "\"agent-ports\" in [jaeger] must be a non-empty array of port numbers");
    } else {
      c.error(*t, "missing key \"agent-ports\" in [jaeger]");
    }
    if (auto v = c.string_list(*t, "code-paths", "[jaeger]", true)) cv.jaeger_code_paths = *v;
    if (auto v = c.string_list(*t, "env-prefixes", "[jaeger]", true)) cv.jaeger_env_prefixes = *v;
    if (auto v = c.text(*t, "replacement", "[jaeger]")) cv.jaeger_replacement = *v;
  }
  if (const toml::table* t = section("canonical-set")) {
    constexpr std::string_view where = "[canonical-set]";
    c.only_keys(*t, {"blocker-lines-behind", "tracing-crates", "source"}, where);
    c.text(*t, "source", where);
    if (const toml::node* n = t->get("blocker-lines-behind")) {
      if (!n->is_integer() || n->as_integer()->get() < 1 || n->as_integer()->get() > 1000)
        c.error(*n, "\"blocker-lines-behind\" must be a positive integer");
      else
        rs.blocker_lines_behind = static_cast<int>(n->as_integer()->get());
    } else {
      c.error(*t, "missing key \"blocker-lines-behind\" in [canonical-set]");
    }
    if (auto v = c.string_list(*t, "tracing-crates", where, true)) rs.tracing_crates = *v;
  }

  for (const toml::table* t : c.tables(root, "companions")) {
    constexpr std::string_view where = "[[companions]]";
    c.only_keys(*t, {"crate", "version", "features", "severity", "source"}, where);
    Companion comp;
    auto crate = c.text(*t, "crate", where);
    auto version = c.text(*t, "version", where);
    if (version && !split_numbers(*version, 3)) {
      c.error(*t->get("version"), "\"version\" must be a version string like \"0.24\"");
      version.reset();
    }
    auto features = c.string_list(*t, "features", where, false, false);
    const bool features_ok = features.has_value() || !t->get("features");
    auto severity = c.severity(*t, where);
    auto source = c.text(*t, "source", where);
    if (crate && version && features_ok && severity && source) {
      comp.crate = *crate;
      comp.version = *version;
      if (features) comp.features = *features;
      comp.severity = *severity;
      comp.source = *source;
      rs.companions.push_back(std::move(comp));
    }
  }

  for (const toml::table* t : c.tables(root, "propagation-helpers")) {
    constexpr std::string_view where = "[[propagation-helpers]]";
    c.only_keys(*t, {"crate", "calls", "source"}, where);
    auto crate = c.text(*t, "crate", where);
    auto calls = c.string_list(*t, "calls", where, true);
    auto source = c.text(*t, "source", where);
    if (crate && calls && source) cv.propagation_helpers.push_back({*crate, *calls, *source});
  }
}

} // namespace otelaudit::data
