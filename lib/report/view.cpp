#include "report/view.h"

#include "score/score.h"

namespace otelaudit {

std::vector<const Finding*> shown_findings(const RepoResult& repo, const TextOptions& options) {
  std::vector<const Finding*> out;
  for (const Finding& f : repo.findings)
    if (effective(f) || options.show_suppressed) out.push_back(&f);
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
