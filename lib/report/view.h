#pragma once
#include <string>
#include <vector>

#include "report/text.h"
#include "score/readiness.h"

namespace otelaudit {

/// The findings of one repository a report for people (text, Markdown) shows in full, in the
/// order it shows them: the suppressed and baselined ones only with `options.show_suppressed`.
std::vector<const Finding*> shown_findings(const RepoResult& repo, const TextOptions& options);

/// The findings the summary does not count, as the reports say it: "12 suppressed, 3 allowed
/// by -A, 36 baselined"; empty when every finding counts.
std::string not_counted_counts(const Summary& summary);

} // namespace otelaudit
