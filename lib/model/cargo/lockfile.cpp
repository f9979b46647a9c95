#include "model/cargo/lockfile.h"

#include <algorithm>
#include <exception>
#include <toml++/toml.h>

#include "common/toml_guard.h"
#include "model/cargo/semver.h"

namespace otelaudit {
namespace {

constexpr const char* kRule = "lockfile-parse-error";

Location location(const std::string& file, const toml::source_region& region) {
  return Location{file, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

// Reads one `[[package]]` (or the `[root]` table of the oldest v1 files). Returns false when
// the entry has no usable name or version; the caller then drops it.
bool read_package(const toml::table& table, const std::string& file, LockedPackage& pkg,
                  std::vector<Diagnostic>& diags) {
  // For an element of an array of tables toml++ 3.3.0 reports the `[[package]]` header line,
  // column 1 (checked by "lockfile: package location is its [[package]] header").
  pkg.loc = location(file, table.source());
  const auto* name = table.get_as<std::string>("name");
  const auto* version = table.get_as<std::string>("version");
  if (!name || !version) {
    const std::string which = !name ? "name" : "version";
    const std::string prefix =
        name ? "package \"" + name->get() + "\"" : std::string("package entry");
    diags.push_back({kRule, pkg.loc,
                     prefix + (table.contains(which) ? " has a non-string `" + which + "`"
                                                     : " has no `" + which + "`")});
    return false;
  }
  pkg.name = name->get();
  pkg.version = version->get();
  if (!parse_version(pkg.version))
    diags.push_back(
        {kRule, location(file, version->source()),
         "package \"" + pkg.name + "\" has an invalid version \"" + pkg.version + "\""});
  if (const toml::node* source = table.get("source")) {
    if (const auto* s = source->as_string())
      pkg.source = s->get();
    else
      diags.push_back({kRule, location(file, source->source()),
                       "package \"" + pkg.name + "\" has a non-string `source`"});
  }
  if (const toml::node* deps = table.get("dependencies")) {
    if (const auto* array = deps->as_array()) {
      for (const toml::node& dep : *array) {
        if (const auto* s = dep.as_string())
          pkg.dependencies.push_back(s->get());
        else
          diags.push_back({kRule, location(file, dep.source()),
                           "a dependency of package \"" + pkg.name + "\" is not a string"});
      }
    } else {
      diags.push_back({kRule, location(file, deps->source()),
                       "package \"" + pkg.name + "\" has a `dependencies` that is not an array"});
    }
  }
  return true;
}

LockfileResult parse_table(const toml::table& root, const std::string& file) {
  LockfileResult result;
  auto& diags = result.diagnostics;
  if (root.empty()) {
    diags.push_back({kRule, Location{file, 1, 1}, "empty Cargo.lock"});
    return result;
  }

  Lockfile lock;
  lock.file = file;
  // v3 and later name their format; v1 and v2 have no `version` key and differ in where
  // checksums live: v1 keeps them in a `[metadata]` table, v2 inside each package.
  if (const toml::node* version = root.get("version")) {
    const auto* n = version->as_integer();
    if (!n) {
      diags.push_back({kRule, location(file, version->source()),
                       "the Cargo.lock format `version` is not an integer"});
      return result;
    }
    if (n->get() != 3 && n->get() != 4) {
      // Cargo itself refuses such a file ("lock file version `N` was found, but this version
      // of Cargo does not understand this lock file"), so reading it would be guesswork.
      diags.push_back({kRule, location(file, version->source()),
                       "unsupported Cargo.lock format version " + std::to_string(n->get()) +
                           " (known formats: 1 to 4)"});
      return result;
    }
    lock.format = static_cast<int>(n->get());
  } else {
    lock.format = root.contains("metadata") ? 1 : 2;
  }

  if (const toml::node* root_pkg = root.get("root")) {
    // Lockfiles written before Cargo 0.16 list the workspace root in `[root]`.
    LockedPackage pkg;
    if (const auto* table = root_pkg->as_table()) {
      if (read_package(*table, file, pkg, diags)) lock.packages.push_back(std::move(pkg));
    } else {
      diags.push_back({kRule, location(file, root_pkg->source()), "`root` is not a table"});
    }
  }
  if (const toml::node* packages = root.get("package")) {
    if (const auto* array = packages->as_array()) {
      for (const toml::node& entry : *array) {
        LockedPackage pkg;
        if (const auto* table = entry.as_table()) {
          if (read_package(*table, file, pkg, diags)) lock.packages.push_back(std::move(pkg));
        } else {
          diags.push_back(
              {kRule, location(file, entry.source()), "a `package` entry is not a table"});
        }
      }
    } else {
      diags.push_back(
          {kRule, location(file, packages->source()), "`package` is not an array of tables"});
    }
  }
  const auto by_position = [](const Location& a, const Location& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  };
  std::stable_sort(
      lock.packages.begin(), lock.packages.end(),
      [&](const LockedPackage& a, const LockedPackage& b) { return by_position(a.loc, b.loc); });
  std::stable_sort(diags.begin(), diags.end(), [&](const Diagnostic& a, const Diagnostic& b) {
    return by_position(a.loc, b.loc);
  });
  result.lockfile = std::move(lock);
  return result;
}

} // namespace

std::vector<const LockedPackage*> Lockfile::find(std::string_view name) const {
  std::vector<const LockedPackage*> found;
  for (const LockedPackage& pkg : packages)
    if (pkg.name == name) found.push_back(&pkg);
  return found;
}

LockfileResult parse_lockfile(std::string_view text, const std::string& file) {
  LockfileResult result;
  GuardedToml parsed = parse_toml_guarded(text, file, kRule);
  if (!parsed.table) {
    result.diagnostics.push_back(std::move(*parsed.error));
    return result;
  }
  try {
    return parse_table(*parsed.table, file);
  } catch (const std::exception& e) {
    // Nothing escapes the library on bad input, not even an allocation failure on a huge file.
    result.diagnostics.push_back({kRule, Location{file, 0, 0}, e.what()});
  }
  return result;
}

} // namespace otelaudit
