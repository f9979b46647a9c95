#include "report/github.h"

#include <fmt/format.h>

#include "common/display.h"
#include "score/score.h"

namespace otelaudit {

namespace {

/// `file` as a path from the directory the tool ran in: the repository path, then the file.
std::string annotated_path(const std::string& repo_path, const std::string& file) {
  std::string base = repo_path;
  while (base.size() > 2 && base.compare(0, 2, "./") == 0)
    base.erase(0, 2);
  if (base == "." || base == "./") base.clear();
  if (base.empty()) return file;
  if (base.back() != '/') base += '/';
  return base + file;
}

} // namespace

std::string_view github_command(Severity s) {
  switch (s) {
  case Severity::blocker:
  case Severity::high:
    return "error";
  case Severity::medium:
    return "warning";
  case Severity::low:
  case Severity::info:
    return "notice";
  }
  return "notice";
}

std::string github_escape_data(std::string_view text) {
  std::string out;
  for (char c : display_safe(text, Whitespace::lines)) {
    switch (c) {
    case '%':
      out += "%25";
      break;
    case '\r':
      out += "%0D";
      break;
    case '\n':
      out += "%0A";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string github_escape_property(std::string_view text) {
  std::string out;
  for (char c : github_escape_data(text)) {
    switch (c) {
    case ':':
      out += "%3A";
      break;
    case ',':
      out += "%2C";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string render_github(const AuditResult& result) {
  std::string out;
  for (const RepoResult& repo : result.repos) {
    for (const Finding& f : repo.findings) {
      if (f.suppressed || f.baselined) continue;
      std::string props = "file=" + github_escape_property(annotated_path(repo.path, f.loc.file));
      if (f.loc.line > 0) {
        props += fmt::format(",line={}", f.loc.line);
        if (f.loc.column > 0) props += fmt::format(",col={}", f.loc.column);
      }
      props += ",title=" + github_escape_property(f.rule);
      const std::string message =
          f.fix.empty() ? f.message : f.message + " Suggested change: " + f.fix;
      out += fmt::format("::{} {}::{}\n", github_command(f.severity), props,
                         github_escape_data(message));
    }
  }
  std::string counts = fmt::format("score {}", result.score);
  if (result.summary.baselined > 0)
    counts += fmt::format(", {} baselined", result.summary.baselined);
  if (result.summary.suppressed > 0)
    counts += fmt::format(", {} suppressed", result.summary.suppressed);
  if (result.summary.allowed > 0)
    counts += fmt::format(", {} allowed by -A", result.summary.allowed);
  out += fmt::format("::notice::otel-audit verdict {} ({})\n", to_string(result.verdict),
                     github_escape_data(counts));
  // The job's outcome last, as an error when it fails, so the run's annotations say why.
  if (result.gate.failed)
    out +=
        "::error::otel-audit gate failed: " + github_escape_data(gate_reasons(result.gate)) + "\n";
  else
    out += "::notice::otel-audit gate passed\n";
  return out;
}

} // namespace otelaudit
