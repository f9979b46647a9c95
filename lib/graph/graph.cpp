#include "graph/graph.h"
#include "common/redact.h"
#include "common/strings.h"

#include <algorithm>
#include <cctype>
#include <deque>
#include <filesystem>
#include <tuple>

namespace otelaudit {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// `host[:port]` without userinfo and port.
std::string bare_host(std::string_view authority) {
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (auto colon = authority.rfind(':');
      colon != std::string_view::npos && all_digits(authority.substr(colon + 1)))
    authority = authority.substr(0, colon);
  return std::string(authority);
}

std::string last_segment(std::string_view normalized) {
  auto slash = normalized.rfind('/');
  return std::string(slash == std::string_view::npos ? normalized : normalized.substr(slash + 1));
}

std::string reference_of(const Dependency& d) {
  if (!d.rev.empty()) return "rev=" + d.rev;
  if (!d.tag.empty()) return "tag=" + d.tag;
  if (!d.branch.empty()) return "branch=" + d.branch;
  return {};
}

bool dir_encloses(const std::string& outer, const std::string& inner) {
  return outer.empty() || inner == outer || inner.starts_with(outer + "/");
}

/// The [workspace.dependencies] manifest an inherited dependency of `p` came from, and the
/// entry itself: the package's workspace root, else the nearest enclosing workspace that has
/// the key (as workspace loading resolved it).
std::pair<const Manifest*, const Dependency*>
workspace_entry(const CargoModel& cargo, const PackageModel& p, const Dependency& d) {
  const Manifest* best = nullptr;
  const Dependency* entry = nullptr;
  for (const Manifest& m : cargo.manifests) {
    if (!m.workspace) continue;
    bool candidate =
        p.workspace_root.empty() ? dir_encloses(m.dir, p.dir) : m.file == p.workspace_root;
    if (!candidate || (best && best->dir.size() >= m.dir.size())) continue;
    for (const Dependency& w : m.workspace->dependencies) {
      if (w.key == d.key) {
        best = &m;
        entry = &w;
        break;
      }
    }
  }
  return {best, entry};
}

/// True when `inner` is `outer` or lies below it, comparing lexically normal paths by component.
bool path_within(const std::filesystem::path& inner, const std::filesystem::path& outer) {
  auto strip = [](const std::filesystem::path& p) {
    std::vector<std::string> parts;
    for (const auto& part : p)
      if (!part.empty() && part != ".") parts.push_back(part.string());
    return parts;
  };
  auto in = strip(inner), out = strip(outer);
  if (out.empty() || in.size() < out.size()) return false;
  return std::equal(out.begin(), out.end(), in.begin());
}

bool edge_less(const RepoEdge& a, const RepoEdge& b) {
  return std::tie(a.from, a.to, a.loc.file, a.loc.line, a.loc.column, a.package, a.dependency) <
         std::tie(b.from, b.to, b.loc.file, b.loc.line, b.loc.column, b.package, b.dependency);
}

} // namespace

std::string normalize_git_url(std::string_view url) {
  std::string s = lower(trim(url));
  if (auto q = s.find_first_of("?#"); q != std::string::npos) s.erase(q);
  if (auto scheme = s.find("://"); scheme != std::string::npos) {
    std::string rest = s.substr(scheme + 3);
    auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    s = bare_host(authority) + (slash == std::string::npos ? "" : rest.substr(slash));
  } else {
    // scp-like syntax `[user@]host:path`: a colon before any slash.
    auto colon = s.find(':');
    auto slash = s.find('/');
    if (colon != std::string::npos && (slash == std::string::npos || colon < slash)) {
      std::string path = s.substr(colon + 1);
      while (!path.empty() && path.front() == '/')
        path.erase(0, 1);
      s = bare_host(s.substr(0, colon)) + "/" + path;
    }
  }
  std::string collapsed;
  for (char c : s)
    if (c != '/' || collapsed.empty() || collapsed.back() != '/') collapsed += c;
  s = std::move(collapsed);
  while (!s.empty() && s.back() == '/')
    s.pop_back();
  if (s.ends_with(".git")) s.erase(s.size() - 4);
  while (!s.empty() && s.back() == '/')
    s.pop_back();
  return s;
}

UrlMatch match_repository(std::string_view url, const GraphRepo& repo) {
  const std::string n = normalize_git_url(url);
  if (n.empty()) return UrlMatch::none;
  if (!repo.url.empty())
    return n == normalize_git_url(repo.url) ? UrlMatch::known_url : UrlMatch::none;
  const std::string name = lower(trim(repo.name));
  const std::string seg = last_segment(n);
  if (name.empty() || seg.empty()) return UrlMatch::none;
  if (seg == name) return UrlMatch::name;
  if (seg == "llm-" + name || "llm-" + seg == name) return UrlMatch::name_with_prefix;
  return UrlMatch::none;
}

