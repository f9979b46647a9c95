#pragma once
// Memory measurements for the hostile-input tests: how much a piece of work makes a process
// grow at its peak, measured in a child so that the peak starts from the child's own size.
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace otelaudit::testsupport {

/// A "Vm…:" field of /proc/self/status in kB, or -1.
inline long status_kb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(field.size()));
  return -1;
}

/// How much the resident memory of a child process grows at its peak while it runs `work`, in
/// kB (-1 when it could not be measured, or when `work` threw). A child, because its peak
/// starts from its own size.
template <class Work>
long peak_growth_kb(Work work) {
  int fds[2];
  if (::pipe(fds) != 0) return -1;
  const pid_t pid = ::fork();
  if (pid == 0) {
    long growth = -1;
    try {
      const long before = status_kb("VmRSS:");
      work();
      growth = status_kb("VmHWM:") - before;
    } catch (...) {
    }
    (void)!::write(fds[1], &growth, sizeof growth);
    ::_exit(0);
  }
  ::close(fds[1]);
  long growth = -1;
  if (pid < 0 || ::read(fds[0], &growth, sizeof growth) != sizeof growth) growth = -1;
  ::close(fds[0]);
  if (pid > 0) ::waitpid(pid, nullptr, 0);
  return growth;
}

} // namespace otelaudit::testsupport
