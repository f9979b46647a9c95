#pragma once
#include <cstddef>
#include <string>

namespace otelaudit {

/// What one audited repository may make the audit hold, checked while it is read (not after:
/// by then the memory is gone). No real repository comes near any of these; a hostile one
/// reaches them with a few hundred kilobytes (a git tree whose entries all point at the same
/// subtree lists 2^40 paths). A limit reached is a `repository-budget-exceeded` finding naming
/// it, where it was reached, and the rest of the repository is still audited. The size of one
/// file or git object is the separate file size limit (source/file_limit.h).
struct ReadBudget {
  std::size_t entries = 1'000'000;                // files, directories and links listed
  std::size_t path_bytes = std::size_t{64} << 20; // bytes of all listed paths together
  std::size_t depth = 128;                        // directory levels below the root
  std::size_t member_glob_tests = 10'000'000;     // (member glob, package directory) pairs tested
                                                  // while expanding the globs of all workspaces
};

/// The budget in force (process-wide, like the file size limit: the cli and tests set it
/// before reading repositories).
ReadBudget read_budget();
void set_read_budget(const ReadBudget& budget);

/// The message of a budget reached: `repository budget "<name>" of <limit> <unit> reached:
/// <consequence>`.
std::string budget_exceeded(const std::string& name, std::size_t limit, const std::string& unit,
                            const std::string& consequence);

/// The rule id of a budget reached.
inline constexpr const char* kBudgetRule = "repository-budget-exceeded";

} // namespace otelaudit
