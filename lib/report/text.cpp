#include "report/text.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "common/display.h"
#include "graph/analysis.h"
#include "report/view.h"
#include "score/score.h"

namespace otelaudit {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD
constexpr std::size_t kTabWidth = 4;                      // as rustc shows tabs

// One character of a line: its bytes, or an invalid byte standing for itself.
struct Unit {
  std::string_view bytes;
  bool valid = true;
  bool unsafe = false; // a control or format character, shown escaped (common/display.h)
};

std::vector<Unit> split_units(std::string_view s) {
  std::vector<Unit> units;
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t len = utf8_sequence(s, i, cp);
    if (len == 0) {
      units.push_back({s.substr(i, 1), false});
      ++i;
    } else {
      units.push_back({s.substr(i, len), true, is_unsafe_code_point(cp)});
      i += len;
    }
  }
  return units;
}

bool is_char(const Unit& u, char c) {
  return u.valid && u.bytes.size() == 1 && u.bytes[0] == c;
}

bool is_word(const Unit& u) {
  if (!u.valid || u.bytes.size() != 1) return false;
  const char c = u.bytes[0];
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

// How a unit of a source line is shown: a tab as spaces, a control escaped, bytes that are not
// UTF-8 as U+FFFD.
std::string shown_unit(const Unit& u) {
  if (is_char(u, '\t')) return std::string(kTabWidth, ' ');
  if (!u.valid) return std::string(kReplacement);
  return u.unsafe ? display_safe(u.bytes, Whitespace::escape) : std::string(u.bytes);
}

// Terminal cells a unit takes as shown: an escape takes one per character.
std::size_t cells(const Unit& u) {
  return u.unsafe ? shown_unit(u).size() : is_char(u, '\t') ? kTabWidth : 1;
}

// Messages, names and paths on one line: whitespace controls become spaces, anything else that
// could steer the terminal is shown escaped.
std::string inline_text(std::string_view s) {
  return display_safe(s, Whitespace::space);
}

// Line `number` (1-based) of `text`, without its line ending; nullopt past the end.
std::optional<std::string_view> source_line(std::string_view text, int number) {
  if (number < 1) return std::nullopt;
  std::size_t start = 0;
  for (int n = 1; n < number; ++n) {
    const std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return std::nullopt;
    start = nl + 1;
  }
  if (start >= text.size() && number > 1) return std::nullopt; // past a final newline
  std::size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  std::string_view line = text.substr(start, end - start);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// ANSI styles, all empty when colour is off so the layout code never branches on it.
struct Palette {
  std::string_view reset, bold, gutter, go, no_go;
  std::array<std::string_view, 5> severity; // indexed by Severity

  explicit Palette(bool color) {
    if (!color) return;
    reset = "\x1b[0m";
    bold = "\x1b[1m";
    gutter = "\x1b[1;34m";
    go = "\x1b[1;32m";
    no_go = "\x1b[1;31m";
    severity = {"\x1b[1;32m", "\x1b[1;36m", "\x1b[1;33m", "\x1b[1;31m", "\x1b[1;35m"};
  }

  std::string_view of(Severity s) const { return severity[static_cast<std::size_t>(s)]; }
  std::string paint(std::string_view style, std::string_view text) const {
    if (style.empty()) return std::string(text);
    std::string out(style);
    out += text;
    out += reset;
    return out;
  }
};

std::string_view status_style(RepoStatus s, const Palette& p) {
  switch (s) {
  case RepoStatus::aligned:
    return p.go;
  case RepoStatus::behind:
    return p.of(Severity::medium);
  case RepoStatus::critical:
    return p.no_go;
  case RepoStatus::no_otel:
    return p.bold;
  }
  return p.bold;
}

std::string heading(const RepoResult& repo, const Palette& p) {
  std::string out = p.paint(p.bold, inline_text(repo.name));
  if (!repo.path.empty()) out += " (" + inline_text(repo.path) + ")";
  out += ": " + p.paint(status_style(repo.status, p), to_string(repo.status));
  out += ", score " + std::to_string(repo.score) + "/100, ";
  if (!repo.rust) return out + "no Rust (no Cargo.toml): only its deployment files are audited\n";
  out += repo.otel_line ? "OpenTelemetry " + inline_text(*repo.otel_line) : "no OpenTelemetry";
  out += repo.has_lockfile ? ", Cargo.lock present"
                           : ", no Cargo.lock: audited from requirements alone";
  return out + "\n";
}

std::string finding_text(const RepoResult& repo, const Finding& f, const Palette& p) {
  std::string out = p.paint(p.of(f.severity),
                            std::string(to_string(f.severity)) + "[" + inline_text(f.rule) + "]");
  out += p.paint(p.bold, ": " + inline_text(f.message)) + "\n";

  const std::string number = f.loc.line > 0 ? std::to_string(f.loc.line) : "";
  const std::string pad(number.empty() ? 1 : number.size(), ' ');
  std::string where = inline_text(repo.name);
  if (!f.loc.file.empty()) where += "/" + inline_text(f.loc.file);
  if (f.loc.line > 0) {
    where += ":" + number;
    if (f.loc.column > 0) where += ":" + std::to_string(f.loc.column);
  }
  out += pad + p.paint(p.gutter, "-->") + " " + where + "\n";

  std::optional<std::string_view> line;
  if (auto src = repo.sources.find(f.loc.file); src != repo.sources.end())
    line = source_line(src->second, f.loc.line);
  if (line) {
    out += pad + " " + p.paint(p.gutter, "|") + "\n";
    const std::string shown = display_line(*line);
    out += p.paint(p.gutter, number + " |") + (shown.empty() ? "" : " " + shown) + "\n";
    if (f.loc.column > 0) {
      const CaretSpan span = caret_span(*line, f.loc.column);
      out += pad + " " + p.paint(p.gutter, "|") + " " + std::string(span.offset, ' ') +
             p.paint(p.of(f.severity), std::string(span.width, '^')) + "\n";
    }
  }
  if (!f.fix.empty()) {
    // A fix of several manifest entries is one per line, as it is to be written.
    std::string_view rest = f.fix;
    std::string_view lead = " fix: ";
    while (true) {
      const std::size_t nl = rest.find('\n');
      out += pad + " " + p.paint(p.gutter, "=") + std::string(lead) +
             inline_text(rest.substr(0, nl)) + "\n";
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
      lead = "      ";
    }
  }
  // What makes the finding count for less than its severity says.
  if (f.orphan)
    out += pad + " " + p.paint(p.gutter, "=") +
           " note: in a file no crate root reaches (not compiled), so only info\n";
  if (f.suppressed)
    out += pad + " " + p.paint(p.gutter, "=") + " note: suppressed" +
           (f.suppression.empty() ? std::string() : ": " + inline_text(f.suppression)) +
           "; not counted for the score or the gate\n";
  if (f.baselined)
    out += pad + " " + p.paint(p.gutter, "=") +
           " note: already in the baseline; not counted for the score or the gate\n";
  return out;
}

std::string count_of(int n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// The effective findings of each rule, most severe rules first (then by count, then id): what
// to look at, as a table whose columns are the severities.
std::string rule_table_text(const Summary& summary, const Palette& p) {
  struct Row {
    std::string rule;
    std::array<int, 5> counts;
    int total = 0;
    int highest = 0;
  };
  std::vector<Row> rows;
  std::size_t width = 4;
  for (const auto& [rule, counts] : summary.by_rule) {
    Row r{rule, counts};
    for (int i = 0; i < 5; ++i) {
      r.total += counts[static_cast<std::size_t>(i)];
      if (counts[static_cast<std::size_t>(i)] > 0) r.highest = i;
    }
    width = std::max(width, rule.size());
    rows.push_back(std::move(r));
  }
  if (rows.empty()) return {};
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    if (a.highest != b.highest) return a.highest > b.highest;
    if (a.total != b.total) return a.total > b.total;
    return a.rule < b.rule;
  });
  auto cell = [](const std::string& text, std::size_t w) {
    return std::string(w > text.size() ? w - text.size() : 0, ' ') + text;
  };
  const std::array<Severity, 5> order{Severity::blocker, Severity::high, Severity::medium,
                                      Severity::low, Severity::info};
  std::string out = p.paint(p.bold, "findings by rule:") + "\n  rule" + std::string(width - 4, ' ');
  for (Severity s : order)
    out += "  " + std::string(to_string(s));
  out += "\n";
  for (const Row& r : rows) {
    out += "  " + inline_text(r.rule) + std::string(width - r.rule.size(), ' ');
    for (Severity s : order) {
      const int n = r.counts[static_cast<std::size_t>(s)];
      out += "  " + cell(n == 0 ? "." : std::to_string(n), to_string(s).size());
    }
    out += "\n";
  }
  return out;
}

// The one finding to start with (critical_finding) and its fix, on one line.
std::string fix_first(const AuditResult& result, const Palette& p) {
  const CriticalFinding c = critical_finding(result);
  if (!c.finding) return {};
  const Finding& f = *c.finding;
  std::string where = inline_text(c.repo->name);
  if (!f.loc.file.empty()) where += "/" + inline_text(f.loc.file);
  if (f.loc.line > 0) where += ":" + std::to_string(f.loc.line);
  std::string out = p.paint(p.bold, "fix first:") + " " +
                    p.paint(p.of(f.severity),
                            std::string(to_string(f.severity)) + "[" + inline_text(f.rule) + "]") +
                    " at " + where + ": " + inline_text(f.message);
  if (!f.fix.empty()) out += " (fix: " + inline_text(f.fix) + ")";
  return out + "\n";
}

} // namespace

