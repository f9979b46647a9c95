#include "report/view.h"

#include <algorithm>
#include <array>

#include "score/score.h"

namespace otelaudit {

std::vector<const Finding*> shown_findings(const RepoResult& repo, const TextOptions& options) {
  std::vector<const Finding*> out;
  for (const Finding& f : repo.findings)
    if (f.severity >= options.show && (effective(f) || options.show_suppressed)) out.push_back(&f);
  std::stable_sort(out.begin(), out.end(), [](const Finding* a, const Finding* b) {
    if (a->severity != b->severity) return a->severity > b->severity;
    return finding_less(*a, *b);
  });
  return out;
}

std::string hidden_counts(const Summary& summary, const TextOptions& options) {
  std::string out;
  for (Severity s : {Severity::high, Severity::medium, Severity::low, Severity::info}) {
    const int n = summary.of(s);
    if (s >= options.show || n == 0) continue;
    const std::string name(to_string(s));
    out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + name + " (--show " + name + ")";
  }
  return out;
}

std::string not_counted_counts(const Summary& summary) {
  std::string out;
  auto add = [&out](int n, const std::string& what) {
    if (n > 0) out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + what;
  };
  add(summary.suppressed, "suppressed");
  add(summary.allowed, "allowed by -A");
  add(summary.baselined, "baselined");
  return out;
}

} // namespace otelaudit
