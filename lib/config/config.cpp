#include "config/config.h"

#include "common/paths.h"

#include "common/toml_guard.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <toml++/toml.h>

#include "rules/rule_table.h"

namespace otelaudit {

namespace {

constexpr std::string_view kRule = "config-invalid";

// Collects errors for one file; every check reports here and goes on, so the user sees
// all problems of the file at once.
struct Ctx {
  std::string file;
  std::vector<Diagnostic> errors;

  Location at(const toml::source_region& r) const {
    return Location{file, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
  }
  void error(const toml::source_region& r, std::string message) {
    errors.push_back(Diagnostic{std::string(kRule), at(r), std::move(message)});
  }
};

// Keys and values come from the user's file and may hold quotes or control characters;
// escaping keeps each message on one line and unambiguous.
std::string quote_str(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// " (did you mean "x"?)" for the closest candidate within two edits, else "".
template <typename Range>
std::string suggestion(std::string_view word, const Range& candidates) {
  std::string_view best;
  std::size_t best_distance = 3;
  for (std::string_view c : candidates) {
    // Long inputs cannot be within two edits of a short id; skip the quadratic work.
    if (word.size() > c.size() + 2 || c.size() > word.size() + 2) continue;
    std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  if (best.empty()) return "";
  return " (did you mean " + quote_str(best) + "?)";
}

std::vector<std::string_view> rule_ids() {
  std::vector<std::string_view> ids;
  for (const RuleInfo& r : rule_table())
    ids.push_back(r.id);
  return ids;
}

void check_rule_id(Ctx& ctx, std::string_view id, const toml::source_region& where) {
  if (find_rule(id) == nullptr)
    ctx.error(where, "unknown rule " + quote_str(id) + suggestion(id, rule_ids()));
}

// Reports every key of `table` that is not in `known`; `in` names the section for the message.
void check_keys(Ctx& ctx, const toml::table& table, std::string_view in,
                std::initializer_list<std::string_view> known) {
  for (auto&& [key, value] : table) {
    if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
    ctx.error(key.source(), "unknown key " + quote_str(key.str()) + " " + std::string(in) +
                                suggestion(key.str(), known));
  }
}

// The string value of `key` in `table`, or nullptr (reporting a type error) when the key is
// absent or not a string; `in` names the section for the message.
const std::string* string_of(Ctx& ctx, const toml::table& table, std::string_view key,
                             std::string_view in) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return nullptr;
  if (const auto* s = node->as_string()) return &s->get();
  ctx.error(node->source(), quote_str(key) + " in " + std::string(in) + " must be a string");
  return nullptr;
}

bool valid_name(std::string_view s) {
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (s.empty() || !lower_or_digit(s[0])) return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return lower_or_digit(c) || c == '.' || c == '_' || c == '-'; });
}

bool valid_component(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool valid_target(std::string_view s) {
  std::size_t dot = s.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == s.size()) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || c == '.'; }) &&
         s.find('.', dot + 1) == std::string_view::npos;
}

std::vector<RepoEntry> parse_repos(Ctx& ctx, const toml::node& node) {
  std::vector<RepoEntry> repos;
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    ctx.error(node.source(), "\"repo\" must be an array of tables ([[repo]])");
    return repos;
  }
  std::map<std::string, int> first_line;
  for (const toml::node& element : *array) {
    const toml::table* table = element.as_table();
    if (table == nullptr) {
      ctx.error(element.source(), "each \"repo\" entry must be a table ([[repo]])");
      continue;
    }
    check_keys(ctx, *table, "in [[repo]]", {"name", "path", "url", "ref", "component"});
    RepoEntry e;
    e.loc = ctx.at(table->source());
    bool ok = true;

    std::string label = "[[repo]]";
    if (const std::string* name = string_of(ctx, *table, "name", "[[repo]]")) {
      e.name = *name;
      label += " " + quote_str(*name);
      const toml::source_region& where = table->get("name")->source();
      if (!valid_name(*name)) {
        ctx.error(where, "repository name " + quote_str(*name) +
                             " must be lowercase letters, digits, '.', '_' or '-', starting "
                             "with a letter or digit");
        ok = false;
      }
      auto [it, inserted] = first_line.emplace(*name, static_cast<int>(where.begin.line));
      if (!inserted)
        ctx.error(where, "duplicate repository name " + quote_str(*name) + " (first at line " +
                             std::to_string(it->second) + ")");
    } else {
      if (!table->contains("name")) ctx.error(table->source(), "[[repo]] needs a \"name\"");
      ok = false;
    }

    const toml::node* path_node = table->get("path");
    const toml::node* url_node = table->get("url");
    for (std::string_view key : {"path", "url", "ref"}) {
      const std::string* value = string_of(ctx, *table, key, "[[repo]]");
      if (value == nullptr) continue;
      if (value->empty())
        ctx.error(table->get(key)->source(),
                  quote_str(key) + " in " + label + " must not be empty");
      (key == "path" ? e.path : key == "url" ? e.url : e.ref) = *value;
    }
    if (path_node != nullptr && url_node != nullptr) {
      // Point at whichever of the two comes second: that is the line to delete.
      auto pos = [](const toml::node* n) {
        return std::pair(n->source().begin.line, n->source().begin.column);
      };
      const toml::node* later = pos(path_node) < pos(url_node) ? url_node : path_node;
      ctx.error(later->source(), label + " has both \"path\" and \"url\": give one");
    } else if (path_node == nullptr && url_node == nullptr) {
      ctx.error(table->source(), label + " needs \"path\" or \"url\"");
    }

    if (const std::string* component = string_of(ctx, *table, "component", "[[repo]]")) {
      e.component = *component;
      if (!valid_component(*component))
        ctx.error(table->get("component")->source(),
                  "\"component\" " + quote_str(*component) +
                      " must be lowercase letters, digits and '-' (e.g. \"edge-agent\")");
    } else if (!table->contains("component") && ok) {
      e.component = e.name;
      if (!valid_component(e.name))
        ctx.error(table->source(), label + " needs a \"component\": its name is not one "
                                           "(lowercase letters, digits and '-')");
    }
    repos.push_back(std::move(e));
  }
  return repos;
}

