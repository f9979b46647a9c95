#include <fmt/format.h>

#include <algorithm>

#include "rules/declarations.h"
#include "rules/versions.h"

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
    std::string fix =
        fmt::format("opentelemetry = \"{}\"; opentelemetry_sdk = {{ version = \"{}\", features = "
                    "[\"rt-tokio\"] }}; opentelemetry-otlp = \"{}\"; {} = \"{}\"",
                    version("opentelemetry"), version("opentelemetry_sdk"),
                    version("opentelemetry-otlp"), rules.bridge_crate, version(rules.bridge_crate));
    sink.emit("needs-integration", d.dep->loc,
              fmt::format("{} uses {} but declares no OpenTelemetry crate: its spans never "
                          "reach the ecosystem's traces",
                          repo.name, d.dep->package),
              fix);
    return;
  }
}

} // namespace otelaudit
