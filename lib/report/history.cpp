#include "report/history.h"

#include <fmt/format.h>

#include <ctime>

#include <nlohmann/json.hpp>

#include "common/display.h"
#include "report/json_text.h"
#include "report/markdown.h"

namespace otelaudit {

namespace {

constexpr Severity kOrder[] = {Severity::blocker, Severity::high, Severity::medium, Severity::low,
                               Severity::info};

std::string date_of(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

int count(const HistoryPoint& p, Severity s) {
  return p.counts[static_cast<std::size_t>(s)];
}

std::string savings(const HistoryResult& h) {
  std::size_t files = h.files_parsed + h.files_reused;
  return fmt::format("{} commits ({} judged, {} with a tree judged before); {} files read, {} "
                     "parsed, {} reused by blob id",
                     h.points.size(), h.points.size() - h.commits_reused, h.commits_reused, files,
                     h.files_parsed, h.files_reused);
}

} // namespace

std::string render_history_text(const HistoryResult& h) {
  std::string out = fmt::format("{}: OpenTelemetry readiness against {}\n\n", display_safe(h.repo),
                                display_safe(h.target));
  out += fmt::format("{:<10} {:<10} {:<6} {:>5} {:<7} {:>7} {:>4} {:>6} {:>3} {:>4}  {}\n",
                     "commit", "date", "line", "score", "verdict", "blocker", "high", "medium",
                     "low", "info", "summary");
  for (const HistoryPoint& p : h.points) {
    std::string summary = display_safe(p.commit.summary);
    if (summary.size() > 60) {
      std::size_t cut = 57;
      while (cut > 0 && (static_cast<unsigned char>(summary[cut]) & 0xC0) == 0x80)
        --cut; // not inside a UTF-8 sequence
      summary = summary.substr(0, cut) + "...";
    }
    if (!p.unaudited.empty()) {
      out += fmt::format("{:<10} {:<10} not audited: {}\n", p.commit.id.substr(0, 10),
                         date_of(p.commit.time), display_safe(p.unaudited));
      continue;
    }
    out += fmt::format("{:<10} {:<10} {:<6} {:>5} {:<7} {:>7} {:>4} {:>6} {:>3} {:>4}  {}\n",
                       p.commit.id.substr(0, 10), date_of(p.commit.time), p.otel_line.value_or("-"),
                       p.score, to_string(p.verdict), count(p, Severity::blocker),
                       count(p, Severity::high), count(p, Severity::medium),
                       count(p, Severity::low), count(p, Severity::info), summary);
  }
  out += "\n" + savings(h) + "\n";
  if (!h.ended.empty()) out += "note: " + display_safe(h.ended) + "\n";
  return out;
}

std::string render_history_json(const HistoryResult& h) {
  using Json = nlohmann::ordered_json;
  Json j = Json::object();
  j["schema"] = "otel-audit-history/v1";
  j["repo"] = h.repo;
  j["target"] = h.target;
  j["commits"] = Json::array();
  for (const HistoryPoint& p : h.points) {
    Json c = Json::object();
    c["commit"] = p.commit.id;
    c["date"] = date_of(p.commit.time);
    c["time"] = p.commit.time;
    c["summary"] = p.commit.summary;
    c["otel_line"] = p.otel_line ? Json(*p.otel_line) : Json(nullptr);
    c["score"] = p.score;
    c["verdict"] = to_string(p.verdict);
    Json counts = Json::object();
    for (Severity s : kOrder)
      counts[std::string(to_string(s))] = count(p, s);
    c["findings"] = counts;
    c["reused"] = p.reused;
    c["unaudited"] = p.unaudited.empty() ? Json(nullptr) : Json(p.unaudited);
    j["commits"].push_back(c);
  }
  j["ended"] = h.ended.empty() ? Json(nullptr) : Json(h.ended);
  j["memo"] = {{"files_parsed", h.files_parsed},
               {"files_reused", h.files_reused},
               {"commits_reused", h.commits_reused}};
  return json_text(j) + "\n";
}

std::string render_history_markdown(const HistoryResult& h) {
  std::string out = fmt::format(
      "# OpenTelemetry readiness of {} over time\n\nTarget line **{}**.\n\n", h.repo, h.target);
  out += "| Commit | Date | OpenTelemetry | Score | Verdict | Blocker | High | Medium | Low | Info "
         "|\n|---|---|---|---:|---|---:|---:|---:|---:|---:|\n";
  for (const HistoryPoint& p : h.points) {
    if (!p.unaudited.empty()) {
      out += fmt::format("| `{}` | {} | not audited | | | | | | | |\n", p.commit.id.substr(0, 10),
                         date_of(p.commit.time));
      continue;
    }
    out += fmt::format(
        "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", p.commit.id.substr(0, 10),
        date_of(p.commit.time), p.otel_line.value_or("none"), p.score, to_string(p.verdict),
        count(p, Severity::blocker), count(p, Severity::high), count(p, Severity::medium),
        count(p, Severity::low), count(p, Severity::info));
  }
  out += "\n" + savings(h) + ".\n";
  for (const HistoryPoint& p : h.points)
    if (!p.unaudited.empty())
      out += "\nCommit `" + p.commit.id.substr(0, 10) +
             "` was not audited: " + markdown_escape(p.unaudited) + ".\n";
  if (!h.ended.empty()) out += "\nNote: " + markdown_escape(h.ended) + ".\n";
  return out;
}

} // namespace otelaudit
