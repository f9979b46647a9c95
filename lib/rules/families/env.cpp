#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

#include "rules/families/source.h"

namespace otelaudit {

namespace {

bool is_standard(const Conventions& conv, const std::string& name) {
  for (const auto* list : {&conv.required_env, &conv.optional_env, &conv.standard_env})
    if (std::find(list->begin(), list->end(), name) != list->end()) return true;
  return std::any_of(conv.standard_env_prefixes.begin(), conv.standard_env_prefixes.end(),
                     [&](const std::string& p) { return name.starts_with(p); });
}

} // namespace

void check_env_vars(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  const Conventions& conv = rules.conventions;
  if (!conv.loaded) return;
  std::map<const PackageModel*, std::set<std::string>> read; // by compiled production code
  std::set<std::pair<std::string, std::string>> reported;    // (package, name)
  for (const source::FileView& v : source::production_files(repo)) {
    if (!v.orphan()) read[v.package];
    for (const source::EnvRead& r : source::env_reads(*v.facts)) {
      // env!/option_env! are expanded by the compiler when the service is built: the value is
      // fixed in the binary, not read from the environment it is deployed to.
      if (r.call->macro) continue;
      const std::string& name = r.name->value;
      if (!v.orphan()) read[v.package].insert(name);
      if (is_standard(conv, name)) continue;
      if (std::any_of(conv.build_env_prefixes.begin(), conv.build_env_prefixes.end(),
                      [&](const std::string& p) { return name.starts_with(p); }) ||
          std::find(conv.build_env.begin(), conv.build_env.end(), name) != conv.build_env.end())
        continue;
      // Jaeger agent variables are jaeger-code findings already.
      if (std::any_of(conv.jaeger_env_prefixes.begin(), conv.jaeger_env_prefixes.end(),
                      [&](const std::string& p) { return name.starts_with(p); }))
        continue;
      if (!reported.insert({v.package_name(), name}).second) continue;
      source::emit_at(sink, "env-var-nonstandard", v, r.name->pos,
                      fmt::format("environment variable {} is not one of the ecosystem's "
                                  "standard names",
                                  name));
    }
  }

  // The standard names configure a service's exporter: judged per binary over the packages it
  // is built from. One that exports no traces (a tool using the API only) has nothing to read
  // them for, and a library is configured by the binaries that use it.
  std::vector<source::SignGroup> groups;
  for (const source::Service& service : source::services(repo)) {
    bool compiled = false, any_required = false;
    for (const PackageModel* p : service.closure) {
      auto it = read.find(p);
      if (it == read.end()) continue;
      compiled = true;
      for (const std::string& n : conv.required_env)
        any_required = any_required || it->second.count(n) > 0;
    }
    if (!compiled || any_required) continue;
    if (auto sign = source::export_sign(repo, service, conv))
      source::add_to_groups(groups, std::move(*sign), service.binary->name);
  }
  for (const source::SignGroup& g : groups)
    sink.emit("env-var-missing", g.sign.loc,
              fmt::format("{} {} traces ({}) but none of the code {} built from reads the "
                          "standard environment variables {}",
                          g.subject(), g.pick("exports", "export"), g.sign.what,
                          g.pick("it is", "they are"), fmt::join(conv.required_env, ", ")),
              fmt::format("read the exporter endpoint and environment from {}",
                          fmt::join(conv.required_env, " and ")),
              g.package());
}

} // namespace otelaudit