/// `line` without a leading byte order mark: the lexer and the TOML reader skip it, so it is
/// no column, and a terminal shows it as nothing.
static std::string_view without_bom(std::string_view line) {
  return line.starts_with("\xEF\xBB\xBF") ? line.substr(3) : line;
}

std::string display_line(std::string_view line) {
  line = without_bom(line);
  std::string out;
  out.reserve(line.size());
  for (const Unit& u : split_units(line))
    out += shown_unit(u);
  return out;
}

CaretSpan caret_span(std::string_view line, int column) {
  const std::vector<Unit> units = split_units(without_bom(line));
  const std::size_t start = column > 1 ? static_cast<std::size_t>(column - 1) : 0;
  CaretSpan span;
  for (std::size_t i = 0; i < start && i < units.size(); ++i)
    span.offset += cells(units[i]);
  if (start >= units.size()) return span;

  std::size_t end = start + 1;
  if (is_char(units[start], '"')) {
    end = units.size(); // an unterminated string runs to the end of the line
    for (std::size_t i = start + 1; i < units.size(); ++i) {
      if (is_char(units[i], '\\')) {
        ++i;
      } else if (is_char(units[i], '"')) {
        end = i + 1;
        break;
      }
    }
  } else if (is_word(units[start])) {
    while (end < units.size() && is_word(units[end]))
      ++end;
  }
  span.width = 0;
  for (std::size_t i = start; i < end; ++i)
    span.width += cells(units[i]);
  return span;
}

