#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

// The rooms of lib/ and the floor each stands on. A file may include headers of its own room
// and of rooms on lower floors, never of a room on its own floor or above: the data flows one
// way (DESIGN.md "Data flow"), so a change to a report cannot reach into the model, and each
// floor can be read, tested and fuzzed without the ones above it.
//
//   0 common        helpers with no knowledge of the audit
//   1 source        trees of files: directories and git objects
//   2 model/cargo   Cargo.toml and Cargo.lock
//   2 model/deploy  Compose, Kubernetes, collector and .env files
//   3 model/rust    Rust facts and the module tree (which maps files onto Cargo packages)
//   4 model         the repository model: one repository with everything read
//   5 rules         rule data and the rule families, pure functions over the model
//   6 config        otel-audit.toml (names rules and severities)
//   6 graph         the cross-repository analysis
//   7 score         the readiness model
//   7 fix           manifest edits for version findings
//   8 audit         one audit from inputs to scored result, policy, baseline, history
//   9 report        renderers of an audit result
//  10 scan          per-repository documents for `scan` and `report`
//
// cli/ stands above them all and may include anything.
namespace {

const std::map<std::string, int> kFloors = {
    {"common", 0}, {"source", 1}, {"model/cargo", 2}, {"model/deploy", 2}, {"model/rust", 3},
    {"model", 4},  {"rules", 5},  {"config", 6},      {"graph", 6},        {"score", 7},
    {"fix", 7},    {"audit", 8},  {"report", 9},      {"scan", 10},
};

// The room of a path relative to lib/ ("model/cargo/workspace.h" -> "model/cargo",
// "rules/families/source.h" -> "rules", "model/repository.h" -> "model"), or "" when the
// path is in no room of the table.
std::string room_of(const std::string& rel) {
  const std::size_t slash = rel.find('/');
  if (slash == std::string::npos) return {};
  const std::string top = rel.substr(0, slash);
  if (top == "model") {
    const std::size_t second = rel.find('/', slash + 1);
    if (second != std::string::npos) {
      const std::string sub = rel.substr(0, second);
      return kFloors.count(sub) ? sub : std::string{};
    }
    return "model";
  }
  return kFloors.count(top) ? top : std::string{};
}

struct Violation {
  std::string where; // lib/… file:line
  std::string text;  // what it includes and why that is not allowed
};

// Every #include "…" of the files under `lib` that runs up a floor or sideways, and every file
// or included header under lib/ that is in no room of the table.
std::vector<Violation> include_violations(const std::filesystem::path& lib) {
  namespace fs = std::filesystem;
  const std::regex include_re(R"re(^\s*#\s*include\s*"([^"]+)")re");
  std::vector<Violation> out;
  std::vector<fs::path> files;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(lib))
    if (e.is_regular_file() && (e.path().extension() == ".h" || e.path().extension() == ".cpp"))
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    const std::string rel = fs::relative(file, lib).generic_string();
    const std::string room = room_of(rel);
    if (room.empty()) {
      out.push_back({"lib/" + rel, "is in no room of the floor table"});
      continue;
    }
    std::ifstream in(file);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      std::smatch m;
      if (!std::regex_search(line, m, include_re)) continue;
      const std::string target = m[1].str();
      const std::string where = "lib/" + rel + ":" + std::to_string(n);
      if (!fs::exists(lib / target)) {
        out.push_back({where, "includes \"" + target + "\", which is not a path under lib/"});
        continue;
      }
      const std::string to = room_of(target);
      if (to.empty()) {
        out.push_back({where, "includes \"" + target + "\", which is in no room"});
      } else if (to != room && kFloors.at(to) >= kFloors.at(room)) {
        out.push_back({where, room + " (floor " + std::to_string(kFloors.at(room)) +
                                  ") includes \"" + target + "\" of " + to + " (floor " +
                                  std::to_string(kFloors.at(to)) + ")"});
      }
    }
  }
  return out;
}

} // namespace

TEST_CASE("lib/: no #include runs up a floor or sideways between rooms") {
  const std::filesystem::path lib = std::filesystem::path(OTEL_AUDIT_SOURCE_DIR) / "lib";
  for (const Violation& v : include_violations(lib)) {
    INFO(v.where, ": ", v.text);
    CHECK(false);
  }
  // Every directory of lib/ is a room of the table, so a new one is placed on purpose.
  for (const auto& e : std::filesystem::recursive_directory_iterator(lib)) {
    if (!e.is_directory()) continue;
    const std::string rel = std::filesystem::relative(e.path(), lib).generic_string();
    if (rel == "rules/families") continue; // part of rules
    INFO(rel);
    CHECK(kFloors.count(rel) == 1);
  }
}

TEST_CASE("room_of: rooms of nested paths") {
  CHECK(room_of("model/cargo/workspace.h") == "model/cargo");
  CHECK(room_of("model/repository.h") == "model");
  CHECK(room_of("rules/families/source.h") == "rules");
  CHECK(room_of("report/json.h") == "report");
  CHECK(room_of("nowhere/x.h").empty());
  CHECK(room_of("top.h").empty());
}
