#include "source/budget.h"

#include <mutex>

namespace otelaudit {

namespace {

std::mutex g_mutex;
ReadBudget g_budget;

} // namespace

ReadBudget read_budget() {
  std::lock_guard lock(g_mutex);
  return g_budget;
}

void set_read_budget(const ReadBudget& budget) {
  std::lock_guard lock(g_mutex);
  g_budget = budget;
}

std::string budget_exceeded(const std::string& name, std::size_t limit, const std::string& unit,
                            const std::string& consequence) {
  return "repository budget \"" + name + "\" of " + std::to_string(limit) + " " + unit +
         " reached: " + consequence;
}

} // namespace otelaudit
