#include "rules/declarations.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <tuple>

namespace otelaudit {

namespace {

/// The version string of `crate` that the rules data gives for `line`, empty when none.
std::string data_version_for(const LineInfo& line, std::string_view crate, const Ruleset& rules) {
  if (crate == rules.bridge_crate) return line.bridge;
  auto it = line.crates.find(std::string(crate));
  return it == line.crates.end() ? std::string() : it->second;
}

} // namespace

std::vector<std::string> selected_lines(std::string_view crate, const VersionReq& req,
                                        const Ruleset& rules) {
  std::vector<std::string> out;
  // Cargo picks the newest release that matches: try the lines newest first.
  std::string chosen;
  for (auto it = rules.lines.rbegin(); it != rules.lines.rend(); ++it) {
    std::string v = data_version_for(*it, crate, rules);
    if (v.empty()) continue;
    auto cand = newest_of_data_version(v);
    if (cand && req.matches(*cand)) {
      chosen = v;
      break;
    }
  }
  if (chosen.empty()) {
    // No known release matches (e.g. `=0.27.1` pins a patch): judge by the lowest accepted.
    auto min = req.minimum();
    if (!min) return out;
    std::string min_line = min->line();
    for (const LineInfo& l : rules.lines) {
      std::string v = data_version_for(l, crate, rules);
      auto cand = newest_of_data_version(v);
      if (cand && cand->line() == min_line) out.push_back(l.line);
    }
    return out;
  }
  auto chosen_v = newest_of_data_version(chosen);
  for (const LineInfo& l : rules.lines) {
    auto cand = newest_of_data_version(data_version_for(l, crate, rules));
    if (cand && chosen_v && cand->line() == chosen_v->line()) out.push_back(l.line);
  }
  return out;
}

namespace {

Declaration make_declaration(const Manifest& m, const Dependency& d, bool ws,
                             const Ruleset& rules) {
  Declaration decl;
  decl.manifest = &m;
  decl.dep = &d;
  decl.workspace_table = ws;
  decl.otel = rules.is_otel_crate(d.package);
  decl.bridge = d.package == rules.bridge_crate;
  if (d.req) {
    std::string error;
    decl.req = parse_requirement(d.req->value, error);
    if (!decl.req) decl.req_error = error;
  }
  if (decl.req && (decl.otel || decl.bridge))
    decl.lines = selected_lines(d.package, *decl.req, rules);
  return decl;
}

} // namespace

bool Declaration::on_line(std::string_view l) const {
  return std::find(lines.begin(), lines.end(), l) != lines.end();
}

std::optional<Version> newest_of_data_version(std::string_view text) {
  std::uint64_t parts[3] = {0, 0, 999999};
  int n = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  while (p < end && n < 3) {
    auto [next, ec] = std::from_chars(p, end, parts[n]);
    if (ec != std::errc()) return std::nullopt;
    ++n;
    p = next;
    if (p < end) {
      if (*p != '.') return std::nullopt;
      ++p;
    }
  }
  if (n < 2 || p != end) return std::nullopt;
  Version v;
  v.major = parts[0];
  v.minor = parts[1];
  v.patch = parts[2];
  return v;
}

std::optional<std::string> requirement_line(const VersionReq& req) {
  auto min = req.minimum();
  if (!min) return std::nullopt;
  return min->line();
}

std::vector<Declaration> collect_declarations(const CargoModel& cargo, const Ruleset& rules) {
  std::vector<Declaration> out;
  for (const Manifest& m : cargo.manifests) {
    if (m.workspace)
      for (const Dependency& d : m.workspace->dependencies)
        out.push_back(make_declaration(m, d, true, rules));
    for (const Dependency& d : m.dependencies)
      if (!d.workspace) out.push_back(make_declaration(m, d, false, rules));
  }
  std::stable_sort(out.begin(), out.end(), [](const Declaration& a, const Declaration& b) {
    return std::tie(a.dep->loc.file, a.dep->loc.line, a.dep->loc.column) <
           std::tie(b.dep->loc.file, b.dep->loc.line, b.dep->loc.column);
  });
  return out;
}

std::optional<std::string> repository_line(const std::vector<Declaration>& decls,
                                           const Ruleset& rules) {
  auto pick = [&](auto accept) -> std::optional<std::string> {
    std::map<std::string, int> count;
    for (const Declaration& d : decls)
      if (d.otel && accept(d) && !d.line().empty()) ++count[d.line()];
    std::optional<std::string> best;
    int best_n = 0;
    for (const auto& [line, n] : count) {
      bool newer =
          !best || rules.line_index(line).value_or(-1) > rules.line_index(*best).value_or(-1);
      if (n > best_n || (n == best_n && newer)) {
        best = line;
        best_n = n;
      }
    }
    return best;
  };
  if (auto l = pick([](const Declaration& d) { return d.dep->package == "opentelemetry"; }))
    return l;
  if (auto l = pick([](const Declaration& d) { return d.dep->package == "opentelemetry_sdk"; }))
    return l;
  return pick([](const Declaration&) { return true; });
}

} // namespace otelaudit
