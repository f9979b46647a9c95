#include <fmt/format.h>

#include <set>

#include "rules/declarations.h"
#include "rules/families/source.h"

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

/// How an entry is judged for the code of one package.
enum class Judgement {
  crossed, // compiles on the package's line, stops compiling on the way to the target
  absent,  // already absent on the line the package builds against: the code does not compile
};

/// An entry that applies to one package's code, with the line it was judged against.
struct Applied {
  const ApiChange* change = nullptr;
  Judgement judgement = Judgement::crossed;
  std::string on; // the line for messages: "0.26", "a line older than 0.20"
};

/// The entries that apply to one package's code, indexed for matching.
struct LineChanges {
  std::vector<Applied> changes;
  std::vector<std::pair<std::size_t, std::vector<std::string>>> path_changes; // change, path
  std::set<std::string, std::less<>> roots; // the crates the paths (and `on` paths) start with
  std::map<std::string, std::vector<std::size_t>, std::less<>> by_root; // root -> path_changes
};

/// Judges every entry for code of `package` (nullptr: of no package, or of one declaring no
/// OpenTelemetry crate, judged against `repo_line`). An entry is judged against the line of
/// the package's own dependency on the entry's crate (a package may build opentelemetry 0.27
/// beside opentelemetry-otlp 0.26), else the package's line; only a line of the package's own
/// makes an entry absent today.
LineChanges changes_for(const PackageModel* package, const std::optional<std::string>& repo_line,
                        const Ruleset& rules) {
  const std::optional<PackageLine> own =
      package ? package_line(*package, rules) : std::optional<PackageLine>();
  const std::string oldest = rules.lines.empty() ? std::string() : rules.lines.front().line;
  LineChanges out;
  for (const ApiChange& c : rules.api_changes) {
    std::optional<PackageLine> at;
    if (own) {
      at = dependency_line(*package, c.crate, rules);
      if (!at) at = own;
    } else if (repo_line) {
      at = PackageLine{*repo_line, false, {}};
    }
    if (!at) continue;
    auto before = [&](std::string_view b) { // the line < b
      return at->line.empty() ? at->older : line_less(at->line, b).value_or(false);
    };
    const std::string on =
        !at->line.empty() ? at->line : fmt::format("a line older than {}", oldest);
    if (before(c.breaks)) {
      // The upgrade crosses it: line < breaks <= target, and not compiling again by the target.
      if (!line_less(rules.target, c.breaks).value_or(true) &&
          (c.restored.empty() || line_less(rules.target, c.restored).value_or(false)))
        out.changes.push_back({&c, Judgement::crossed, on});
    } else if (own && !at->line.empty() && (c.restored.empty() || before(c.restored)) &&
               (c.method.empty() || !c.receiver.empty())) {
      // Code that compiles today must not be called broken: a method entry is judged absent
      // only when the chain shows what it is called on (`receiver`); a name and a file-level
      // `on` alone (`.merge(x)` in a file that also names Resource) may be another type's.
      out.changes.push_back({&c, Judgement::absent, on});
    }
  }
  for (std::size_t k = 0; k < out.changes.size(); ++k) {
    const ApiChange* c = out.changes[k].change;
    if (!c->path.empty()) {
      out.path_changes.emplace_back(k, source::split_path(c->path));
      out.roots.insert(out.path_changes.back().second.front());
    }
    for (const std::string& p : c->on)
      out.roots.insert(std::string(source::first_segment(p)));
  }
  for (std::size_t k = 0; k < out.path_changes.size(); ++k)
    out.by_root[out.path_changes[k].second.front()].push_back(k);
  return out;
}

} // namespace

