#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/location.h"

namespace otelaudit {

enum class DepKind { normal, dev, build };
std::string_view to_string(DepKind k); // "dependencies", "dev-dependencies", "build-dependencies"

/// A string value of a manifest with where it was written.
struct Located {
  std::string value;
  Location loc;
};

/// One dependency entry, as written (before or after workspace inheritance, see `inherited`).
struct Dependency {
  std::string key;     // the key in the table: the name the code uses (may be a rename)
  std::string package; // the real crate name: `package = "…"` or the key
  Location loc;        // the key's position
  DepKind kind = DepKind::normal;
  std::string target;         // `cfg(unix)` / triple for [target.'…'.dependencies], else empty
  std::optional<Located> req; // version requirement, e.g. "0.27"; absent for path/git-only
  bool optional = false;
  bool default_features = true; // `default-features` or `default_features`
  std::vector<Located> features;
  enum class Source { registry, path, git } source = Source::registry;
  std::string path, git, branch, tag, rev, registry;
  bool workspace = false; // written as `workspace = true` (inherits from [workspace.dependencies])
  bool inherited = false; // set once the workspace entry has been merged in
};

/// A build target section: [lib], [[bin]], [[example]], [[test]], [[bench]].
struct TargetDecl {
  std::string kind; // "lib", "bin", "example", "test", "bench"
  std::string name; // empty when not given
  std::optional<Located> path;
};

struct PackageDecl {
  Located name;
  std::optional<Located> version; // absent when `version.workspace = true` or missing
  bool version_workspace = false;
  std::vector<TargetDecl> targets;
};

struct WorkspaceDecl {
  Location loc; // the [workspace] header
  std::vector<Located> members, exclude, default_members;
  std::vector<Dependency> dependencies;   // [workspace.dependencies]
  std::optional<Located> package_version; // [workspace.package] version
};

/// One entry of a package's [features] table: `name = ["dep:x", "x/f", "x?/f", "other"]`.
struct FeatureDecl {
  Located name;
  std::vector<Located> enables;
};

/// One Cargo.toml: a package, a workspace root, or both (a root package).
struct Manifest {
  std::string file; // relative to the repository root
  std::string dir;  // directory of the file, "" for the root
  std::optional<PackageDecl> package;
  std::optional<WorkspaceDecl> workspace;
  std::vector<Dependency> dependencies; // all kinds and targets, in document order
  std::vector<FeatureDecl> features;    // [features], in document order
};

struct ManifestResult {
  std::optional<Manifest> manifest;    // absent when the text does not parse
  std::vector<Diagnostic> diagnostics; // "manifest-parse-error" (syntax, with the parser's
                                       // line:column) or "manifest-invalid" (wrong shapes)
};

/// Parses the text of a Cargo.toml. `file` is its path relative to the repository root.
/// Input is untrusted: bytes toml++ 3.3.0 mishandles are rejected before it sees them.
ManifestResult parse_manifest(std::string_view text, const std::string& file);

} // namespace otelaudit
