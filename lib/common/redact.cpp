#include "common/redact.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>
#include <vector>

namespace otelaudit {

namespace {

using Span = std::pair<std::size_t, std::size_t>; // [begin, end) of a secret

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_scheme_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '.' || c == '-';
}

bool is_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
         c == '[' || c == ']' || c == '_' || c == '%';
}

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

// Where a URL written in free text ends: at blank space, a quote or a bracket that closes it.
bool ends_url(char c) {
  return is_space(c) || c == '"' || c == '\'' || c == '`' || c == '<' || c == '>' || c == '(' ||
         c == ')' || c == '{' || c == '}' || c == '\\';
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

bool contains_icase(std::string_view s, std::string_view word) {
  for (std::size_t i = 0; i + word.size() <= s.size(); ++i)
    if (starts_with_icase(s.substr(i), word)) return true;
  return false;
}

// A name whose value is a secret: an environment variable, a YAML or TOML key, a header.
bool credential_name(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kWords{
      "token",   "password",   "passwd",      "secret",     "api_key",       "apikey",
      "api-key", "access_key", "private_key", "credential", "authorization", "_headers"};
  return std::any_of(kWords.begin(), kWords.end(),
                     [&](std::string_view w) { return contains_icase(name, w); });
}

// The userinfo of the URL whose `://` is at `sep` in `text`, or nullopt-like {0, 0}: from
// after `://` to the last `@` of the URL that is followed by a host. A userinfo with a `/` and
// no `:` is a path holding an `@` (`https://host/pkg@1.0`), not a credential.
Span userinfo_at(std::string_view text, std::size_t sep, bool whole) {
  const std::size_t start = sep + 3;
  std::size_t end = whole ? text.size() : start;
  while (end < text.size() && !ends_url(text[end]))
    ++end;
  for (std::size_t at = text.rfind('@', end == 0 ? 0 : end - 1);
       at != std::string_view::npos && at >= start;
       at = at == 0 ? std::string_view::npos : text.rfind('@', at - 1)) {
    std::size_t host_end = at + 1;
    while (host_end < end && is_host_char(text[host_end]))
      ++host_end;
    const bool host = host_end > at + 1 && (host_end == end || text[host_end] == '/' ||
                                            text[host_end] == '?' || text[host_end] == '#');
    if (!host) continue;
    const std::string_view info = text.substr(start, at - start);
    if (info.empty() || info == "git") return {0, 0};
    if (info.find('/') != std::string_view::npos && info.find(':') == std::string_view::npos)
      return {0, 0};
    return {start, at};
  }
  return {0, 0};
}

// The userinfo of every URL in `text`; with `whole`, `text` is one URL, and its userinfo may hold
// anything, blanks and quotes included.
void url_secrets(std::string_view text, std::vector<Span>& out, bool whole = false) {
  for (std::size_t sep = text.find("://"); sep != std::string_view::npos;
       sep = text.find("://", sep + 3)) {
    if (sep == 0 || !is_scheme_char(text[sep - 1])) continue;
    if (Span s = userinfo_at(text, sep, whole); s.second > s.first) out.push_back(s);
    if (whole) break;
  }
}

// `NAME=value`, `NAME: value`, `"NAME" = "value"`: the value after a credential-shaped name.
void named_secrets(std::string_view text, std::vector<Span>& out) {
  for (std::size_t i = 0; i < text.size();) {
    if (!is_name_char(text[i]) || (i > 0 && is_name_char(text[i - 1]))) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && is_name_char(text[j]))
      ++j;
    const std::string_view name = text.substr(i, j - i);
    i = j;
    if (!credential_name(name)) continue;
    std::size_t k = j;
    if (k < text.size() && (text[k] == '"' || text[k] == '\'')) ++k;
    while (k < text.size() && (text[k] == ' ' || text[k] == '\t'))
      ++k;
    if (k >= text.size() || (text[k] != '=' && text[k] != ':')) continue;
    // Before a colon, a word of lower-case prose ("no secret: …") is no setting's name.
    if (text[k] == ':' && k == j && std::none_of(name.begin(), name.end(), [](char c) {
          return c == '_' || c == '-' || (c >= 'A' && c <= 'Z');
        }))
      continue;
    ++k;
    while (k < text.size() && (text[k] == ' ' || text[k] == '\t'))
      ++k;
    char quote = 0;
    if (k < text.size() && (text[k] == '"' || text[k] == '\'')) quote = text[k++];
    std::size_t end = k;
    while (end < text.size() && text[end] != '\n' && text[end] != '\r' &&
           (quote
                ? text[end] != quote
                : !is_space(text[end]) && text[end] != ',' && text[end] != ';' && text[end] != '`'))
      ++end;
    if (end == k || text[k] == '$') continue; // empty, or a reference to another setting
    out.push_back({k, end});
    i = end;
  }
}