void check_removed_apis(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  if (rules.api_changes.empty()) return;
  // Code is judged against the lines its own package builds against (two packages of one
  // repository may build on different lines); code of a package that declares no
  // OpenTelemetry crate, or of no package, against the repository's line.
  const auto repo_line = repository_line(collect_declarations(repo.cargo, rules), rules);
  std::map<const PackageModel*, LineChanges> by_package; // nullptr: the repository's line
  std::map<const PackageModel*, bool> has_line;          // declares an OpenTelemetry crate

  for (const source::FileView& v : source::production_files(repo)) {
    const PackageModel* key = nullptr;
    if (v.package) {
      auto it = has_line.find(v.package);
      if (it == has_line.end())
        it = has_line.emplace(v.package, package_line(*v.package, rules).has_value()).first;
      if (it->second) key = v.package;
    }
    auto lc_it = by_package.find(key);
    if (lc_it == by_package.end())
      lc_it = by_package.emplace(key, changes_for(key, repo_line, rules)).first;
    const LineChanges& lc = lc_it->second;
    if (lc.changes.empty()) continue;
    const auto& roots = lc.roots;
    const auto& by_root = lc.by_root;
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
    auto report = [&](std::size_t k, rust::Pos pos) {
      const Applied& a = lc.changes[k];
      const ApiChange* c = a.change;
      // A gate, not a removal: the package that enables the feature still compiles.
      if (!c->feature.empty() && source::enables(v.package, c->crate, c->feature)) return;
      if (!reported.insert({c, pos.line}).second) return;
      if (a.judgement == Judgement::absent) {
        // The manifest was moved past the break but the code was not: a compile error on the
        // package's own line, whatever the target.
        source::emit_at(sink, "removed-api", Severity::high, v, pos,
                        fmt::format("{} ({}) does not compile on {}, the line package {} builds "
                                    "it on: it was removed at {}",
                                    c->identifier, c->crate, a.on, v.package_name(), c->breaks),
                        c->replacement);
        return;
      }
      source::emit_at(
          sink, "removed-api", c->severity, v, pos,
          key ? fmt::format("{} ({}) stops compiling at {}: package {} builds it on {}, the "
                            "target is {}",
                            c->identifier, c->crate, c->breaks, v.package_name(), a.on,
                            rules.target)
              : fmt::format("{} ({}) stops compiling at {}: the repository is on {}, the target "
                            "is {}",
                            c->identifier, c->crate, c->breaks, a.on, rules.target),
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
          const auto& [index, change] = lc.path_changes[k];
          const ApiChange* c = lc.changes[index].change;
          if ((c->args < 0 || args == c->args) && path_matches(full, change)) report(index, pos);
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
        for (std::size_t k = 0; k < lc.changes.size(); ++k) {
          const ApiChange* c = lc.changes[k].change;
          if (c->method == call.callee && (c->args < 0 || c->args == args) &&
              source::declares(v.package, c->crate) && receiver(c) && chained_on(call, c->receiver))
            report(k, call.pos);
        }
        continue;
      }
      if (may_match(source::first_segment(call.callee), false))
        match_path(source::split_path(call.callee), false, call.pos, args);
      // The trait-qualified form of a method call, `TracerProvider::tracer_builder(&p, …)` or
      // `<P as TracerProvider>::tracer_builder(p, …)`: the receiver is the first argument. It
      // is the entry's method when the qualifying type is the entry's own (the segment before
      // the method in its identifier) or a path into the entry's crate.
      const std::vector<std::string> segs = source::split_path(call.callee);
      if (segs.size() < 2) continue;
      for (std::size_t k = 0; k < lc.changes.size(); ++k) {
        const ApiChange* c = lc.changes[k].change;
        if (c->method.empty() || c->method != segs.back() || !c->receiver.empty() ||
            (c->args >= 0 && c->args + 1 != args) || !source::declares(v.package, c->crate))
          continue;
        const std::vector<std::string> id = source::split_path(c->identifier);
        const bool own_type = id.size() >= 2 && id[id.size() - 2] == segs[segs.size() - 2];
        const bool in_crate =
            source::resolve(segs, imports, v.package).front() == source::code_name(c->crate);
        if ((own_type || in_crate) && receiver(c)) report(k, call.pos);
      }
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
