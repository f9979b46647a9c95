#include "report/markdown.h"

#include <algorithm>
#include <array>

namespace otelaudit {

namespace {

constexpr std::array kOrder{Severity::blocker, Severity::high, Severity::medium, Severity::low,
                            Severity::info};

bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F;
}

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

std::string counts_text(const std::array<std::size_t, 5>& counts) {
  std::string out;
  for (Severity s : kOrder) {
    const std::size_t n = counts[static_cast<std::size_t>(s)];
    if (!out.empty()) out += ", ";
    out += std::to_string(n) + " " + std::string(to_string(s));
    if (s == Severity::blocker && n != 1) out += "s";
  }
  return out;
}

std::string sentence_end(std::string_view text) {
  return text.empty() || text.back() == '.' ? "" : ".";
}

std::string summary(const AuditResult& result) {
  std::array<std::size_t, 5> counts{};
  std::size_t total = 0;
  const Finding* worst = nullptr;
  const RepoResult* worst_repo = nullptr;
  for (const RepoResult& r : result.repos) {
    for (const Finding& f : r.findings) {
      ++counts[static_cast<std::size_t>(f.severity)];
      ++total;
      if (!worst || f.severity > worst->severity) {
        worst = &f;
        worst_repo = &r;
      }
    }
  }

  std::string out = "Target OpenTelemetry line **" + markdown_escape(result.target) +
                    "**, score **" + std::to_string(result.score) + "/100** over " +
                    std::to_string(result.repos.size()) +
                    (result.repos.size() == 1 ? " repository. " : " repositories. ");
  if (!worst) return out + "No findings.\n";
  out += std::to_string(total) + (total == 1 ? " finding: " : " findings: ") + counts_text(counts) +
         ". The most severe finding (" + std::string(to_string(worst->severity)) + ", " +
         markdown_escape(worst->rule) + ") is in " + markdown_escape(worst_repo->name);
  if (const std::string loc = location(worst->loc); !loc.empty())
    out += " at " + markdown_code(loc, false);
  out += ": " + markdown_escape(worst->message) + sentence_end(worst->message) + "\n";
  return out;
}

std::string alignment_table(const AuditResult& result) {
  std::string out = "| Repository | OpenTelemetry | Exporter | Tracing bridge | Lockfile | Status "
                    "| Score |\n|---|---|---|---|---|---|---:|\n";
  for (const RepoResult& r : result.repos)
    out += row({markdown_escape(r.name), r.otel_line ? markdown_escape(*r.otel_line) : "none",
                or_none(r.exporter), or_none(r.bridge), r.has_lockfile ? "yes" : "no",
                std::string(to_string(r.status)), std::to_string(r.score)});
  return out;
}

std::string repo_section(const RepoResult& r) {
  std::string out = "## " + markdown_escape(r.name) + "\n\n";
  if (!r.path.empty()) out += "Path: " + markdown_code(r.path, false) + "\n\n";
  if (r.findings.empty()) return out + "No findings.\n";
  out += "| Severity | Rule | Location | Finding | Suggested change |\n|---|---|---|---|---|\n";
  for (const Finding& f : r.findings)
    out += row({std::string(to_string(f.severity)), markdown_escape(f.rule),
                markdown_code(location(f.loc), true), markdown_escape(f.message),
                markdown_code(f.fix, true)});
  return out;
}

} // namespace

std::string markdown_escape(std::string_view text) {
  static constexpr std::string_view kSpecial = "\\`*_[]<>|~&#!";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (is_control(c)) {
      out += ' ';
    } else {
      if (kSpecial.find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
  }
  return out;
}

std::string markdown_code(std::string_view text, bool in_table) {
  if (text.empty()) return "";
  // Inside a table a backslash right before a pipe cannot be written in a code span: GFM
  // renderers disagree on whether `\\|` escapes the backslash or the pipe. Plain escaped text
  // renders the same everywhere.
  if (in_table && text.find("\\|") != std::string_view::npos) return markdown_escape(text);
  std::string body;
  std::size_t run = 0, longest = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
    if (is_control(c))
      body += ' ';
    else if (c == '|' && in_table)
      body += "\\|"; // GFM splits cells before it parses code spans
    else
      body += c;
  }
  const std::string fence(longest + 1, '`');
  // A space on each side keeps a leading or trailing backtick off the fence; CommonMark strips it.
  const bool pad = body.front() == '`' || body.back() == '`';
  return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

std::string render_markdown(const AuditResult& result) {
  std::string out = "# OpenTelemetry readiness: " + std::string(to_string(result.verdict)) + "\n\n";
  out += summary(result) + "\n";
  out += alignment_table(result);
  for (const RepoResult& r : result.repos)
    out += "\n" + repo_section(r);
  return out;
}

} // namespace otelaudit
