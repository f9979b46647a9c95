#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <tuple>

#include "rules/families/source.h"

namespace otelaudit {

namespace {

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  while (true) {
    auto at = text.find(sep);
    out.emplace_back(text.substr(0, at));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return out;
}

bool follows_standard(std::string_view name, const Conventions& conv) {
  const char sep = conv.service_name_separator.empty() ? '.' : conv.service_name_separator[0];
  for (char ch : name) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == sep;
    if (!ok) return false;
  }
  auto levels = split(name, sep);
  if (levels.size() < 2 || static_cast<int>(levels.size()) > conv.service_name_max_levels)
    return false;
  if (levels.front() != conv.service_name_namespace) return false;
  return std::none_of(levels.begin(), levels.end(), [](const std::string& l) {
    return l.empty() || l.front() == '-' || l.back() == '-';
  });
}

/// True for `a::b::KeyValue::new` and `KeyValue::new`.
bool is_key_value_new(std::string_view callee) {
  auto segments = source::split_path(callee);
  return segments.size() >= 2 && segments[segments.size() - 2] == "KeyValue" &&
         segments.back() == "new";
}

/// The key argument of KeyValue::new names service.name: the literal or the semantic
/// conventions constant SERVICE_NAME.
bool is_service_name_key(const rust::Arg& key) {
  if (key.literal) return key.value == "service.name";
  return key.text == "SERVICE_NAME" || key.text.ends_with("::SERVICE_NAME");
}

} // namespace

std::optional<std::string> service_name_suggestion(std::string_view name, const Conventions& conv) {
  if (follows_standard(name, conv)) return std::nullopt;
  const char sep = conv.service_name_separator.empty() ? '.' : conv.service_name_separator[0];
  const std::string& ns = conv.service_name_namespace;
  // Letters outside ASCII have no spelling the standard allows, and dropping them would suggest
  // another name ("llm.édge" is not "llm.dge"): say the pattern instead.
  if (std::any_of(name.begin(), name.end(),
                  [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; }))
    return conv.service_name_pattern;
  std::string s;
  for (char ch : name) {
    unsigned char u = static_cast<unsigned char>(ch);
    if (ch == '_' || ch == ' ' || ch == '/' || ch == ':')
      s += '-';
    else if (ch == sep || ch == '-' || std::isalnum(u))
      s += static_cast<char>(std::tolower(u));
  }
  // The namespace alone ("llm") names no component to keep.
  if (s == ns || s == ns + sep) return conv.service_name_pattern;
  // "llm-edge-agent": the first hyphen after the namespace was meant as the separator.
  if (s.starts_with(ns + "-"))
    s[ns.size()] = sep;
  else if (!s.starts_with(ns + sep))
    s = ns + sep + s;
  std::vector<std::string> levels;
  for (std::string level : split(s, sep)) {
    while (!level.empty() && level.front() == '-')
      level.erase(level.begin());
    while (!level.empty() && level.back() == '-')
      level.pop_back();
    if (!level.empty()) levels.push_back(level);
  }
  // Levels beyond the standard's depth are joined into the last one.
  const auto max = static_cast<std::size_t>(std::max(2, conv.service_name_max_levels));
  while (levels.size() > max) {
    levels[levels.size() - 2] += "-" + levels.back();
    levels.pop_back();
  }
  if (levels.size() < 2) return conv.service_name_pattern;
  std::string out;
  for (const auto& l : levels)
    out += (out.empty() ? "" : std::string(1, sep)) + l;
  return out;
}

namespace {

/// What a non-literal service name argument refers to, when it is a plain name: a constant
/// (`SERVICE_NAME`, `consts::SERVICE_NAME`, `SERVICE_NAME.to_string()`) or a field
/// (`config.service_name.clone()`, `&self.service_name`).
struct NameRef {
  std::string name;
  bool field = false;
};

std::optional<NameRef> name_ref(std::string_view text) {
  auto strip = [&](std::string_view suffix) {
    if (text.ends_with(suffix)) {
      text.remove_suffix(suffix.size());
      return true;
    }
    return false;
  };
  while (!text.empty() && (text.front() == '&' || text.front() == '*'))
    text.remove_prefix(1);
  if (text.starts_with("String::from(") && text.ends_with(")"))
    text = text.substr(13, text.size() - 14);
  while (strip(".clone()") || strip(".to_string()") || strip(".into()") || strip(".to_owned()") ||
         strip(".as_str()") || strip(".as_ref()")) {
  }
  if (text.empty()) return std::nullopt;
  for (char ch : text)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == ':' || ch == '.'))
      return std::nullopt;
  const auto dot = text.rfind('.');
  if (dot != std::string_view::npos) {
    if (text.find("::") != std::string_view::npos) return std::nullopt;
    return NameRef{std::string(text.substr(dot + 1)), true};
  }
  return NameRef{std::string(source::last_segment(text)), false};
}

} // namespace

