#include "rules/families/manifest.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/strings.h"
#include "rules/declarations.h"
#include "rules/dep_text.h"
#include "rules/rule_table.h"

namespace otelaudit {

namespace {

std::string lines_word(int n) {
  return n == 1 ? "1 line" : fmt::format("{} lines", n);
}

/// The entry to write for `dep` on the target line, and what to say when no release of its
/// crate is built for the target (a contrib crate that has not followed yet).
std::pair<std::string, std::string> target_fix(const CargoModel& cargo, const Declaration& d,
                                               const Ruleset& rules) {
  const Dependency& dep = *d.dep;
  if (auto v = rules.target_version(dep.package)) {
    // Only features the crate has on the target: another would make Cargo refuse the entry.
    const CrateOnLine* on_target = rules.target_line().find(dep.package);
    std::vector<std::string> kept, dropped;
    for (const std::string& f : feature_names(dep))
      (!on_target || !on_target->features_known ||
               std::find(on_target->features.begin(), on_target->features.end(), f) !=
                   on_target->features.end()
           ? kept
           : dropped)
          .push_back(f);
    std::string note;
    if (!dropped.empty())
      note = fmt::format(" ({} {} has no feature {} on the {} line: the fix leaves {})",
                         dep.package, on_target->latest, quoted_list(dropped), rules.target,
                         dropped.size() == 1 ? "it out" : "them out");
    if (d.workspace_table) return {dependency_line(dep, *v, kept), note};
    // A member whose workspace declares the crate inherits it there.
    EntryEdits edits;
    add_entry(edits, cargo, d.manifest->file, dep, *v, kept, [&](const std::string& f) {
      return !on_target || !on_target->features_known ||
             std::find(on_target->features.begin(), on_target->features.end(), f) !=
                 on_target->features.end();
    });
    return {edits.text(), note};
  }
  // A crate deprecated on some line will not follow; one that is not may still.
  const bool deprecated =
      std::any_of(rules.lines.begin(), rules.lines.end(), [&](const LineInfo& l) {
        const CrateOnLine* e = l.find(dep.package);
        return e && e->deprecated;
      });
  const std::string note =
      deprecated ? fmt::format(" ({} is deprecated: no release of it is built for the {} line)",
                               dep.package, rules.target)
                 : fmt::format(" (no release of {} is built for the {} line yet)", dep.package,
                               rules.target);
  return {{}, note};
}

Location req_loc(const Declaration& d) {
  return d.dep->req ? d.dep->req->loc : d.dep->loc;
}

// otel-version-behind's documented policy (docs/rules.md): a declaration older than every line
// the packs know is a blocker, and so is one `blocker_lines_behind` or more lines behind when
// the data it rests on is confirmed; any other is at the rule's default (high).
constexpr Severity kBeyondThePacks = Severity::blocker;

Severity behind_severity(int behind, bool confirmed, const Ruleset& rules) {
  return behind >= rules.blocker_lines_behind && confirmed
             ? Severity::blocker
             : default_severity("otel-version-behind");
}

/// The features of `m` that name the dependency `key` ("dep:key", "key/f", "key?/f", "key").
std::vector<std::string> features_naming(const Manifest& m, const std::string& key) {
  std::vector<std::string> out;
  for (const FeatureDecl& f : m.features)
    for (const Located& e : f.enables)
      if (e.value == key || e.value == "dep:" + key || e.value.starts_with(key + "/") ||
          e.value.starts_with(key + "?/")) {
        out.push_back(f.name.value);
        break;
      }
  return out;
}

/// deprecated-exporter's fix for the declaration `d`: the pack's entry of the replacement,
/// unless the table already declares the replacement (a second key of it is invalid TOML: the
/// deprecated entry is only removed), or the member's workspace declares it (inherited).
std::string replacement_fix(const CargoModel& cargo, const Declaration& d,
                            const DeprecatedCrate& dc, const Ruleset& rules) {
  const Dependency& dep = *d.dep;
  const std::string replacement = dc.fix.substr(0, dc.fix.find_first_of(" ="));
  if (replacement.empty()) return dc.fix;
  const Dependency* there = nullptr;
  if (d.workspace_table) {
    for (const Dependency& o : d.manifest->workspace->dependencies)
      if (o.package == replacement) there = &o;
  } else {
    for (const Dependency& o : d.manifest->dependencies)
      if ((o.package == replacement || (o.workspace && o.key == replacement)) &&
          o.kind == dep.kind && o.target == dep.target)
        there = &o;
  }
  if (there) {
    std::string fix = fmt::format("remove the {} entry: {} already declares {} beside it (line {})",
                                  dep.key, d.manifest->file, replacement, there->loc.line);
    const std::vector<std::string> named = features_naming(*d.manifest, dep.key);
    if (!named.empty())
      fix += fmt::format("; [features] names it in {}: drop it there too", quoted_list(named));
    if (d.workspace_table) {
      std::vector<std::string> members;
      for (const PackageModel& p : cargo.packages)
        if (p.workspace_root == d.manifest->file)
          for (const Dependency& o : p.dependencies)
            if (o.inherited && o.key == dep.key &&
                std::find(members.begin(), members.end(), p.manifest_file) == members.end())
              members.push_back(p.manifest_file);
      if (!members.empty())
        fix += fmt::format("; the members that inherit it ({}) inherit {} instead", join(members),
                           replacement);
    }
    return fix;
  }
  if (d.workspace_table || !workspace_entry(cargo, d.manifest->file, replacement)) return dc.fix;
  Dependency r;
  r.key = r.package = replacement;
  r.kind = dep.kind;
  r.target = dep.target;
  r.optional = dep.optional;
  EntryEdits edits;
  add_entry(edits, cargo, d.manifest->file, r,
            rules.target_version(replacement).value_or(rules.target), {});
  return edits.text();
}

} // namespace

void check_versions(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
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
    if (!d.otel && !d.bridge) continue;
    // A deprecated crate is replaced, not upgraded: deprecated-exporter says so.
    if (rules.deprecation(dep.package)) continue;
    const std::string written = dep.req ? dep.req->value : std::string();
    const auto [fix, no_release] = target_fix(repo.cargo, d, rules);
    if (d.older) {
      const std::string& oldest = rules.lines.front().line;
      sink.emit("otel-version-behind", kBeyondThePacks, req_loc(d),
                fmt::format("{} {} is older than the {} line, the oldest the rule data knows: "
                            "more than {} behind the target {}{}",
                            dep.package, written, oldest, lines_word(target), rules.target,
                            no_release),
                fix);
      continue;
    }
    if (d.lines.empty()) continue;
    // Findings that rest on unconfirmed data (a line or release not read in a primary source)
    // are never blockers.
    const bool confirmed = rules.confirmed(rules.target) && rules.confirmed(d.line(), dep.package);
    const std::string what =
        d.bridge
            ? fmt::format("{} {} is built for opentelemetry {}", dep.package, written, d.line())
            : fmt::format("{} {} is on the {} line", dep.package, written, d.line());
    if (!d.on_line(rules.target)) {
      int idx = rules.line_index(d.line()).value_or(target);
      if (idx < target) {
        int behind = target - idx;
        const Severity sev = behind_severity(behind, confirmed, rules);
        sink.emit("otel-version-behind", sev, req_loc(d),
                  fmt::format("{}, {} behind the target {}{}", what, lines_word(behind),
                              rules.target, no_release),
                  fix);
      } else if (idx > target) {
        sink.emit("otel-version-ahead", req_loc(d),
                  fmt::format("{}, {} ahead of the target {}{}", what, lines_word(idx - target),
                              rules.target, no_release),
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
      const Severity sev = dc.severity == Severity::blocker && !rules.confirmed(rules.target)
                               ? Severity::high
                               : dc.severity;
      sink.emit("deprecated-exporter", sev, dep.loc,
                dc.reason.empty() ? dc.crate + " is deprecated" : dc.reason,
                replacement_fix(repo.cargo, d, dc, rules));
    }
    if (auto meant = rules.misspelling_of(dep.package)) {
      Dependency fixed = dep;
      fixed.package = *meant;
      if (fixed.key == dep.package) fixed.key = *meant;
      EntryEdits edits;
      const std::string version = dep.req ? dep.req->value : rules.target;
      if (d.workspace_table)
        edits.add(d.manifest->file, "workspace.dependencies",
                  dependency_line(fixed, version, feature_names(dep)));
      else
        add_entry(edits, repo.cargo, d.manifest->file, fixed, version, feature_names(dep));
      sink.emit(
          "misnamed-crate", dep.loc,
          fmt::format("no crate is published as \"{}\": the name is \"{}\"", dep.package, *meant),
          edits.text());
    }
  }
}

} // namespace otelaudit