constexpr std::string_view kSeverityNames = "blocker, high, medium, low, info";

std::vector<SeverityOverride> parse_severity_table(Ctx& ctx, const toml::node& node) {
  std::vector<SeverityOverride> out;
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    ctx.error(node.source(), "\"severity\" in [policy] must be a table ([policy.severity])");
    return out;
  }
  for (auto&& [key, value] : *table) {
    check_rule_id(ctx, key.str(), key.source());
    std::optional<Severity> severity;
    if (const auto* s = value.as_string()) severity = parse_severity(s->get());
    if (!severity) {
      ctx.error(value.source(), quote_str(key.str()) + " in [policy.severity] must be one of " +
                                    std::string(kSeverityNames));
      continue;
    }
    out.push_back(SeverityOverride{std::string(key.str()), *severity, ctx.at(key.source())});
  }
  return out;
}

std::vector<IgnoreEntry> parse_ignores(Ctx& ctx, const toml::node& node,
                                       const std::vector<RepoEntry>& repos) {
  std::vector<IgnoreEntry> out;
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    ctx.error(node.source(), "\"ignore\" in [policy] must be an array of tables "
                             "([[policy.ignore]])");
    return out;
  }
  constexpr std::string_view in = "[[policy.ignore]]";
  for (const toml::node& element : *array) {
    const toml::table* table = element.as_table();
    if (table == nullptr) {
      ctx.error(element.source(), "each \"ignore\" entry must be a table ([[policy.ignore]])");
      continue;
    }
    check_keys(ctx, *table, "in [[policy.ignore]]", {"rule", "repo", "path", "reason"});
    IgnoreEntry e;
    e.loc = ctx.at(table->source());
    if (const std::string* rule = string_of(ctx, *table, "rule", in)) {
      e.rule = *rule;
      check_rule_id(ctx, *rule, table->get("rule")->source());
    } else if (!table->contains("rule")) {
      ctx.error(table->source(), "[[policy.ignore]] needs a \"rule\"");
    }
    if (const std::string* repo = string_of(ctx, *table, "repo", in)) {
      e.repo = *repo;
      bool known = std::any_of(repos.begin(), repos.end(),
                               [&](const RepoEntry& r) { return r.name == *repo; });
      if (!known)
        ctx.error(table->get("repo")->source(), "ignore entry names repository " +
                                                    quote_str(*repo) + ", which is not a [[repo]]");
    }
    if (const std::string* path = string_of(ctx, *table, "path", in)) {
      e.path = *path;
      if (path->empty())
        ctx.error(table->get("path")->source(), "\"path\" in [[policy.ignore]] must not be empty");
      else if (path->front() == '/')
        ctx.error(table->get("path")->source(),
                  "\"path\" in [[policy.ignore]] must be relative to the repository root");
    }
    if (const std::string* reason = string_of(ctx, *table, "reason", in)) {
      e.reason = *reason;
      if (reason->find_first_not_of(" \t\r\n") == std::string::npos)
        ctx.error(table->get("reason")->source(),
                  "\"reason\" in [[policy.ignore]] must not be empty");
    } else if (!table->contains("reason")) {
      ctx.error(table->source(), "[[policy.ignore]] needs a \"reason\"");
    }
    out.push_back(std::move(e));
  }
  return out;
}

