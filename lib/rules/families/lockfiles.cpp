#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "rules/families/manifest.h"

namespace otelaudit {

namespace {

std::string join_path(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

/// The 1-based line of the first `[header]` line in `text`, 0 when absent.
int header_line(const std::string& text, std::string_view header) {
  int line = 1;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view l(text.data() + pos, end - pos);
    while (!l.empty() && (l.front() == ' ' || l.front() == '\t'))
      l.remove_prefix(1);
    if (l.substr(0, header.size()) == header) return line;
    pos = end + 1;
    ++line;
  }
  return 0;
}

} // namespace

void check_lockfiles(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  const CargoModel& cargo = repo.cargo;
  std::set<std::string> locks;
  for (const Lockfile& lf : cargo.lockfiles)
    locks.insert(lf.file);

  // Roots: workspace roots, and packages that belong to no workspace.
  for (const Manifest& m : cargo.manifests) {
    bool root = m.workspace.has_value();
    if (!root && m.package) {
      root = std::any_of(cargo.packages.begin(), cargo.packages.end(), [&](const PackageModel& p) {
        return p.manifest_file == m.file && p.workspace_root.empty();
      });
    }
    const std::string lock = join_path(m.dir, "Cargo.lock");
    if (!root || locks.count(lock)) continue;
    Location loc{m.file, 0, 1};
    if (m.workspace) {
      loc = m.workspace->loc;
      loc.column = 1;
    } else if (auto it = cargo.texts.find(m.file); it != cargo.texts.end()) {
      loc.line = header_line(it->second, "[package]");
    }
    sink.emit("no-lockfile", loc,
              cargo.unused_lockfiles.count(lock)
                  ? fmt::format("{} could not be used (see its own finding): versions are judged "
                                "from requirements alone",
                                lock)
                  : fmt::format("no Cargo.lock beside {}: versions are judged from requirements "
                                "alone",
                                m.file));
  }

  for (const Lockfile& lf : cargo.lockfiles) {
    struct Locked {
      const LockedPackage* pkg;
      std::string line;
    };
    std::vector<Locked> otel;
    for (const LockedPackage& p : lf.packages) {
      // A deprecated crate has its own finding (deprecated-exporter); the API line it pulls in
      // is reported through that API's own crates.
      if (!rules.is_otel_crate(p.name) || rules.deprecation(p.name)) continue;
      auto v = parse_version(p.version);
      if (!v) continue;
      if (auto line = rules.line_of(p.name, *v)) otel.push_back({&p, *line});
    }
    std::string newest;
    for (const Locked& l : otel)
      if (newest.empty() || rules.line_index(l.line) > rules.line_index(newest)) newest = l.line;
    for (const Locked& l : otel) {
      if (rules.line_index(l.line) >= rules.line_index(newest)) continue;
      std::vector<std::string> by;
      for (const LockedPackage& p : lf.packages)
        for (const std::string& d : p.dependencies)
          if (d == l.pkg->name + " " + l.pkg->version ||
              d.rfind(l.pkg->name + " " + l.pkg->version + " ", 0) == 0 ||
              (d == l.pkg->name && lf.find(l.pkg->name).size() == 1))
            by.push_back(p.name + " " + p.version);
      std::string pulled;
      for (const std::string& b : by)
        pulled += (pulled.empty() ? "" : ", ") + b;
      Location loc = l.pkg->loc;
      loc.column = 1;
      sink.emit("lockfile-multiple-lines", loc,
                fmt::format("{} locks {} {} (line {}) beside the {} line{}: two copies of the "
                            "API whose types do not match",
                            lf.file, l.pkg->name, l.pkg->version, l.line, newest,
                            pulled.empty() ? std::string() : ", pulled in by " + pulled),
                // The way out is one line for all, and that line is the target.
                fmt::format("upgrade what depends on {} {} to the {} line", l.pkg->name,
                            l.pkg->version, rules.target));
    }
  }
}

const RuleFamily& lockfile_family() {
  static constexpr RuleInfo kRules[] = {
      RuleInfo{"lockfile-multiple-lines", Severity::high, "lockfile",
               "Cargo.lock resolves OpenTelemetry crates at two or more lines."},
      RuleInfo{"no-lockfile", Severity::info, "lockfile",
               "No Cargo.lock: the package is audited from its requirements alone."},
  };
  static constexpr RepoRule kChecks[] = {check_lockfiles};
  static constexpr RuleFamily kFamily{kRules, kChecks};
  return kFamily;
}

} // namespace otelaudit
