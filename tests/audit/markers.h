#pragma once
// The inline-expectation harness of the fixture repositories (fixtures/README.md): every audited
// file says, on the line a finding points at, which findings it must produce there
// (`# expect: 2×otel-version-behind@high, missing-feature@high`) and which it must not
// (`# must-not: otel-line-mixed`). The comparison is exact: per line, the multiset of
// (rule, severity) found must equal the one marked.
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "audit/audit.h"

namespace otelaudit::markers {

/// (file relative to the repository root, line): where markers and findings are compared.
using Place = std::pair<std::string, int>;
/// How many findings of each (rule, severity) one line holds.
using Counts = std::map<std::pair<std::string, Severity>, int>;

/// What one repository's files say must and must not be found, and what is wrong with them.
struct Markers {
  std::map<Place, Counts> expect;
  std::set<std::tuple<std::string, int, std::string>> must_not; // (file, line, rule)
  std::vector<std::string> errors; // malformed markers, "file:line: what is wrong"
};

/// Reads the markers of every file of `tree`: `expect:` / `must-not:` lists after `#`, `//` or
/// `;` on a line, and the `file:line: marker` lines of a root `expect.txt`.
Markers read_markers(const Tree& tree);

/// Every difference between `markers` and `findings`, one line each ("Cargo.toml:7: expected
/// otel-version-behind@blocker, found otel-version-behind@high"), with the marker errors first;
/// empty when they agree.
std::vector<std::string> compare(const Markers& markers, const std::vector<Finding>& findings);

/// Audits `inputs` together (as `otel-audit check A B …` does) against `rules` and compares every
/// repository with its own markers; each difference is prefixed with the repository's name.
std::vector<std::string> check_repositories(const std::vector<RepoInput>& inputs,
                                            const Ruleset& rules);

/// The differences one a line, for a failure message.
std::string describe(const std::vector<std::string>& differences);

} // namespace otelaudit::markers
