#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "rules/families/source.h"

namespace otelaudit {

namespace {

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

/// The attribute a semantic-conventions constant stands for: SERVICE_VERSION →
/// "service.version"; empty when `text` is not such a constant.
std::string constant_attribute(std::string_view text) {
  auto at = text.rfind("::");
  if (at != std::string_view::npos) text.remove_prefix(at + 2);
  if (text.empty()) return {};
  std::string out;
  for (char ch : text) {
    if (ch == '_')
      out += '.';
    else if ((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    else
      return {};
  }
  return out;
}

/// True when the file calls a function of a propagation helper crate its package depends on
/// (`init_tracing_opentelemetry::init_propagator()`, also through `use` and glob imports).
bool installs_through_helper(const source::FileView& v, const Conventions& conv) {
  const rust::FileFacts& facts = *v.facts;
  std::optional<source::Imports> imports;
  for (const Conventions::PropagationHelper& h : conv.propagation_helpers) {
    if (!source::declares(v.package, h.crate)) continue;
    if (!imports) imports = source::imports_for(v);
    const std::string root = source::code_name(h.crate);
    const bool glob = std::any_of(
        imports->globs.begin(), imports->globs.end(),
        [&](const std::vector<std::string>& g) { return !g.empty() && g.front() == root; });
    for (const rust::Call& c : facts.calls) {
      if (c.method || c.in_test || source::line_in_test(facts, c.pos.line)) continue;
      const auto path = source::resolve(source::split_path(c.callee), *imports, v.package);
      if (!contains(h.calls, path.back())) continue;
      if (path.size() > 1 ? path.front() == root : glob) return true;
    }
  }
  return false;
}

/// True when the compiled production code of `files` installs W3C propagation.
bool installs_propagation(const std::vector<source::FileView>& files, const Conventions& conv) {
  for (const source::FileView& v : files) {
    const rust::FileFacts& facts = *v.facts;
    for (const rust::PathRef& p : facts.paths) {
      if (p.in_test || source::line_in_test(facts, p.pos.line)) continue;
      for (const auto& s : p.segments)
        if (contains(conv.propagation_identifiers, s)) return true;
      if (!p.alias.empty() && contains(conv.propagation_identifiers, p.alias)) return true;
    }
    for (const rust::Call& c : facts.calls) {
      if (c.in_test || source::line_in_test(facts, c.pos.line)) continue;
      for (const auto& s : source::split_path(c.callee))
        if (contains(conv.propagation_identifiers, s)) return true;
    }
    if (installs_through_helper(v, conv)) return true;
  }
  return false;
}

// Propagation is a service's set-up: judged per binary over the packages it is compiled from
// (a library's exporter is installed, or not, by the binaries that use it).
void check_propagation(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  const Conventions& conv = rules.conventions;
  std::vector<source::FileView> compiled = source::production_files(repo);
  std::erase_if(compiled, [](const source::FileView& v) { return v.orphan(); });
  std::vector<source::SignGroup> groups;
  for (const source::Service& service : source::services(repo)) {
    std::vector<source::FileView> files = compiled;
    std::erase_if(files, [&](const source::FileView& v) { return !service.holds(v.package); });
    // Without compiled production code there is nothing to judge the absence in.
    if (files.empty() || installs_propagation(files, conv)) continue;
    if (auto sign = source::export_sign(repo, service, conv))
      source::add_to_groups(groups, std::move(*sign), service.binary->name);
  }
  for (const source::SignGroup& g : groups)
    sink.emit("missing-propagation", g.sign.loc,
              fmt::format("{} {} traces ({}) but none of the code {} built from installs W3C "
                          "trace context propagation ({}): traces break at every service boundary",
                          g.subject(), g.pick("exports", "export"), g.sign.what,
                          g.pick("it is", "they are"),
                          fmt::join(conv.propagation_identifiers, ", ")),
              "opentelemetry::global::set_text_map_propagator(opentelemetry_sdk::propagation::"
              "TraceContextPropagator::new());",
              g.package());
}

void check_resources(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  const Conventions& conv = rules.conventions;
  // The string constants of the repository's production code (`const VERSION_KEY: &str =
  // "service.version";`), by name: a key given as a constant of another module.
  std::map<std::string, std::string> constants;
  const std::vector<source::Service> services = source::services(repo);
  auto in_service = [&](const PackageModel* p) {
    return std::any_of(services.begin(), services.end(),
                       [&](const source::Service& s) { return s.holds(p); });
  };
  for (const source::FileView& v : source::production_files(repo))
    for (const rust::StringItem& item : v.facts->items)
      if (!item.in_test && item.value.literal) constants.emplace(item.name, item.value.value);
  for (const source::FileView& v : source::production_files(repo)) {
    // A Resource is a service's identity: a library's Resource is judged where a binary of the
    // repository is built from it, and a library no binary uses is left to its users.
    if (!in_service(v.package)) continue;
    const rust::FileFacts& facts = *v.facts;
    auto live = [&](bool in_test, int line) {
      return !in_test && !source::line_in_test(facts, line);
    };
    std::vector<const rust::Call*> builds;
    for (const rust::Call& c : facts.calls) {
      if (c.method || c.macro || !live(c.in_test, c.pos.line)) continue;
      if (std::any_of(conv.resource_constructors.begin(), conv.resource_constructors.end(),
                      [&](const std::string& e) { return source::callee_is(c.callee, e); }))
        builds.push_back(&c);
    }
    if (builds.empty()) continue;
    // The attributes the file writes: string literals naming them (KeyValue::new("k", …),
    // with_attribute, with_attributes all carry the key as a literal) and semantic-conventions
    // constants given to KeyValue::new.
    std::set<std::string> present;
    for (const rust::Arg& s : facts.strings)
      if (!source::line_in_test(facts, s.pos.line)) present.insert(s.value);
    for (const rust::Call& c : facts.calls) {
      if (c.method || c.args.empty() || !live(c.in_test, c.pos.line)) continue;
      auto segments = source::split_path(c.callee);
      if (segments.size() < 2 || segments[segments.size() - 2] != "KeyValue" ||
          segments.back() != "new" || c.args[0].literal)
        continue;
      if (auto attr = constant_attribute(c.args[0].text); !attr.empty()) present.insert(attr);
      const auto name = source::split_path(c.args[0].text).back();
      if (auto k = constants.find(name); k != constants.end()) present.insert(k->second);
    }
    std::vector<std::string> missing;
    for (const std::string& key : conv.required_resource) {
      bool found = present.count(key) > 0;
      std::string shown = key;
      if (auto it = conv.resource_aliases.find(key); it != conv.resource_aliases.end()) {
        for (const auto& alias : it->second)
          found = found || present.count(alias) > 0;
        shown += " (or " + fmt::format("{}", fmt::join(it->second, ", ")) + ")";
      }
      if (!found) missing.push_back(shown);
    }
    if (missing.empty()) continue;
    std::string fix;
    for (const std::string& key : conv.required_resource) {
      bool listed = std::any_of(missing.begin(), missing.end(),
                                [&](const std::string& m) { return m.starts_with(key); });
      if (listed) fix += (fix.empty() ? "" : ", ") + fmt::format("KeyValue::new(\"{}\", …)", key);
    }
    for (const rust::Call* c : builds)
      source::emit_at(
          sink, "resource-attributes-missing", v, c->pos,
          fmt::format("{} builds a Resource without {}", c->callee, fmt::join(missing, ", ")),
          "add " + fix);
  }
}

} // namespace

void check_telemetry_setup(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  if (!rules.conventions.loaded) return;
  check_propagation(repo, rules, sink);
  check_resources(repo, rules, sink);
}

} // namespace otelaudit