// `Bearer <token>`, `Basic <credentials>`: an authorization header's value quoted anywhere.
void scheme_secrets(std::string_view text, std::vector<Span>& out) {
  for (std::string_view word : {std::string_view("bearer"), std::string_view("basic")}) {
    for (std::size_t i = 0; i + word.size() + 1 < text.size(); ++i) {
      if ((i > 0 && is_name_char(text[i - 1])) || !starts_with_icase(text.substr(i), word))
        continue;
      std::size_t k = i + word.size();
      if (text[k] != ' ' && text[k] != '=' && text[k] != '%') continue;
      if (text[k] == '%' && text.compare(k, 3, "%20") == 0) k += 2;
      ++k;
      std::size_t end = k;
      while (end < text.size() && !is_space(text[end]) && text[end] != '"' && text[end] != '\'' &&
             text[end] != ',' && text[end] != ';' && text[end] != '`')
        ++end;
      if (end > k && text[k] != '$') out.push_back({k, end});
    }
  }
}

std::string apply(std::string_view text, std::vector<Span> spans, Redaction how) {
  if (spans.empty()) return std::string(text);
  std::sort(spans.begin(), spans.end());
  std::string out;
  std::size_t at = 0;
  for (auto [begin, end] : spans) {
    begin = std::max(begin, at);
    if (end <= begin) continue;
    out.append(text, at, begin - at);
    if (how == Redaction::stars)
      out += "***";
    else
      out.append(end - begin, '*');
    at = end;
  }
  out.append(text, at, std::string_view::npos);
  return out;
}

} // namespace

std::string redact_secrets(std::string_view text, Redaction how) {
  if (text.find_first_of("@=:") == std::string_view::npos && !contains_icase(text, "bearer ") &&
      !contains_icase(text, "basic "))
    return std::string(text);
  std::vector<Span> spans;
  url_secrets(text, spans);
  named_secrets(text, spans);
  scheme_secrets(text, spans);
  return apply(text, std::move(spans), how);
}

std::string redact_url(std::string_view url) {
  if (url.find("://") == std::string_view::npos) {
    // scp-like user@host:path: a `user:password` form holds a secret, a user alone does not.
    const std::size_t at = url.rfind('@');
    if (at != std::string_view::npos && url.substr(0, at).find(':') != std::string_view::npos &&
        url.find(':', at) != std::string_view::npos)
      return "***" + std::string(url.substr(at));
    return std::string(url);
  }
  std::vector<Span> spans;
  url_secrets(url, spans, true);
  return apply(url, std::move(spans), Redaction::stars);
}

std::string url_secret(std::string_view url) {
  std::vector<Span> spans;
  if (url.find("://") == std::string_view::npos) {
    const std::size_t at = url.rfind('@');
    if (at != std::string_view::npos) spans.push_back({0, at});
  } else {
    url_secrets(url, spans, true);
  }
  if (spans.empty()) return "";
  const std::string_view info =
      url.substr(spans.front().first, spans.front().second - spans.front().first);
  const std::size_t colon = info.find(':');
  return std::string(colon == std::string_view::npos ? info : info.substr(colon + 1));
}

} // namespace otelaudit
