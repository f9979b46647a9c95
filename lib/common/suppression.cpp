#include "common/suppression.h"

namespace otelaudit {

namespace {

bool blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && blank(v.front()))
    v.remove_prefix(1);
  while (!v.empty() && blank(v.back()))
    v.remove_suffix(1);
  return v;
}

} // namespace

std::optional<InlineAllow> parse_allow(std::string_view s) {
  s = trim(s);
  constexpr std::string_view kPrefix = "otel-audit:";
  if (!s.starts_with(kPrefix)) return std::nullopt;
  s = trim(s.substr(kPrefix.size()));
  if (!s.starts_with("allow")) return std::nullopt;
  s = trim(s.substr(5));
  if (!s.starts_with('(')) return std::nullopt;
  s.remove_prefix(1);
  const std::size_t close = s.find(')');
  if (close == std::string_view::npos) return std::nullopt;
  InlineAllow allow;
  std::string_view list = s.substr(0, close);
  while (true) {
    const std::size_t comma = list.find(',');
    const std::string_view rule = trim(list.substr(0, comma));
    if (!rule.empty()) allow.rules.emplace_back(rule);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (allow.rules.empty()) return std::nullopt;
  allow.reason = std::string(trim(s.substr(close + 1)));
  return allow;
}

std::vector<InlineAllow> manifest_allows(const std::string& file, std::string_view text) {
  std::vector<InlineAllow> out;
  int line = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    ++line;
    const std::string_view l = text.substr(pos, end - pos);
    // The first `#` starts the comment (a `#` inside a string value is not looked into).
    if (const std::size_t hash = l.find('#'); hash != std::string_view::npos) {
      std::string_view comment = l.substr(hash);
      while (comment.starts_with('#'))
        comment.remove_prefix(1);
      if (auto allow = parse_allow(comment)) {
        allow->loc = Location{file, line, static_cast<int>(hash) + 1};
        out.push_back(std::move(*allow));
      }
    }
    pos = end + 1;
  }
  return out;
}

} // namespace otelaudit