void check_service_names(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  const Conventions& conv = rules.conventions;
  if (!conv.loaded) return;
  const std::vector<source::FileView> files = source::production_files(repo);
  // The string constants and the literal field initialisers of production code, by name: a
  // service name passed as `SERVICE_NAME` or `config.service_name` is followed to its value.
  struct Value {
    const source::FileView* view;
    const rust::Arg* arg;
  };
  std::map<std::string, std::vector<Value>, std::less<>> constants, fields;
  for (const source::FileView& v : files) {
    for (const rust::StringItem& item : v.facts->items)
      if (!item.in_test && !source::line_in_test(*v.facts, item.value.pos.line))
        constants[item.name].push_back({&v, &item.value});
    for (const rust::FieldInit& f : v.facts->fields)
      if (!f.in_test && !source::line_in_test(*v.facts, f.value.pos.line))
        fields[f.field].push_back({&v, &f.value});
  }
  std::set<std::tuple<std::string, int, int>> seen; // one finding per value position

  auto judge_literal = [&](const source::FileView& v, const rust::Arg& value,
                           std::string_view via) {
    if (!seen.insert({*v.file, value.pos.line, value.pos.column}).second) return;
    auto suggestion = service_name_suggestion(value.value, conv);
    if (!suggestion) return;
    const bool derived = *suggestion != conv.service_name_pattern;
    source::emit_at(
        sink, "service-name-format", v, value.pos,
        (derived ? fmt::format("service name \"{}\" breaks the naming standard {}: use \"{}\"",
                               value.value, conv.service_name_pattern, *suggestion)
                 : fmt::format("service name \"{}\" breaks the naming standard {}: name the "
                               "component in lowercase ASCII",
                               value.value, conv.service_name_pattern)) +
            std::string(via),
        fmt::format("\"{}\"", *suggestion));
  };

  for (const source::FileView& v : files) {
    const rust::FileFacts& facts = *v.facts;
    // A service name given where the service names itself: a literal is judged; a constant is
    // followed to its value (judged where it is written, the line to change); a field of the
    // package's own configuration to the literals it is initialised with; anything else is
    // not statically known.
    auto judge = [&](const rust::Arg& value, bool in_test) {
      if (in_test || source::line_in_test(facts, value.pos.line)) return;
      if (value.literal) {
        judge_literal(v, value, {});
        return;
      }
      if (auto ref = name_ref(value.text)) {
        const auto& table = ref->field ? fields : constants;
        std::vector<Value> found;
        if (auto it = table.find(ref->name); it != table.end()) {
          // The same file first, then the same package: a constant of another package of
          // that name (a gRPC service's generated SERVICE_NAME) is another thing.
          for (const Value& c : it->second)
            if (c.view->file == v.file) found.push_back(c);
          if (found.empty())
            for (const Value& c : it->second)
              if (c.view->package == v.package) found.push_back(c);
        }
        // A constant's message says where it names the service; a field's initialiser is
        // a service name by itself.
        const std::string via =
            ref->field ? std::string()
                       : fmt::format(" (the service name at {}:{})", *v.file, value.pos.line);
        for (const Value& c : found)
          if (c.arg->literal) judge_literal(*c.view, *c.arg, via);
        // A constant holds its one value; a field may also be set at run time.
        if (!found.empty() && !ref->field) return;
      }
      if (!seen.insert({*v.file, value.pos.line, value.pos.column}).second) return;
      source::emit_at(sink, "service-name-dynamic", v, value.pos,
                      fmt::format("service name is not statically known: {}", value.text));
    };

    for (const rust::Call& c : facts.calls) {
      if (c.macro) continue;
      if (!c.method && is_key_value_new(c.callee) && c.args.size() == 2 &&
          is_service_name_key(c.args[0]))
        judge(c.args[1], c.in_test);
      else if (c.method && c.callee == "with_service_name" && c.args.size() == 1)
        judge(c.args[0], c.in_test);
    }
    // The default of OTEL_SERVICE_NAME: the literal given to the `.unwrap_or(…)` /
    // `.unwrap_or_else(|_| …)` that follows the read, within a few lines (a chain split over
    // lines); an `.expect(…)` or `.unwrap()` first means there is no default.
    constexpr int kChainLines = 3;
    for (const source::EnvRead& r : source::env_reads(facts)) {
      if (r.name->value != "OTEL_SERVICE_NAME") continue;
      const rust::Call* fallback = nullptr;
      for (auto it = facts.calls.begin() + (r.call - facts.calls.data()) + 1;
           it != facts.calls.end() && it->pos.line <= r.call->pos.line + kChainLines; ++it) {
        if (!it->method) continue;
        if (it->callee == "unwrap_or" || it->callee == "unwrap_or_else") {
          fallback = &*it;
          break;
        }
        if (it->callee == "expect" || it->callee == "unwrap" || it->callee == "unwrap_or_default")
          break;
      }
      if (!fallback || fallback->args.size() != 1) continue;
      const rust::Arg& arg = fallback->args[0];
      if (arg.literal) {
        judge(arg, fallback->in_test);
        continue;
      }
      // `.unwrap_or(DEFAULT_SERVICE_NAME)`: the constant's value is the default.
      if (auto ref = name_ref(arg.text); ref && !ref->field) {
        judge(arg, fallback->in_test);
        continue;
      }
      // `|_| "x".into()`: the first literal inside the argument, when the closure returns it.
      for (const rust::Arg& lit : facts.strings) {
        if (std::tie(lit.pos.line, lit.pos.column) < std::tie(arg.pos.line, arg.pos.column))
          continue;
        if (arg.text.starts_with("|") && arg.text.find(lit.text) != std::string::npos)
          judge(lit, fallback->in_test);
        break;
      }
    }
  }
}

} // namespace otelaudit
