#include <fmt/format.h>

#include <set>

#include "rules/declarations.h"
#include "rules/source_rules.h"

namespace otelaudit {

namespace {

/// A path as it resolves, without copying its segments: `head` (an imported path, a glob's
/// path, or the written first segment) with its first segment renamed to `first`, then `tail`.
struct Resolved {
  const std::string* head = nullptr;
  std::size_t head_n = 0;
  std::string_view first;
  const std::string* tail = nullptr;
  std::size_t tail_n = 0;

  std::size_t size() const { return head_n + tail_n; }
  std::string_view at(std::size_t i) const {
    if (i == 0) return first;
    return i < head_n ? std::string_view(head[i]) : std::string_view(tail[i - head_n]);
  }
};

/// True when `full` is the change's path or starts with it ("a::b::*" matches anything under
/// a::b).
bool path_matches(const Resolved& full, const std::vector<std::string>& change) {
  std::size_t n = change.size();
  if (n > 0 && change.back() == "*") --n;
  if (full.size() < n) return false;
  for (std::size_t i = 0; i < n; ++i)
    if (full.at(i) != change[i]) return false;
  return true;
}

std::string_view renamed(std::string_view name, const source::Imports& imports) {
  auto it = imports.renamed.find(name);
  return it == imports.renamed.end() ? name : std::string_view(it->second);
}

/// Calls `fn` with each full path a written path can stand for, until it returns true: itself
/// resolved through `use` and renames (as source::resolve), and, when its first segment is not
/// imported, under each glob import. `imported` tells whether the first segment was.
template <typename Fn>
bool any_candidate(const std::vector<std::string>& written, bool in_use,
                   const source::Imports& imports, bool& imported, Fn&& fn) {
  imported = false;
  if (written.empty()) return false;
  Resolved own{written.data(), 1, {}, written.data() + 1, written.size() - 1};
  if (!in_use)
    if (auto it = imports.names.find(written.front());
        it != imports.names.end() && it->second != written) {
      own.head = it->second.data();
      own.head_n = it->second.size();
      imported = true;
    }
  own.first = renamed(*own.head, imports);
  if (fn(own)) return true;
  if (in_use || imports.names.count(written.front())) return false;
  for (const auto& glob : imports.globs) {
    if (glob.empty()) continue;
    Resolved under{glob.data(), glob.size(), renamed(glob.front(), imports), written.data(),
                   written.size()};
    if (fn(under)) return true;
  }
  return false;
}

} // namespace

void check_removed_apis(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  if (rules.api_changes.empty()) return;
  auto line = repository_line(collect_declarations(repo.cargo, rules), rules);
  if (!line) return;
  // The changes the upgrade crosses: line < breaks <= target, and not compiling again by the
  // target (target < restored).
  std::vector<const ApiChange*> crossed;
  for (const ApiChange& c : rules.api_changes)
    if (line_less(*line, c.breaks).value_or(false) &&
        !line_less(rules.target, c.breaks).value_or(true) &&
        (c.restored.empty() || line_less(rules.target, c.restored).value_or(false)))
      crossed.push_back(&c);
  if (crossed.empty()) return;
  std::vector<std::pair<const ApiChange*, std::vector<std::string>>> path_changes;
  std::set<std::string, std::less<>> roots; // the crates the crossed paths start with
  for (const ApiChange* c : crossed)
    if (!c->path.empty()) {
      path_changes.emplace_back(c, source::split_path(c->path));
      roots.insert(path_changes.back().second.front());
    }
  for (const ApiChange* c : crossed)
    for (const std::string& p : c->on)
      roots.insert(std::string(source::first_segment(p)));
  std::map<std::string, std::vector<std::size_t>, std::less<>> by_root; // root -> path_changes
  for (std::size_t k = 0; k < path_changes.size(); ++k)
    by_root[path_changes[k].second.front()].push_back(k);

  for (const source::FileView& v : source::production_files(repo)) {
    const rust::FileFacts& facts = *v.facts;
    const source::Imports imports = source::imports_for(v);
    // Most paths name no crate of a crossed change: tell them by their first segment before
    // building candidates (a file holds thousands of paths).
    auto may_match = [&](std::string_view first, bool in_use) {
      if (!in_use && !imports.globs.empty()) return true;
      std::string_view root = first;
      if (!in_use)
        root = source::resolved_root(first, imports);
      else if (auto it = imports.renamed.find(first); it != imports.renamed.end())
        root = it->second;
      return roots.count(root) > 0;
    };
    std::set<std::pair<const ApiChange*, int>> reported; // one finding per change and line
    auto report = [&](const ApiChange* c, rust::Pos pos) {
      // A gate, not a removal: the package that enables the feature still compiles.
      if (!c->feature.empty() && source::enables(v.package, c->crate, c->feature)) return;
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
    std::vector<Resolved> cands; // reused from path to path
    auto match_path = [&](const std::vector<std::string>& written, bool in_use, rust::Pos pos,
                          int args) {
      if (written.empty() || !may_match(written.front(), in_use)) return;
      // A one-segment name counts only when it was imported (else it is a local item).
      if (written.size() == 1 && !in_use && imports.globs.empty() &&
          renamed(written.front(), imports) == written.front()) {
        auto it = imports.names.find(written.front());
        if (it == imports.names.end() || it->second == written) return;
      }
      cands.clear();
      bool imported = false;
      any_candidate(written, in_use, imports, imported, [&](const Resolved& full) {
        cands.push_back(full);
        return false;
      });
      for (const Resolved& full : cands) {
        auto it = by_root.find(full.first);
        if (it == by_root.end()) continue;
        for (std::size_t k : it->second) {
          const auto& [c, change] = path_changes[k];
          if ((c->args < 0 || args == c->args) && path_matches(full, change)) report(c, pos);
        }
      }
    };

    // Whether the file's production code names `path` (or something under it), as written,
    // imported or glob-imported: what a method entry's `on` asks for.
    auto names = [&](const std::string& path) {
      const std::vector<std::string> want = source::split_path(path);
      auto any = [&](const std::vector<std::string>& written, bool in_use) {
        if (written.empty() || !may_match(written.front(), in_use)) return false;
        bool imported = false;
        return any_candidate(written, in_use, imports, imported,
                             [&](const Resolved& full) { return path_matches(full, want); });
      };
      for (const rust::PathRef& p : facts.paths)
        if (!skip(p.in_test, p.pos) && any(p.segments, p.in_use || p.extern_crate)) return true;
      for (const rust::Call& call : facts.calls)
        if (!call.method && !skip(call.in_test, call.pos) &&
            may_match(source::first_segment(call.callee), false) &&
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

    // Whether a method call is made, through a chain of calls, on the result of one of `names`
    // (`meter.u64_counter("x").with_unit("s").init()` for "u64_counter"), each compared by whole
    // segments from the end ("TracerProvider::builder" is `sdktrace::TracerProvider::builder()`,
    // not `SdkTracerProvider::builder()`).
    auto chained_on = [&](const rust::Call& call, const std::vector<std::string>& names) {
      if (names.empty()) return true;
      for (int r = call.receiver; r >= 0 && static_cast<std::size_t>(r) < facts.calls.size();) {
        const rust::Call& prev = facts.calls[static_cast<std::size_t>(r)];
        for (const std::string& name : names)
          if (source::callee_is(prev.callee, name)) return true;
        r = prev.receiver < r ? prev.receiver : -1; // receivers come before, never a cycle
      }
      return false;
    };

    for (const rust::Call& call : facts.calls) {
      if (skip(call.in_test, call.pos) || call.macro) continue;
      const int args = static_cast<int>(call.args.size());
      if (call.method) {
        for (const ApiChange* c : crossed)
          if (c->method == call.callee && (c->args < 0 || c->args == args) &&
              source::declares(v.package, c->crate) && receiver(c) && chained_on(call, c->receiver))
            report(c, call.pos);
        continue;
      }
      if (may_match(source::first_segment(call.callee), false))
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
