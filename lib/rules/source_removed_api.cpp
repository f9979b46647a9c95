#include <fmt/format.h>

#include <set>

#include "rules/declarations.h"
#include "rules/source_rules.h"

namespace otelaudit {

namespace {

/// True when `full` is the change's path or starts with it ("a::b::*" matches anything under
/// a::b).
bool path_matches(const std::vector<std::string>& full, const std::vector<std::string>& change) {
  std::size_t n = change.size();
  if (n > 0 && change.back() == "*") --n;
  if (full.size() < n) return false;
  return std::equal(change.begin(), change.begin() + static_cast<std::ptrdiff_t>(n), full.begin());
}

/// The candidate full paths a written path can stand for: itself resolved through `use` and
/// renames, and, when its first segment is not imported, under each glob import.
std::vector<std::vector<std::string>> candidates(const std::vector<std::string>& written,
                                                 bool in_use, const source::Imports& imports,
                                                 const PackageModel* package) {
  std::vector<std::vector<std::string>> out;
  if (written.empty()) return out;
  out.push_back(source::resolve(written, in_use ? source::no_imports() : imports, package));
  if (!in_use && !imports.names.count(written.front()))
    for (const auto& glob : imports.globs) {
      std::vector<std::string> full = source::resolve(glob, source::no_imports(), package);
      full.insert(full.end(), written.begin(), written.end());
      out.push_back(std::move(full));
    }
  return out;
}

} // namespace

void check_removed_apis(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  if (rules.api_changes.empty()) return;
  auto line = repository_line(collect_declarations(repo.cargo, rules), rules);
  if (!line) return;
  // The changes the upgrade crosses: line < breaks <= target.
  std::vector<const ApiChange*> crossed;
  for (const ApiChange& c : rules.api_changes)
    if (line_less(*line, c.breaks).value_or(false) &&
        !line_less(rules.target, c.breaks).value_or(true))
      crossed.push_back(&c);
  if (crossed.empty()) return;
  std::map<const ApiChange*, std::vector<std::string>> change_paths;
  for (const ApiChange* c : crossed)
    if (!c->path.empty()) change_paths[c] = source::split_path(c->path);

  for (const source::FileView& v : source::production_files(repo)) {
    const rust::FileFacts& facts = *v.facts;
    const source::Imports imports = source::imports_of(facts);
    std::set<std::pair<const ApiChange*, int>> reported; // one finding per change and line
    auto report = [&](const ApiChange* c, rust::Pos pos) {
      if (!reported.insert({c, pos.line}).second) return;
      source::emit_at(sink, "removed-api", c->severity, v, pos,
                      fmt::format("{} ({}) stops compiling at {}: the repository is on {}, the "
                                  "target is {}",
                                  c->identifier, c->crate, c->breaks, *line, rules.target),
                      c->replacement);
    };
    auto skip = [&](bool in_test, rust::Pos pos) {
      return in_test || source::line_in_test(facts, pos.line);
    };
    auto match_path = [&](const std::vector<std::string>& written, bool in_use, rust::Pos pos,
                          int args) {
      auto cands = candidates(written, in_use, imports, v.package);
      for (const ApiChange* c : crossed) {
        auto it = change_paths.find(c);
        if (it == change_paths.end()) continue;
        if (c->args >= 0 && args != c->args) continue;
        // A one-segment name counts only when it was imported (else it is a local item).
        if (written.size() == 1 && !in_use && cands.front() == written && cands.size() == 1)
          continue;
        for (const auto& full : cands)
          if (path_matches(full, it->second)) {
            report(c, pos);
            break;
          }
      }
    };

    // Whether the file's production code names `path` (or something under it), as written,
    // imported or glob-imported: what a method entry's `on` asks for.
    auto names = [&](const std::string& path) {
      const std::vector<std::string> want = source::split_path(path);
      auto any = [&](const std::vector<std::string>& written, bool in_use) {
        for (const auto& full : candidates(written, in_use, imports, v.package))
          if (path_matches(full, want)) return true;
        return false;
      };
      for (const rust::PathRef& p : facts.paths)
        if (!skip(p.in_test, p.pos) && any(p.segments, p.in_use || p.extern_crate)) return true;
      for (const rust::Call& call : facts.calls)
        if (!call.method && !skip(call.in_test, call.pos) &&
            any(source::split_path(call.callee), false))
          return true;
      return false;
    };
    std::map<const ApiChange*, bool> receiver_named;
    auto receiver = [&](const ApiChange* c) {
      if (c->on.empty()) return true;
      auto it = receiver_named.find(c);
      if (it != receiver_named.end()) return it->second;
      bool found = false;
      for (const std::string& p : c->on)
        found = found || names(p);
      return receiver_named[c] = found;
    };

    for (const rust::Call& call : facts.calls) {
      if (skip(call.in_test, call.pos) || call.macro) continue;
      const int args = static_cast<int>(call.args.size());
      if (call.method) {
        for (const ApiChange* c : crossed)
          if (c->method == call.callee && (c->args < 0 || c->args == args) &&
              source::declares(v.package, c->crate) && receiver(c))
            report(c, call.pos);
        continue;
      }
      match_path(source::split_path(call.callee), false, call.pos, args);
    }
    for (const rust::PathRef& p : facts.paths) {
      // A `use` leaf is reported at its own token: in a grouped `use` over several lines the
      // first segment names only the crate, lines away.
      const rust::Pos at = p.in_use ? p.last_pos : p.pos;
      if (skip(p.in_test, at)) continue;
      match_path(p.segments, p.in_use || p.extern_crate, at, -1);
    }
  }
}

} // namespace otelaudit
