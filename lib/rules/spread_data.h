#pragma once
#include <string>
#include <vector>

namespace otelaudit {

/// What makes two versions of a crate unable to stand in for each other.
enum class Boundary {
  semver, // Cargo's rule: the major from 1.0 on, the minor for 0.x, the patch for 0.0.x
  major,  // only a new major breaks
  minor,  // a new major or minor breaks, even from 1.0 on
};

/// A crate whose locked versions are compared across the set.
struct SpreadCrate {
  std::string crate;
  Boundary boundary = Boundary::semver;
};

/// The spread rule data (rules/spread.toml).
struct SpreadRules {
  std::string file;
  std::vector<SpreadCrate> crates; // in file order
};

} // namespace otelaudit
