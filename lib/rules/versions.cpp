#include "rules/versions.h"

#include <fmt/format.h>

#include "rules/declarations.h"
#include "rules/dep_text.h"

namespace otelaudit {

namespace {

std::string lines_word(int n) {
  return n == 1 ? "1 line" : fmt::format("{} lines", n);
}

/// The version to write for `decl`'s crate on the target line.
std::string target_version_of(const Declaration& decl, const Ruleset& rules) {
  if (decl.bridge) return rules.target_line().bridge;
  return rules.target_version(decl.dep->package).value_or(rules.target);
}

Location req_loc(const Declaration& d) {
  return d.dep->req ? d.dep->req->loc : d.dep->loc;
}

} // namespace

void check_versions(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  (void)repo;
  std::vector<Declaration> decls = collect_declarations(repo.cargo, rules);
  const int target = rules.line_index(rules.target).value_or(0);
  std::optional<std::string> repo_line = repository_line(decls, rules);

  for (const Declaration& d : decls) {
    const Dependency& dep = *d.dep;
    if (!d.req_error.empty()) {
      sink.emit("invalid-requirement", req_loc(d),
                fmt::format("version requirement \"{}\" of {} is not valid: {}", dep.req->value,
                            dep.package, d.req_error));
      continue;
    }
    if ((!d.otel && !d.bridge) || d.lines.empty()) continue;
    const std::string written = dep.req ? dep.req->value : std::string();
    const std::string fix = dependency_line(dep, target_version_of(d, rules), feature_names(dep));
    const std::string what =
        d.bridge
            ? fmt::format("{} {} is built for opentelemetry {}", dep.package, written, d.line())
            : fmt::format("{} {} is on the {} line", dep.package, written, d.line());
    if (!d.on_line(rules.target)) {
      int idx = rules.line_index(d.line()).value_or(target);
      if (idx < target) {
        int behind = target - idx;
        Severity sev = behind >= rules.blocker_lines_behind ? Severity::blocker : Severity::high;
        sink.emit(
            "otel-version-behind", sev, req_loc(d),
            fmt::format("{}, {} behind the target {}", what, lines_word(behind), rules.target),
            fix);
      } else if (idx > target) {
        sink.emit("otel-version-ahead", req_loc(d),
                  fmt::format("{}, {} ahead of the target {}", what, lines_word(idx - target),
                              rules.target),
                  fix);
      }
    }
    if (!repo_line || d.on_line(*repo_line)) continue;
    if (d.bridge) {
      sink.emit("tracing-bridge-mismatch", req_loc(d),
                fmt::format("{}, but this repository's OpenTelemetry line is {}: the layer's "
                            "tracer type will not match",
                            what, *repo_line),
                fix);
    } else if (d.otel) {
      sink.emit("otel-line-mixed", req_loc(d),
                fmt::format("{}, but this repository's OpenTelemetry line is {}: two lines "
                            "compile two copies of the API",
                            what, *repo_line),
                fix);
    }
  }
}

void check_crate_names(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  for (const Declaration& d : collect_declarations(repo.cargo, rules)) {
    const Dependency& dep = *d.dep;
    for (const DeprecatedCrate& dc : rules.deprecated) {
      if (dep.package != dc.crate) continue;
      sink.emit("deprecated-exporter", dc.severity, dep.loc,
                dc.reason.empty() ? dc.crate + " is deprecated" : dc.reason, dc.fix);
    }
    if (auto it = rules.misspellings.find(dep.package); it != rules.misspellings.end()) {
      Dependency fixed = dep;
      fixed.package = it->second;
      if (fixed.key == dep.package) fixed.key = it->second;
      sink.emit(
          "misnamed-crate", dep.loc,
          fmt::format("no crate is published as \"{}\": the name is \"{}\"", dep.package,
                      it->second),
          dependency_line(fixed, dep.req ? dep.req->value : rules.target, feature_names(dep)));
    }
  }
}

} // namespace otelaudit
