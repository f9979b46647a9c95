#pragma once
#include <list>
#include <string>
#include <vector>

namespace otelaudit {

/// Marks, for as long as it lives, one read the audit has under way ("reading src/main.rs (git
/// object 1a2b…) of /repo"): a read blocked inside libgit2 or the kernel cannot be
/// interrupted, only abandoned with the process, and whoever abandons it (the cli's --timeout)
/// must be able to say which repository and which object it was stuck on.
class ReadingNow {
public:
  explicit ReadingNow(std::string what);
  ~ReadingNow();
  ReadingNow(const ReadingNow&) = delete;
  ReadingNow& operator=(const ReadingNow&) = delete;

private:
  std::list<std::string>::iterator entry_;
};

/// The reads under way in every thread, oldest first.
std::vector<std::string> reads_in_progress();

} // namespace otelaudit
