#pragma once
#include <cstddef>
#include <map>
#include <string>

#include "model/cargo/workspace.h"
#include "model/deploy/model.h"
#include "model/rust/facts.h"
#include "model/rust/modules.h"

namespace otelaudit {

/// One repository as the rules see it: everything already read, nothing left to load.
struct RepoModel {
  std::string name;
  CargoModel cargo;
  std::map<std::string, rust::FileFacts> sources; // every .rs file -> its facts
  ModuleTree modules;                             // package, scope and reachability of each
  deploy::DeployModel deploy;                     // Compose, Kubernetes, collector and .env files
};

/// Parse results memoised by content id (git blob ids): history mode reads the same files at
/// every commit, and each distinct file is then read and parsed once.
struct ParseCache {
  ManifestCache cargo;                          // Cargo.toml and Cargo.lock
  std::map<std::string, rust::FileFacts> facts; // .rs files, key: content id
  std::size_t source_hits = 0;                  // .rs files found in `facts`
  std::size_t source_misses = 0;                // .rs files read and lexed

  /// Files of every kind found in the cache.
  std::size_t hits() const { return cargo.hits + source_hits; }
  /// Files of every kind read and parsed.
  std::size_t misses() const { return cargo.misses + source_misses; }
};

} // namespace otelaudit