std::string render_text(const AuditResult& result, const TextOptions& options) {
  const Palette p(options.color);
  const Summary& summary = result.summary;
  std::string out;
  for (const RepoResult& repo : result.repos) {
    out += heading(repo, p) + "\n";
    const std::vector<const Finding*> shown = shown_findings(repo, options);
    if (repo.findings.empty())
      out += "  no findings\n\n";
    else if (shown.empty())
      out += "  no findings shown\n\n";
    for (const Finding* f : shown)
      out += finding_text(repo, *f, p) + "\n";
  }

  if (result.analysis) {
    const SetAnalysis& a = *result.analysis;
    std::string pairs;
    for (const CompatPair& c : a.matrix)
      if (!c.compatible)
        pairs += (pairs.empty() ? "" : ", ") + inline_text(c.from) + " -> " + inline_text(c.to) +
                 " (" + inline_text(c.from_line.value_or("")) + " / " +
                 inline_text(c.to_line.value_or("")) + ")";
    if (!a.link.linkable) {
      std::string lines;
      for (const LineGroup& g : a.link.lines)
        lines += (lines.empty() ? "" : ", ") + inline_text(g.line);
      out += p.paint(p.bold, "links:") + " one binary cannot hold the set (lines " + lines + ")";
      out += pairs.empty() ? "\n" : "; cannot be linked: " + pairs + "\n";
    }
    if (!a.cycles.empty()) {
      out += p.paint(p.bold, "cycles:");
      for (const Cycle& c : a.cycles)
        out += " " + inline_text(c.text());
      out += "\n";
    }
    if (a.migration.steps.size() > 1) {
      std::string order;
      for (const MigrationStep& m : a.migration.steps)
        order += (order.empty() ? "" : ", ") + inline_text(m.repo);
      out += p.paint(p.bold, "migration order:") + " " + order + "\n";
    }
  }

  out += rule_table_text(summary, p);
  out += fix_first(result, p);
  out += p.paint(p.bold, "summary:") + " " +
         count_of(static_cast<int>(result.repos.size()), "repository", "repositories") + ", ";
  if (summary.total == 0) {
    out += "no findings";
  } else {
    out += count_of(summary.total, "finding", "findings") + " (";
    const std::array<Severity, 5> order{Severity::blocker, Severity::high, Severity::medium,
                                        Severity::low, Severity::info};
    for (std::size_t i = 0; i < order.size(); ++i) {
      const int n = summary.of(order[i]);
      if (i > 0) out += ", ";
      out += order[i] == Severity::blocker
                 ? count_of(n, "blocker", "blockers")
                 : std::to_string(n) + " " + std::string(to_string(order[i]));
    }
    out += "), about " + format_hours(result.effort_hours) + " h to readiness";
  }
  if (const std::string hidden = hidden_counts(summary, options); !hidden.empty())
    out += "; not shown: " + hidden;
  out += "\n";
  // The findings that do not count, on a line of their own, with the flag that shows them.
  if (const std::string other = not_counted_counts(summary); !other.empty())
    out += p.paint(p.bold, "not counted:") + " " + other +
           (summary.suppressed + summary.baselined > 0 && !options.show_suppressed
                ? " (shown with --show-suppressed)"
                : "") +
           "\n";
  out += p.paint(p.bold, "policy:") + " " + inline_text(describe(result.policy_source)) + "\n";

  const bool go = result.verdict == Verdict::go;
  out +=
      p.paint(p.bold, "verdict:") + " " + p.paint(go ? p.go : p.no_go, to_string(result.verdict));
  out += " (score " + std::to_string(result.score) + "/100, readiness minimum " +
         std::to_string(result.verdict_min_score) + ", target " + inline_text(result.target) +
         ", " + count_of(summary.of(Severity::blocker), "blocker", "blockers") + ")\n";
  // The exit code's decision, apart from the verdict: a CI log's last line says why it failed.
  out += p.paint(p.bold, "gate:") + " " +
         (result.gate.failed ? p.paint(p.no_go, "FAILED") + " \xE2\x80\x94 " +
                                   inline_text(gate_reasons(result.gate))
                             : p.paint(p.go, "passed")) +
         "\n";
  return out;
}

} // namespace otelaudit
