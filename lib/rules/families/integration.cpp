#include <fmt/format.h>

#include <algorithm>

#include "rules/declarations.h"
#include "rules/dep_text.h"
#include "rules/families/manifest.h"

namespace otelaudit {

void check_integration(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  std::vector<Declaration> decls = collect_declarations(repo.cargo, rules);
  auto has_otel = std::any_of(decls.begin(), decls.end(), [&](const Declaration& d) {
    if (d.otel || d.bridge) return true;
    for (const DeprecatedCrate& dc : rules.deprecated)
      if (dc.crate == d.dep->package) return true;
    return false;
  });
  if (has_otel) return;
  for (const Declaration& d : decls) {
    const auto& tc = rules.tracing_crates;
    if (std::find(tc.begin(), tc.end(), d.dep->package) == tc.end()) continue;
    auto version = [&](std::string_view crate) {
      return rules.target_version(crate).value_or(rules.target);
    };
    // One entry per line, in the table the tracing entry is in: a [workspace.dependencies]
    // entry gets the crates there, and its members inherit them (an unused entry of one of
    // them is rewritten in place); a member's own entry gets them beside it.
    std::vector<Dependency> crates(4);
    crates[0].key = "opentelemetry";
    crates[1].key = "opentelemetry_sdk";
    crates[2].key = "opentelemetry-otlp";
    crates[3].key = rules.bridge_crate;
    for (Dependency& c : crates) {
      c.package = c.key;
      c.kind = d.dep->kind;
      c.target = d.dep->target;
    }
    auto features = [](const Dependency& c) {
      return c.key == "opentelemetry_sdk" ? std::vector<std::string>{"rt-tokio"}
                                          : std::vector<std::string>{};
    };
    EntryEdits edits;
    for (const Dependency& c : crates)
      if (d.workspace_table)
        edits.add(d.manifest->file, "workspace.dependencies",
                  dependency_line(c, version(c.key), features(c)));
      else
        add_entry(edits, repo.cargo, d.manifest->file, c, version(c.key), features(c));
    if (d.workspace_table) {
      // The members that inherit the tracing entry, one group per table (a TOML document
      // holds each table once), named together.
      std::vector<std::pair<std::string, std::string>> tables; // table, files
      for (const PackageModel& p : repo.cargo.packages)
        if (p.workspace_root == d.manifest->file)
          for (const Dependency& used : p.dependencies) {
            if (!used.inherited || used.package != d.dep->package) continue;
            const std::string table = dependency_table(used.kind, used.target);
            auto it = std::find_if(tables.begin(), tables.end(),
                                   [&](const auto& t) { return t.first == table; });
            if (it == tables.end())
              tables.emplace_back(table, p.manifest_file);
            else if (it->second.find(p.manifest_file) == std::string::npos)
              it->second += ", " + p.manifest_file;
          }
      for (const auto& [table, files] : tables)
        for (const Dependency& c : crates)
          edits.add(files, table, c.key + ".workspace = true");
    }
    const std::string fix = edits.text();
    sink.emit("needs-integration", d.dep->loc,
              fmt::format("{} uses {} but declares no OpenTelemetry crate: its spans never "
                          "reach the ecosystem's traces",
                          repo.name, d.dep->package),
              fix);
    return;
  }
}

} // namespace otelaudit
