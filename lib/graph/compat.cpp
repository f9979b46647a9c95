#include "graph/compat.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <tuple>

#include "rules/declarations.h"
#include "rules/rule_table.h"

namespace otelaudit {

namespace {

std::string where(const Location& loc) {
  return loc.file + ":" + std::to_string(loc.line);
}

} // namespace

bool line_less(const std::string& a, const std::string& b) {
  auto parts = [](const std::string& s) {
    std::vector<std::pair<std::uint64_t, std::string>> out;
    std::size_t start = 0;
    while (start <= s.size()) {
      std::size_t dot = s.find('.', start);
      std::string part =
          s.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      std::uint64_t n = 0;
      auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
      bool numeric = ec == std::errc() && end == part.data() + part.size();
      out.emplace_back(numeric ? n : UINT64_MAX, numeric ? std::string() : part);
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    return out;
  };
  return parts(a) < parts(b);
}

std::optional<Location> line_declaration(const CargoModel& cargo, const std::string& line,
                                         const Ruleset& rules) {
  std::vector<Declaration> decls = collect_declarations(cargo, rules);
  auto first = [&](auto accept) -> std::optional<Location> {
    std::optional<Location> best;
    for (const Declaration& d : decls) {
      if (!d.otel || d.line() != line || !accept(d)) continue;
      Location loc = d.dep->loc;
      if (loc.file.empty()) loc.file = d.manifest->file;
      if (!best ||
          std::tie(loc.file, loc.line, loc.column) < std::tie(best->file, best->line, best->column))
        best = loc;
    }
    return best;
  };
  if (auto l = first([](const Declaration& d) { return d.dep->package == "opentelemetry"; }))
    return l;
  if (auto l = first([](const Declaration& d) { return d.dep->package == "opentelemetry_sdk"; }))
    return l;
  return first([](const Declaration&) { return true; });
}

std::vector<CompatPair> compat_matrix(const RepoGraph& graph, const std::vector<GraphRepo>& repos,
                                      const Ruleset& rules) {
  std::map<std::string, const GraphRepo*> by_name;
  for (const GraphRepo& r : repos)
    by_name.emplace(r.name, &r);
  std::map<std::string, std::optional<Location>> otel_loc;
  for (const auto& [name, r] : by_name)
    otel_loc[name] =
        r->otel_line && r->cargo ? line_declaration(*r->cargo, *r->otel_line, rules) : std::nullopt;

  std::vector<CompatPair> out;
  for (const std::string& a : graph.repos) {
    for (const std::string& b : graph.reachable(a)) {
      if (a == b) continue;
      CompatPair p;
      p.from = a;
      p.to = b;
      p.from_line = by_name.at(a)->otel_line;
      p.to_line = by_name.at(b)->otel_line;
      p.compatible = !p.from_line || !p.to_line || *p.from_line == *p.to_line;
      p.chain = graph.path(a, b);
      if (const RepoEdge* e = graph.first_edge(a, b)) {
        p.direct = true;
        p.edge_loc = e->loc;
        p.edge_package = e->package;
      }
      p.from_otel_loc = otel_loc[a];
      p.to_otel_loc = otel_loc[b];
      out.push_back(std::move(p));
    }
  }
  return out;
}

LinkSet link_set(const std::vector<GraphRepo>& repos) {
  std::map<std::string, std::vector<std::string>> groups;
  LinkSet s;
  for (const GraphRepo& r : repos) {
    if (r.otel_line)
      groups[*r.otel_line].push_back(r.name);
    else
      s.without_otel.push_back(r.name);
  }
  for (auto& [line, names] : groups) {
    std::sort(names.begin(), names.end());
    s.lines.push_back({line, std::move(names)});
  }
  std::sort(s.lines.begin(), s.lines.end(),
            [](const LineGroup& a, const LineGroup& b) { return line_less(a.line, b.line); });
  std::sort(s.without_otel.begin(), s.without_otel.end());
  s.linkable = s.lines.size() <= 1;
  return s;
}

std::vector<Finding> link_findings(const std::vector<CompatPair>& matrix, const Ruleset& rules) {
  std::vector<Finding> out;
  for (const CompatPair& p : matrix) {
    if (p.compatible || !p.direct) continue;
    Finding f;
    f.rule = "link-incompatible";
    f.severity = default_severity(f.rule);
    f.repo = p.from;
    f.loc = p.edge_loc;
    f.package = p.edge_package;
    const std::string a_line = *p.from_line, b_line = *p.to_line;
    f.message = p.from + " is on OpenTelemetry " + a_line +
                (p.from_otel_loc ? " (" + where(*p.from_otel_loc) + ")" : "") +
                " and depends here on " + p.to + ", which is on " + b_line +
                (p.to_otel_loc ? " (" + p.to + " " + where(*p.to_otel_loc) + ")" : "") +
                ": one binary cannot hold both, their types, context and global providers "
                "are not shared";
    std::vector<std::string> move;
    if (a_line != rules.target) move.push_back(p.from);
    if (b_line != rules.target) move.push_back(p.to);
    if (move.size() == 2)
      f.fix = "move " + move[0] + " and " + move[1] + " to OpenTelemetry " + rules.target +
              " (the target line)";
    else if (move.size() == 1)
      f.fix = "move " + move[0] + " to OpenTelemetry " + rules.target + " (the target line)";
    out.push_back(std::move(f));
  }
  return out;
}

} // namespace otelaudit
