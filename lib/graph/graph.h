#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/location.h"
#include "model/cargo/manifest.h"
#include "model/cargo/workspace.h"

namespace otelaudit {

/// One repository of the analysed set, as the caller loaded it.
struct GraphRepo {
  std::string name;                     // unique within the set, e.g. "policy-engine"
  std::string url;                      // its known git URL (from the config); empty when not given
  std::string path;                     // its root on disk, for path dependencies between
                                        // repositories; empty when unknown
  const CargoModel* cargo = nullptr;    // not owned; outlives the analysis; null reads as empty
  std::optional<std::string> otel_line; // repository_line(collect_declarations(...)), or none
};

/// A git URL reduced to the form two spellings of one repository share:
/// `https://user@GitHub.com/Org/Repo.git/` and `git@github.com:org/repo` both give
/// `github.com/org/repo`. Drops the scheme (`https://`, `ssh://`, `git+https://`), userinfo,
/// a port, a query or fragment (`?branch=…#rev` in Cargo.lock sources), trailing slashes and
/// one `.git` suffix, and lowercases the rest.
std::string normalize_git_url(std::string_view url);

/// How a git URL was tied to a repository of the set; stronger matches win.
enum class UrlMatch {
  none,
  name_with_prefix, // last URL segment is the name with `llm-` added or removed
  name,             // last URL segment equals the repository name
  known_url,        // the normalised URL equals the repository's known URL
};

/// Whether the (normalised or not) `url` names `repo`. When the repository has a known URL
/// only that URL is compared; otherwise its name is compared with the URL's last path segment,
/// also with an `llm-` prefix added or removed (the LLM DevOps repositories are named both ways:
/// `github.com/LLM-Dev-Ops/shield` holds the crates `llm-shield-*`). Case-insensitive.
UrlMatch match_repository(std::string_view url, const GraphRepo& repo);

/// One dependency of a package of one repository on a crate of another repository of the set.
struct RepoEdge {
  enum class Via { git, path };
  std::string from;       // the dependent repository
  std::string package;    // the package of `from` that declares the dependency
  std::string dependency; // the dependency key as written (the name the code uses)
  std::string crate;      // the crate it names (`package = "…"` or the key)
  std::string to;         // the repository depended on
  Via via = Via::git;
  std::string url;       // the git URL as written, or the path for a path dependency
  std::string reference; // "branch=main", "tag=v1", "rev=abc"; empty when none
  DepKind kind = DepKind::normal;
  Location loc;     // where the URL or path is written: the [workspace.dependencies] entry
                    // for an inherited dependency, else the package's own entry
  Location used_at; // the package's own entry (equal to `loc` unless inherited)
};

/// The repositories and which depends on which; built once, read by every analysis here.
struct RepoGraph {
  std::vector<std::string> repos; // every repository of the set, sorted by name
  std::vector<RepoEdge> edges;    // sorted by from, to, loc file and line, package
  std::map<std::string, std::set<std::string>> depends_on; // direct, repository level

  /// The first edge (in `edges` order) from `from` to `to`, or nullptr.
  const RepoEdge* first_edge(std::string_view from, std::string_view to) const;
  /// Every repository `from` depends on directly or transitively (itself only through a cycle).
  std::set<std::string> reachable(std::string_view from) const;
  /// A shortest chain of repositories from `from` to `to` (both included); empty when none.
  std::vector<std::string> path(std::string_view from, std::string_view to) const;
};

/// Reads the edges from every package's dependencies: git dependencies whose URL matches a
/// repository of the set (the strongest match; among equals the first by name), and path
/// dependencies that resolve (lexically, against `GraphRepo::path`) into another repository's
/// root. A repository's dependencies on itself are not edges.
RepoGraph build_graph(const std::vector<GraphRepo>& repos);

/// A dependency cycle between repositories.
struct Cycle {
  std::vector<std::string> repos; // a, b, c: starts at its smallest name; c depends on a
  Location loc;                   // the manifest entry of the first edge (a → b), in repos[0]
  std::string package;            // the package of repos[0] that declares that entry

  /// `a → b → c → a`.
  std::string text() const;
};

/// Every elementary cycle, each once (rotated to start at its smallest name), sorted. Stops
/// after `limit` cycles so a dense graph cannot make the search explode.
std::vector<Cycle> find_cycles(const RepoGraph& graph, std::size_t limit = 100);

/// One repository's place in the migration order.
struct MigrationStep {
  std::string repo;
  std::vector<std::string> depends_on; // repositories of the set it depends on directly
  bool in_cycle = false;               // ordered by name inside a dependency cycle
};

/// The order to migrate the set in: dependencies before dependents.
struct MigrationOrder {
  std::vector<MigrationStep> steps;
  std::vector<std::string> notes; // one per cycle broken, saying how it was ordered
};

/// Dependencies before dependents; among repositories ready together, by name. Each group of
/// repositories that depend on each other (a strongly connected component) is placed as one
/// unit, its members by name, with a note naming the group.
MigrationOrder migration_order(const RepoGraph& graph);

} // namespace otelaudit
