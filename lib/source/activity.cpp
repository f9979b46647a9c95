#include "source/activity.h"

#include <mutex>
#include <utility>

namespace otelaudit {

namespace {

// Never destroyed: a watchdog thread may still ask while the process exits.
std::mutex& registry_mutex() {
  static auto* mutex = new std::mutex;
  return *mutex;
}

std::list<std::string>& registry() {
  static auto* reads = new std::list<std::string>;
  return *reads;
}

} // namespace

ReadingNow::ReadingNow(std::string what) {
  std::lock_guard lock(registry_mutex());
  entry_ = registry().insert(registry().end(), std::move(what));
}

ReadingNow::~ReadingNow() {
  std::lock_guard lock(registry_mutex());
  registry().erase(entry_);
}

std::vector<std::string> reads_in_progress() {
  std::lock_guard lock(registry_mutex());
  return {registry().begin(), registry().end()};
}

} // namespace otelaudit