const RepoEdge* RepoGraph::first_edge(std::string_view from, std::string_view to) const {
  for (const RepoEdge& e : edges)
    if (e.from == from && e.to == to) return &e;
  return nullptr;
}

std::set<std::string> RepoGraph::reachable(std::string_view from) const {
  std::set<std::string> seen;
  std::deque<std::string> queue{std::string(from)};
  while (!queue.empty()) {
    std::string cur = std::move(queue.front());
    queue.pop_front();
    auto it = depends_on.find(cur);
    if (it == depends_on.end()) continue;
    for (const std::string& next : it->second)
      if (seen.insert(next).second) queue.push_back(next);
  }
  return seen;
}

std::vector<std::string> RepoGraph::path(std::string_view from, std::string_view to) const {
  std::map<std::string, std::string> parent;
  std::deque<std::string> queue{std::string(from)};
  parent[std::string(from)] = "";
  while (!queue.empty()) {
    std::string cur = std::move(queue.front());
    queue.pop_front();
    auto it = depends_on.find(cur);
    if (it == depends_on.end()) continue;
    for (const std::string& next : it->second) {
      if (next == to) {
        std::vector<std::string> chain{next, cur};
        for (std::string p = parent[cur]; !p.empty(); p = parent[p])
          chain.push_back(p);
        if (chain.back() != from) chain.push_back(std::string(from));
        std::reverse(chain.begin(), chain.end());
        return chain;
      }
      if (parent.emplace(next, cur).second) queue.push_back(next);
    }
  }
  return {};
}

RepoGraph build_graph(const std::vector<GraphRepo>& inputs) {
  std::vector<const GraphRepo*> repos;
  for (const GraphRepo& r : inputs)
    repos.push_back(&r);
  std::sort(repos.begin(), repos.end(),
            [](const GraphRepo* a, const GraphRepo* b) { return a->name < b->name; });

  RepoGraph g;
  for (const GraphRepo* r : repos) {
    if (!g.repos.empty() && g.repos.back() == r->name) continue; // names are meant to be unique
    g.repos.push_back(r->name);
    g.depends_on[r->name];
  }

  auto git_target = [&](const std::string& url) -> const GraphRepo* {
    const GraphRepo* best = nullptr;
    UrlMatch best_match = UrlMatch::none;
    for (const GraphRepo* r : repos) {
      UrlMatch m = match_repository(url, *r);
      if (m > best_match) {
        best = r;
        best_match = m;
      }
    }
    return best;
  };
  auto path_target = [&](const std::filesystem::path& target) -> const GraphRepo* {
    const GraphRepo* best = nullptr;
    std::size_t best_len = 0;
    for (const GraphRepo* r : repos) {
      if (r->path.empty()) continue;
      std::filesystem::path root = std::filesystem::path(r->path).lexically_normal();
      std::size_t len = std::distance(root.begin(), root.end());
      if (path_within(target, root) && (!best || len > best_len)) {
        best = r;
        best_len = len;
      }
    }
    return best;
  };

  for (const GraphRepo* r : repos) {
    if (!r->cargo) continue;
    for (const PackageModel& p : r->cargo->packages) {
      for (const Dependency& d : p.dependencies) {
        const Manifest* declared_in = nullptr;
        Location loc = d.loc;
        if (d.inherited) {
          auto [m, entry] = workspace_entry(*r->cargo, p, d);
          if (entry) {
            declared_in = m;
            loc = entry->loc;
          }
        }
        const GraphRepo* target = nullptr;
        RepoEdge e;
        if (d.source == Dependency::Source::git && !d.git.empty()) {
          target = git_target(d.git);
          e.via = RepoEdge::Via::git;
          e.url = redact_url(d.git); // shown in reports, never used to match
          e.reference = reference_of(d);
        } else if (d.source == Dependency::Source::path && !d.path.empty() && !r->path.empty()) {
          const std::string& dir = declared_in ? declared_in->dir : p.dir;
          std::filesystem::path resolved =
              (std::filesystem::path(r->path) / dir / d.path).lexically_normal();
          target = path_target(resolved);
          e.via = RepoEdge::Via::path;
          e.url = d.path;
        }
        if (!target || target == r) continue;
        e.from = r->name;
        e.package = p.name;
        e.dependency = d.key;
        e.crate = d.package;
        e.to = target->name;
        e.kind = d.kind;
        e.loc = loc;
        e.used_at = d.loc;
        g.depends_on[e.from].insert(e.to);
        g.edges.push_back(std::move(e));
      }
    }
  }
  std::sort(g.edges.begin(), g.edges.end(), edge_less);
  return g;
}

