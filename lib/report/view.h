#pragma once
#include <string>
#include <vector>

#include "report/text.h"
#include "score/readiness.h"

namespace otelaudit {

/// The findings of one repository a report for people (text, Markdown) shows in full, in the
/// order it shows them: those at or above `options.show`, the suppressed and baselined ones only
/// with `options.show_suppressed`; the most severe first, then by file, line and column
/// (finding_less), so a repository's blocker is never below its notes.
std::vector<const Finding*> shown_findings(const RepoResult& repo, const TextOptions& options);

/// What the summary counts but `options.show` leaves out, as the reports say it: "13 info
/// (--show info)", "22 low (--show low), 13 info (--show info)"; empty when nothing is hidden.
std::string hidden_counts(const Summary& summary, const TextOptions& options);

/// The findings the summary does not count, as the reports say it: "12 suppressed, 3 allowed
/// by -A, 36 baselined"; empty when every finding counts.
std::string not_counted_counts(const Summary& summary);

} // namespace otelaudit
