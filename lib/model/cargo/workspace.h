#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/cargo/lockfile.h"
#include "model/cargo/manifest.h"
#include "source/tree.h"

namespace otelaudit {

/// A package with its dependencies as Cargo sees them: `workspace = true` entries merged with
/// [workspace.dependencies] (features added to the inherited ones, optional taken from the
/// member, location kept at the member's line, `inherited` set).
struct PackageModel {
  std::string name;
  std::string manifest_file;  // e.g. "crates/llm-edge-core/Cargo.toml"
  std::string dir;            // e.g. "crates/llm-edge-core", "" for the root
  Location loc;               // the package name
  std::string workspace_root; // manifest file of its workspace, empty when standalone
  std::vector<Dependency> dependencies;
};

/// A workspace root and the packages that are its members.
struct WorkspaceModel {
  std::string manifest_file;
  std::vector<std::string> members; // manifest files of member packages
};

/// Everything Cargo-related read from one repository.
struct CargoModel {
  std::vector<Manifest> manifests;    // every Cargo.toml that parsed, sorted by file
  std::vector<PackageModel> packages; // every package, sorted by manifest file
  std::vector<WorkspaceModel> workspaces;
  std::vector<Lockfile> lockfiles;          // every Cargo.lock that parsed, sorted by file
  std::map<std::string, std::string> texts; // file -> text of every manifest and lockfile read
  std::vector<Diagnostic> diagnostics;      // parse errors, members matching nothing, paths that
                                            // leave the repository, unreadable files
  std::set<std::string> unused_lockfiles;   // Cargo.lock files present but not read or parsed
};

/// Cargo.toml and Cargo.lock parse results memoised by path and content id (git blob ids):
/// history mode reads the same files at every commit, and each distinct file is then read and
/// parsed once.
struct ManifestCache {
  struct Entry {
    std::string text;
    std::optional<ManifestResult> manifest;
    std::optional<LockfileResult> lockfile;
  };
  std::map<std::string, Entry> entries; // key: path, NUL, content id
  std::size_t hits = 0;
  std::size_t misses = 0;
};

/// Reads every Cargo.toml and Cargo.lock of `tree`. Packages that are no workspace's members
/// (examples, nested workspaces) are their own roots. Never throws on bad input. With a
/// cache, files whose content id was seen before are neither read nor parsed again.
CargoModel load_cargo(const Tree& tree, ManifestCache* cache = nullptr);

} // namespace otelaudit