std::string Cycle::text() const {
  std::string out;
  for (const std::string& r : repos)
    out += r + " \u2192 ";
  return repos.empty() ? out : out + repos.front();
}

std::vector<Cycle> find_cycles(const RepoGraph& graph, std::size_t limit) {
  std::vector<Cycle> cycles;
  // Each elementary cycle is found once: from its smallest repository, through larger ones only.
  constexpr std::size_t kMaxSteps = 200000;
  std::size_t steps = 0;
  for (const std::string& start : graph.repos) {
    std::vector<std::string> stack{start};
    std::set<std::string> on_stack{start};
    // Iterators into each stacked repository's neighbour set, to resume the depth-first walk.
    using It = std::set<std::string>::const_iterator;
    auto neighbours = [&](const std::string& r) -> const std::set<std::string>& {
      static const std::set<std::string> none;
      auto it = graph.depends_on.find(r);
      return it == graph.depends_on.end() ? none : it->second;
    };
    std::vector<std::pair<It, It>> frames{{neighbours(start).begin(), neighbours(start).end()}};
    while (!frames.empty() && cycles.size() < limit && steps < kMaxSteps) {
      auto& [it, end] = frames.back();
      if (it == end) {
        frames.pop_back();
        on_stack.erase(stack.back());
        stack.pop_back();
        continue;
      }
      const std::string& next = *it++;
      ++steps;
      if (next == start) {
        Cycle c;
        c.repos = stack;
        cycles.push_back(std::move(c));
      } else if (next > start && !on_stack.count(next)) {
        stack.push_back(next);
        on_stack.insert(next);
        frames.emplace_back(neighbours(next).begin(), neighbours(next).end());
      }
    }
  }
  std::sort(cycles.begin(), cycles.end(),
            [](const Cycle& a, const Cycle& b) { return a.repos < b.repos; });
  for (Cycle& c : cycles) {
    const std::string& to = c.repos.size() > 1 ? c.repos[1] : c.repos[0];
    if (const RepoEdge* e = graph.first_edge(c.repos[0], to)) {
      c.loc = e->loc;
      c.package = e->package;
    }
  }
  return cycles;
}

MigrationOrder migration_order(const RepoGraph& graph) {
  // Strongly connected components by mutual reachability: sets are small (tens to hundreds).
  std::map<std::string, std::set<std::string>> reach;
  for (const std::string& r : graph.repos)
    reach[r] = graph.reachable(r);
  std::map<std::string, std::string> label; // repository -> smallest name of its component
  std::map<std::string, std::vector<std::string>> members;
  for (const std::string& r : graph.repos) {
    std::string l = r;
    for (const std::string& other : reach[r])
      if (other < l && reach[other].count(r)) l = other;
    label[r] = l;
    members[l].push_back(r);
  }

  MigrationOrder order;
  std::set<std::string> placed;
  std::vector<Cycle> cycles = find_cycles(graph);
  while (placed.size() < members.size()) {
    const std::string* ready = nullptr;
    for (const auto& [l, group] : members) {
      if (placed.count(l)) continue;
      bool ok = true;
      for (const std::string& m : group)
        for (const std::string& dep : graph.depends_on.at(m))
          if (label[dep] != l && !placed.count(label[dep])) ok = false;
      if (ok) {
        ready = &l;
        break;
      }
    }
    if (!ready) break; // cannot happen: the component graph is acyclic
    const auto& group = members[*ready];
    for (const std::string& m : group) {
      const auto& deps = graph.depends_on.at(m);
      order.steps.push_back({m, {deps.begin(), deps.end()}, group.size() > 1});
    }
    if (group.size() > 1) {
      std::string names;
      for (std::size_t i = 0; i < group.size(); ++i)
        names += (i == 0 ? "" : i + 1 == group.size() ? " and " : ", ") + group[i];
      std::string note = names + " depend on each other";
      for (const Cycle& c : cycles)
        if (c.repos.front() == *ready) {
          note += " (" + c.text() + ")";
          break;
        }
      note += ": migrated together, ordered by name";
      order.notes.push_back(std::move(note));
    }
    placed.insert(*ready);
  }
  return order;
}

} // namespace otelaudit