Policy parse_policy(Ctx& ctx, const toml::node& node, const std::vector<RepoEntry>& repos) {
  Policy policy;
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    ctx.error(node.source(), "\"policy\" must be a table ([policy])");
    return policy;
  }
  check_keys(ctx, *table, "in [policy]", {"target", "fail-on", "min-score", "severity", "ignore"});

  if (const toml::node* target = table->get("target")) {
    const auto* s = target->as_string();
    if (s != nullptr && valid_target(s->get()))
      policy.target = s->get();
    else
      ctx.error(target->source(), "\"target\" must be a quoted version line like \"0.27\"");
  }
  if (const toml::node* fail_on = table->get("fail-on")) {
    const auto* s = fail_on->as_string();
    std::optional<Severity> severity = s ? parse_severity(s->get()) : std::nullopt;
    if (severity)
      policy.fail_on = severity;
    else if (s != nullptr && s->get() == "none")
      policy.fail_on_none = true;
    else
      ctx.error(fail_on->source(),
                "\"fail-on\" must be one of " + std::string(kSeverityNames) + ", none");
  }
  if (const toml::node* min_score = table->get("min-score")) {
    const auto* i = min_score->as_integer();
    if (i != nullptr && i->get() >= 0 && i->get() <= 100)
      policy.min_score = static_cast<int>(i->get());
    else
      ctx.error(min_score->source(), "\"min-score\" must be an integer from 0 to 100");
  }
  if (const toml::node* severity = table->get("severity"))
    policy.severity = parse_severity_table(ctx, *severity);
  if (const toml::node* ignore = table->get("ignore"))
    policy.ignore = parse_ignores(ctx, *ignore, repos);

  // toml++ iterates tables in key order; users read their file top to bottom.
  std::stable_sort(policy.severity.begin(), policy.severity.end(),
                   [](const SeverityOverride& a, const SeverityOverride& b) {
                     return std::tie(a.loc.line, a.loc.column) < std::tie(b.loc.line, b.loc.column);
                   });
  return policy;
}

bool position_less(const Diagnostic& a, const Diagnostic& b) {
  return std::tie(a.loc.line, a.loc.column) < std::tie(b.loc.line, b.loc.column);
}

} // namespace

ConfigResult parse_config(std::string_view text, const std::string& file) {
  ConfigResult result;
  GuardedToml parsed = parse_toml_guarded(text, file, std::string(kRule));
  if (!parsed.table) {
    parsed.error->message = "invalid TOML: " + parsed.error->message;
    result.errors.push_back(std::move(*parsed.error));
    return result;
  }
  const toml::table& root = *parsed.table;

  Ctx ctx{file, {}};
  Config config;
  config.file = file;
  for (auto&& [key, value] : root) {
    if (key.str() == "repo" || key.str() == "policy") continue;
    ctx.error(key.source(),
              "unknown top-level key " + quote_str(key.str()) +
                  suggestion(key.str(), std::initializer_list<std::string_view>{"repo", "policy"}));
  }
  if (const toml::node* repos = root.get("repo")) config.repos = parse_repos(ctx, *repos);
  if (const toml::node* policy = root.get("policy"))
    config.policy = parse_policy(ctx, *policy, config.repos);

  result.errors = std::move(ctx.errors);
  std::stable_sort(result.errors.begin(), result.errors.end(), position_less);
  if (result.errors.empty()) result.config = std::move(config);
  return result;
}

ConfigResult load_config(const std::filesystem::path& file) {
  const std::string name = file.string();
  auto unreadable = [&](int err) {
    ConfigResult r;
    r.errors.push_back(Diagnostic{std::string(kRule), Location{name, 0, 0},
                                  "cannot read config file: " + std::string(std::strerror(err))});
    return r;
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(name.c_str(), "rb"), &std::fclose);
  if (!f) return unreadable(errno);
  std::string text;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0)
    text.append(buf, n);
  if (std::ferror(f.get())) return unreadable(errno);

  ConfigResult result = parse_config(text, name);
  if (result.config) {
    const std::filesystem::path base = file.parent_path();
    for (RepoEntry& repo : result.config->repos) {
      if (repo.path.empty()) continue;
      std::filesystem::path p(repo.path);
      if (p.is_relative()) p = base / p;
      std::string resolved = p.lexically_normal().generic_string();
      if (resolved.size() > 1 && resolved.back() == '/') resolved.pop_back();
      repo.path = resolved;
    }
  }
  return result;
}

} // namespace otelaudit
