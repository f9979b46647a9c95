#include "rules/families/manifest.h"

#include <fmt/format.h>

#include <algorithm>

#include "rules/declarations.h"

namespace otelaudit {

namespace {

// The crates whose declarations the audit judges: an unused entry of one of them would have
// been judged as if Cargo built it.
bool judged_crate(const std::string& crate, const Ruleset& rules) {
  if (rules.is_otel_crate(crate) || crate == rules.bridge_crate || rules.deprecation(crate))
    return true;
  if (std::find(rules.tracing_crates.begin(), rules.tracing_crates.end(), crate) !=
      rules.tracing_crates.end())
    return true;
  return std::any_of(rules.companions.begin(), rules.companions.end(),
                     [&](const Companion& c) { return c.crate == crate; });
}

} // namespace

void check_workspace_dependencies(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  const std::vector<Declaration> unused = unused_workspace_declarations(repo.cargo, rules);
  if (unused.empty()) return;
  const std::vector<Declaration> built = collect_declarations(repo.cargo, rules);
  const bool builds_otel = std::any_of(built.begin(), built.end(), [&](const Declaration& d) {
    return d.otel || d.bridge || rules.deprecation(d.dep->package);
  });
  for (const Declaration& d : unused) {
    const Dependency& dep = *d.dep;
    if (!judged_crate(dep.package, rules)) continue;
    const bool otel = d.otel || d.bridge || rules.deprecation(dep.package);
    std::string message =
        fmt::format("{}{} is declared in [workspace.dependencies] but no member inherits it "
                    "(`{}.workspace = true`): Cargo never resolves it, so it is not judged",
                    dep.package, dep.req ? " " + dep.req->value : std::string(), dep.key);
    if (otel && !builds_otel)
      message += "; OpenTelemetry appears only in such unused entries, so the repository builds "
                 "none and counts as no-otel";
    sink.emit("unused-workspace-dependency", dep.loc, std::move(message));
  }
}

} // namespace otelaudit
