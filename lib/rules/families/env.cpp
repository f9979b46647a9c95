#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
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
  std::set<std::string> read; // names read by compiled production code
  bool compiled = false;
  std::set<std::pair<std::string, std::string>> reported; // (package, name)
  for (const source::FileView& v : source::production_files(repo)) {
    if (!v.orphan()) compiled = true;
    for (const source::EnvRead& r : source::env_reads(*v.facts)) {
      const std::string& name = r.name->value;
      if (!v.orphan()) read.insert(name);
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
  if (!compiled) return;

  // The standard names configure the exporter: a repository that exports no traces (a library
  // using the API only) has nothing to read them for.
  const auto sign = source::export_sign(repo, conv);
  if (!sign) return;
  bool any_required = std::any_of(conv.required_env.begin(), conv.required_env.end(),
                                  [&](const std::string& n) { return read.count(n) > 0; });
  if (any_required) return;
  sink.emit("env-var-missing", sign->loc,
            fmt::format("{} exports traces ({}) but its code reads none of the standard "
                        "environment variables {}",
                        repo.name, sign->what, fmt::join(conv.required_env, ", ")),
            fmt::format("read the exporter endpoint and environment from {}",
                        fmt::join(conv.required_env, " and ")),
            sign->package);
}

} // namespace otelaudit
