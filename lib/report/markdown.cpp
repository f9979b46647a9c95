#include "report/markdown.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>

#include "common/display.h"
#include "fix/plan.h"
#include "graph/analysis.h"
#include "report/view.h"
#include "score/score.h"

namespace otelaudit {

namespace {

constexpr std::array kOrder{Severity::blocker, Severity::high, Severity::medium, Severity::low,
                            Severity::info};

// How many locations a checklist item lists before it says "and N more".
constexpr std::size_t kChecklistLocations = 3;

std::string location(const Location& loc) {
  std::string out = loc.file;
  if (loc.line > 0) {
    out += ":" + std::to_string(loc.line);
    if (loc.column > 0) out += ":" + std::to_string(loc.column);
  }
  return out;
}

std::string or_none(std::string_view s) {
  return s.empty() ? "none" : markdown_escape(s);
}

std::string row(std::initializer_list<std::string> cells) {
  std::string out = "|";
  for (const std::string& c : cells)
    out += c.empty() ? " |" : " " + c + " |";
  return out + "\n";
}

std::string hours(double h) {
  return format_hours(h) + " h";
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string counts_text(const Summary& summary) {
  std::string out;
  for (Severity s : kOrder) {
    const int n = summary.of(s);
    if (!out.empty()) out += ", ";
    out += std::to_string(n) + " " + std::string(to_string(s));
    if (s == Severity::blocker && n != 1) out += "s";
  }
  return out;
}

std::string sentence_end(std::string_view text) {
  return text.empty() || text.back() == '.' ? "" : ".";
}

std::string join_escaped(const std::vector<std::string>& items, std::string_view sep = ", ") {
  std::string out;
  for (const std::string& s : items)
    out += (out.empty() ? "" : std::string(sep)) + markdown_escape(s);
  return out;
}

/// "0.21 (policy-engine); 0.27 (observatory, sentinel)".
std::string lines_text(const LinkSet& link) {
  std::string out;
  for (const LineGroup& g : link.lines)
    out += (out.empty() ? "" : "; ") + markdown_escape(g.line) + " (" + join_escaped(g.repos) + ")";
  return out;
}

std::string link_sentence(const LinkSet& link) {
  if (link.lines.empty()) return "No repository of the set uses OpenTelemetry.";
  if (link.linkable)
    return "One binary can hold every repository of the set: all are on " +
           markdown_escape(link.lines.front().line) + ".";
  return "One binary cannot hold the set: it spans " + plural(link.lines.size(), "line", "lines") +
         ": " + lines_text(link) + ".";
}

/// " Not counted: 1 suppressed, 2 baselined.", or nothing when every finding counts.
std::string not_counted(const Summary& s) {
  const std::string other = not_counted_counts(s);
  return other.empty() ? other : " Not counted: " + markdown_escape(other) + ".";
}

std::string summary(const AuditResult& result) {
  const Summary& counts = result.summary;
  const int total = counts.total;
  std::string out = "Target OpenTelemetry line **" + markdown_escape(result.target) +
                    "**, score **" + std::to_string(result.score) + "/100** over " +
                    std::to_string(result.repos.size()) +
                    (result.repos.size() == 1 ? " repository. " : " repositories. ");
  if (total == 0) return out + "No findings." + not_counted(counts) + "\n";
  out += std::to_string(total) + (total == 1 ? " finding: " : " findings: ") + counts_text(counts) +
         "." + not_counted(counts) + " Time to readiness: about **" + hours(result.effort_hours) +
         "** of work.";
  if (result.analysis) out += " " + link_sentence(result.analysis->link);
  out += "\n";
  const CriticalFinding critical = critical_finding(result);
  if (critical.finding) {
    const Finding& f = *critical.finding;
    out += "\n**Critical finding** (" + std::string(to_string(f.severity)) + ", " +
           markdown_escape(f.rule) + ") in " + markdown_escape(critical.repo->name);
    if (const std::string loc = location(f.loc); !loc.empty())
      out += " at " + markdown_code(loc, false);
    out += ": " + markdown_escape(f.message) + sentence_end(f.message);
    if (!f.fix.empty()) out += " Suggested change: " + markdown_fix(f.fix, false) + ".";
    out += "\n";
  }
  return out;
}

/// The verdict's bars and the gate's decision: readiness and the CI outcome, kept apart.
std::string verdict_and_gate(const AuditResult& result) {
  std::string out = "**Verdict:** " + std::string(to_string(result.verdict)) + " (score " +
                    std::to_string(result.score) + "/100, readiness minimum " +
                    std::to_string(result.verdict_min_score) + ", " +
                    plural(static_cast<std::size_t>(result.summary.of(Severity::blocker)),
                           "blocker", "blockers") +
                    "). **Gate:** ";
  if (result.gate.failed)
    out += "failed: " + markdown_escape(gate_reasons(result.gate)) + ".";
  else
    out += "passed.";
  return out + "\n";
}

std::string alignment_table(const AuditResult& result) {
  std::string out = "## Alignment\n\n"
                    "| Repository | OpenTelemetry | Exporter | Tracing bridge | Lockfile | Status "
                    "| Score | Time to readiness |\n|---|---|---|---|---|---|---:|---:|\n";
  for (const RepoResult& r : result.repos)
    out += row({markdown_escape(r.name), r.otel_line ? markdown_escape(*r.otel_line) : "none",
                or_none(r.exporter), or_none(r.bridge), r.has_lockfile ? "yes" : "no",
                std::string(to_string(r.status)), std::to_string(r.score), hours(r.effort_hours)});
  return out;
}

std::string line_or_none(const std::optional<std::string>& line) {
  return line ? markdown_escape(*line) : "none";
}

std::string compatibility_section(const SetAnalysis& a) {
  std::string out = "## Compatibility\n\n";
  if (a.matrix.empty()) {
    out += "No repository of the set depends on another.\n\n";
  } else {
    out += "Every pair where the first repository depends on the second, directly or through the "
           "set. Two repositories link into one binary only when their OpenTelemetry types come "
           "from one line.\n\n"
           "| Dependent | Depends on | Lines | Through | Linkable |\n|---|---|---|---|---|\n";
    for (const CompatPair& c : a.matrix) {
      std::string through = "direct";
      if (!c.direct && c.chain.size() > 2)
        through = join_escaped(std::vector<std::string>(c.chain.begin() + 1, c.chain.end() - 1));
      std::string linkable =
          !c.compatible ? "**no**"
          : (c.from_line && c.to_line)
              ? "yes"
              : "yes (" + markdown_escape(c.from_line ? c.to : c.from) + " has no OpenTelemetry)";
      if (!c.from_line && !c.to_line) linkable = "yes (neither has OpenTelemetry)";
      out += row({markdown_escape(c.from), markdown_escape(c.to),
                  line_or_none(c.from_line) + " / " + line_or_none(c.to_line), through, linkable});
    }
    out += "\n";
  }
  out += link_sentence(a.link);
  if (!a.link.without_otel.empty())
    out += " Without OpenTelemetry: " + join_escaped(a.link.without_otel) + ".";
  return out + "\n";
}

/// A Mermaid node id for each repository: its name with other characters as `_`, numbered
/// when two names meet in one id.
std::map<std::string, std::string> node_ids(const std::vector<std::string>& repos) {
  std::map<std::string, std::string> out;
  std::set<std::string> taken;
  for (const std::string& r : repos) {
    std::string id = "r_";
    for (char c : r)
      id += (std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
    std::string unique = id;
    for (int n = 2; taken.count(unique); ++n)
      unique = id + "_" + std::to_string(n);
    taken.insert(unique);
    out[r] = unique;
  }
  return out;
}

/// Text inside a quoted Mermaid label: quotes and angle brackets as entity codes, controls as
/// spaces, so a repository name cannot end the label or the diagram.
std::string mermaid_label(std::string_view text) {
  std::string out;
  for (char c : display_safe(text, Whitespace::space)) {
    if (c == '"')
      out += "#quot;";
    else if (c == '<')
      out += "#lt;";
    else if (c == '>')
      out += "#gt;";
    else if (c == '`')
      out += "#96;";
    else
      out += c;
  }
  return out;
}

std::string graph_section(const AuditResult& result, const SetAnalysis& a) {
  std::string out = "## Repository graph\n\n";
  if (a.graph.edges.empty()) return out + "No repository of the set depends on another.\n";
  const auto ids = node_ids(a.graph.repos);
  std::map<std::string, const RepoResult*> by_name;
  for (const RepoResult& r : result.repos)
    by_name[r.name] = &r;
  out += "```mermaid\ngraph LR\n";
  std::map<std::string, std::vector<std::string>> classes; // status -> node ids
  for (const std::string& r : a.graph.repos) {
    const RepoResult* rr = by_name.count(r) ? by_name.at(r) : nullptr;
    std::string label = mermaid_label(r);
    if (rr) label += "<br/>" + (rr->otel_line ? mermaid_label(*rr->otel_line) : "no OpenTelemetry");
    out += "  " + ids.at(r) + "[\"" + label + "\"]\n";
    if (rr) classes[std::string(to_string(rr->status))].push_back(ids.at(r));
  }
  std::vector<std::string> styles;
  int index = 0;
  for (const auto& [from, tos] : a.graph.depends_on) {
    for (const std::string& to : tos) {
      const RepoEdge* e = a.graph.first_edge(from, to);
      const std::string via = e && e->via == RepoEdge::Via::path ? "path" : "git";
      // `from` is captured by name: clang 14 (the fuzz build) cannot capture structured bindings.
      auto pair =
          std::find_if(a.matrix.begin(), a.matrix.end(), [&from = from, &to](const CompatPair& c) {
            return c.from == from && c.to == to;
          });
      const bool both = pair != a.matrix.end() && pair->from_line && pair->to_line;
      const bool bad = pair != a.matrix.end() && !pair->compatible;
      out += "  " + ids.at(from) + (both || bad ? " -->" : " -.->") + "|" + via + "| " +
             ids.at(to) + "\n";
      const char* colour = bad ? "#d62728" : both ? "#2ca02c" : "#999999";
      styles.push_back("  linkStyle " + std::to_string(index++) + " stroke:" + colour +
                       ",stroke-width:2px\n");
    }
  }
  for (const std::string& s : styles)
    out += s;
  // Node colours by status, as the alignment table names them.
  static const std::map<std::string, std::string> kFill = {
      {"aligned", "fill:#e3f4e3,stroke:#2ca02c"},
      {"behind", "fill:#fff1d6,stroke:#e69500"},
      {"critical", "fill:#fbe0e0,stroke:#d62728"},
      {"no-otel", "fill:#eeeeee,stroke:#999999"},
  };
  for (const auto& [status, members] : classes) {
    std::string cls = status == "no-otel" ? "no_otel" : status;
    out += "  classDef " + cls + " " + kFill.at(status) + "\n  class ";
    for (std::size_t i = 0; i < members.size(); ++i)
      out += (i ? "," : "") + members[i];
    out += " " + cls + "\n";
  }
  out += "```\n\nEdges: red, the two repositories are on different OpenTelemetry lines and "
         "cannot be linked; green, one line; grey and dashed, one side has no OpenTelemetry. "
         "Repositories: red critical, orange behind, green aligned, grey without OpenTelemetry.";
  if (a.cycles.empty()) {
    out += " No dependency cycles.\n";
  } else {
    out += "\n\nDependency cycles:\n\n";
    for (const Cycle& c : a.cycles)
      out += "- " + markdown_escape(c.text()) + "\n";
  }
  return out;
}

std::string spread_section(const SetAnalysis& a) {
  if (a.spread.empty()) return {};
  std::string out = "## Transitive spread\n\nVersions locked across the set's Cargo.lock files.\n\n"
                    "| Crate | Lowest | Highest | Release lines | Breaking spread |\n"
                    "|---|---|---|---|---|\n";
  for (const SpreadRow& r : a.spread)
    out += row({markdown_escape(r.crate),
                markdown_escape(r.min) + " (" + join_escaped(r.min_repos) + ")",
                markdown_escape(r.max) + " (" + join_escaped(r.max_repos) + ")",
                join_escaped(r.units), r.crosses ? "**yes**" : "no"});
  return out;
}

/// The blockers, high or medium findings of the whole set in one table.
std::string severity_section(const AuditResult& result, Severity severity, std::string_view title) {
  std::vector<std::pair<const RepoResult*, const Finding*>> list;
  double total = 0;
  for (const RepoResult& r : result.repos)
    for (const Finding& f : r.findings)
      if (f.severity == severity && effective(f)) {
        list.emplace_back(&r, &f);
        total += f.effort_hours;
      }
  std::string out = "## " + std::string(title) + "\n\n";
  if (list.empty()) return out + "None.\n";
  out += plural(list.size(), "finding", "findings") + ", about " + hours(total) + ".\n\n" +
         "| Repository | Rule | Location | Finding | Effort |\n|---|---|---|---|---:|\n";
  for (const auto& [r, f] : list)
    out += row({markdown_escape(r->name), markdown_escape(f->rule),
                markdown_code(location(f->loc), true), markdown_escape(f->message),
                hours(f->effort_hours)});
  return out;
}

/// A path as a shell word: in single quotes when it holds anything a shell would read.
std::string shell_word(const std::string& s) {
  bool plain = !s.empty();
  for (char c : s)
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' ||
                      c == '-' || c == '_' || c == '+' || c == ':' || c == '@' || c == '=');
  if (plain) return s;
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// One checklist item per repository in migration order, with its blocker, high and medium
/// findings grouped by rule and fix.
std::string checklist_section(const AuditResult& result, const SetAnalysis& a,
                              const std::string& target) {
  std::string out = "## Migration checklist\n\nDependencies before dependents: a repository is "
                    "migrated after every repository of the set it depends on.\n\n";
  std::map<std::string, const RepoResult*> by_name;
  for (const RepoResult& r : result.repos)
    by_name[r.name] = &r;
  int n = 0;
  for (const MigrationStep& step : a.migration.steps) {
    const RepoResult* r = by_name.count(step.repo) ? by_name.at(step.repo) : nullptr;
    if (!r) continue;
    std::array<std::size_t, 5> counts{};
    for (const Finding& f : r->findings)
      if (effective(f)) ++counts[static_cast<std::size_t>(f.severity)];
    std::string move;
    if (!r->otel_line)
      move = "add OpenTelemetry " + markdown_escape(target);
    else if (*r->otel_line == target)
      move = "on " + markdown_escape(target);
    else
      move = markdown_escape(*r->otel_line) + " → " + markdown_escape(target);
    out += std::to_string(++n) + ". [ ] **" + markdown_escape(r->name) + "**: " + move + ", " +
           std::string(to_string(r->status)) + ", about " + hours(r->effort_hours);
    if (!step.depends_on.empty()) out += "; after " + join_escaped(step.depends_on);
    if (step.in_cycle) out += " (in a dependency cycle)";
    out += "\n";
    // The manifest items `otel-audit fix` changes, for a repository read from a directory.
    const bool fixable = std::any_of(r->findings.begin(), r->findings.end(), [](const Finding& f) {
      return effective(f) && f.severity >= Severity::medium && fix::fix_handles(f.rule);
    });
    if (fixable && r->commit.empty())
      out +=
          "   - [ ] the items marked *fix*: " +
          markdown_code(
              "otel-audit fix " + shell_word(r->path) + " --target " + target + " --write", false) +
          " changes the manifests and lists what it leaves (Cargo.lock, the code); see "
          "docs/fix.md\n";
    // Group by (severity, rule, fix), in severity then report order.
    struct Group {
      Severity severity;
      std::string rule, fix;
      std::vector<const Finding*> findings;
    };
    std::vector<Group> groups;
    for (Severity s : {Severity::blocker, Severity::high, Severity::medium})
      for (const Finding& f : r->findings) {
        if (!effective(f) || f.severity != s) continue;
        auto g = std::find_if(groups.begin(), groups.end(), [&](const Group& x) {
          return x.severity == s && x.rule == f.rule && x.fix == f.fix;
        });
        if (g == groups.end())
          groups.push_back({s, f.rule, f.fix, {&f}});
        else
          g->findings.push_back(&f);
      }
    for (const Group& g : groups) {
      double h = 0;
      for (const Finding* f : g.findings)
        h += f->effort_hours;
      out += "   - [ ] " + markdown_escape(g.rule) + " (" + std::string(to_string(g.severity)) +
             ", " + hours(h) +
             (fixable && r->commit.empty() && fix::fix_handles(g.rule) ? ", *fix*" : "") + ") at ";
      for (std::size_t i = 0; i < g.findings.size() && i < kChecklistLocations; ++i)
        out += (i ? ", " : "") + markdown_code(location(g.findings[i]->loc), false);
      if (g.findings.size() > kChecklistLocations)
        out += " and " + std::to_string(g.findings.size() - kChecklistLocations) + " more";
      out += g.fix.empty() ? std::string(": ") + markdown_escape(g.findings.front()->message)
                           : ": " + markdown_fix(g.fix, false);
      out += "\n";
    }
    const std::size_t rest = counts[static_cast<std::size_t>(Severity::low)] +
                             counts[static_cast<std::size_t>(Severity::info)];
    if (rest > 0)
      out += "   - [ ] " + plural(rest, "low or info finding", "low or info findings") +
             " (see below)\n";
  }
  for (const std::string& note : a.migration.notes)
    out += "\n" + markdown_escape(note) + sentence_end(note) + "\n";
  return out;
}

std::string check_cell(deploy::Check c) {
  switch (c) {
  case deploy::Check::yes:
    return "yes";
  case deploy::Check::no:
    return "**no**";
  case deploy::Check::not_applicable:
    return "n/a";
  }
  return "n/a";
}

std::string deploy_table(const deploy::DeploySummary& d) {
  std::string env = check_cell(d.env_standard);
  if (!d.env_missing.empty()) env += " (missing " + join_escaped(d.env_missing) + ")";
  return "Deployment:\n\n| Collector in path | Jaeger receives OTLP | Standard variables | "
         "Kubernetes pod metadata |\n|---|---|---|---|\n" +
         row({check_cell(d.collector_in_path), check_cell(d.jaeger_otlp), env,
              check_cell(d.k8s_metadata)}) +
         "\n";
}

std::string repo_section(const RepoResult& r, const TextOptions& options) {
  std::string out = "### " + markdown_escape(r.name) + "\n\n";
  if (!r.path.empty()) out += "Path: " + markdown_code(r.path, false) + "\n\n";
  if (!r.rust) out += "No Rust (no Cargo.toml): only its deployment files are audited.\n\n";
  if (r.deploy.applies()) out += deploy_table(r.deploy);
  if (r.findings.empty()) return out + "No findings.\n";
  const std::vector<const Finding*> shown = shown_findings(r, options);
  if (shown.empty())
    return out + "No findings at or above " + std::string(to_string(options.show)) +
           " (see `--show`).\n";
  out += "| Severity | Rule | Location | Finding | Suggested change |\n|---|---|---|---|---|\n";
  for (const Finding* shown_finding : shown) {
    const Finding& f = *shown_finding;
    std::string severity(to_string(f.severity));
    if (f.orphan) severity += " (orphan)";
    if (f.suppressed) severity += " (suppressed)";
    if (f.baselined) severity += " (baselined)";
    out += row({severity, markdown_escape(f.rule), markdown_code(location(f.loc), true),
                markdown_escape(f.message), markdown_fix(f.fix, true)});
  }
  return out;
}

} // namespace

std::string markdown_escape(std::string_view text) {
  static constexpr std::string_view kSpecial = "\\`*_[]<>|~&#!";
  std::string out;
  out.reserve(text.size());
  for (char c : display_safe(text, Whitespace::space)) {
    if (kSpecial.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string markdown_code(std::string_view raw, bool in_table) {
  if (raw.empty()) return "";
  const std::string text = display_safe(raw, Whitespace::space);
  // Inside a table a backslash right before a pipe cannot be written in a code span: GFM
  // renderers disagree on whether `\\|` escapes the backslash or the pipe. Plain escaped text
  // renders the same everywhere.
  if (in_table && text.find("\\|") != std::string_view::npos) return markdown_escape(text);
  std::string body;
  std::size_t run = 0, longest = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
    if (c == '|' && in_table)
      body += "\\|"; // GFM splits cells before it parses code spans
    else
      body += c;
  }
  const std::string fence(longest + 1, '`');
  // A space on each side keeps a leading or trailing backtick off the fence; CommonMark strips it.
  const bool pad = body.front() == '`' || body.back() == '`';
  return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

std::string markdown_fix(std::string_view text, bool in_table) {
  // A code span cannot hold a line break: each manifest entry of the fix is its own span.
  std::string out;
  while (true) {
    const std::size_t nl = text.find('\n');
    out += (out.empty() ? "" : " ") + markdown_code(text.substr(0, nl), in_table);
    if (nl == std::string_view::npos) return out;
    text.remove_prefix(nl + 1);
  }
}

std::string render_markdown(const AuditResult& result) {
  return render_markdown(result, TextOptions{});
}

std::string render_markdown(const AuditResult& result, const TextOptions& options) {
  std::string out = "# OpenTelemetry readiness: " + std::string(to_string(result.verdict)) + "\n\n";
  out += summary(result) + "\n" + verdict_and_gate(result) + "\n";
  out += "Policy: " + markdown_escape(describe(result.policy_source)) + ".\n\n";
  out += alignment_table(result);
  if (result.analysis) {
    out += "\n" + compatibility_section(*result.analysis);
    out += "\n" + graph_section(result, *result.analysis);
    if (std::string spread = spread_section(*result.analysis); !spread.empty())
      out += "\n" + spread;
  }
  out += "\n" + severity_section(result, Severity::blocker, "Blockers");
  out += "\n" + severity_section(result, Severity::high, "High");
  if (options.show <= Severity::medium)
    out += "\n" + severity_section(result, Severity::medium, "Medium");
  if (result.analysis) out += "\n" + checklist_section(result, *result.analysis, result.target);
  out += "\n## Findings by repository\n";
  if (const std::string hidden = hidden_counts(result.summary, options); !hidden.empty())
    out += "\nNot shown: " + markdown_escape(hidden) + ".\n";
  for (const RepoResult& r : result.repos)
    out += "\n" + repo_section(r, options);
  return out;
}

} // namespace otelaudit
