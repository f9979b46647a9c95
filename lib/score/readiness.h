#pragma once
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/location.h"
#include "common/suppression.h"
#include "model/deploy/summary.h"
#include "rules/finding.h"

namespace otelaudit {

/// Where a repository stands against the target line.
enum class RepoStatus { aligned, behind, critical, no_otel };
std::string_view to_string(RepoStatus s);

enum class Verdict { go, no_go };
std::string_view to_string(Verdict v); // "GO" / "NO-GO"

/// One OpenTelemetry-related crate a repository declares, as the reports list it.
struct CrateUse {
  std::string name;        // real crate name (after `package = …` renames)
  std::string requirement; // as written, e.g. "0.26"; empty for path/git without version
  std::optional<std::string> resolved; // version from Cargo.lock, when there is one
  std::string package;                 // the package (crate) of the repository declaring it
  Location loc;
};

/// Everything the reports say about one repository.
struct RepoResult {
  std::string name;
  std::string path;   // as given on the command line (URL secrets redacted)
  std::string commit; // audited commit id; empty for a directory on disk
  RepoStatus status = RepoStatus::no_otel;
  std::optional<std::string> otel_line; // e.g. "0.26"
  std::string exporter;                 // e.g. "opentelemetry-otlp 0.26", empty when none
  std::string bridge;                   // e.g. "tracing-opentelemetry 0.22", empty when none
  bool has_lockfile = false;
  // Whether any Cargo.toml lies under it; a repository without one is audited only when it
  // holds deployment files (`deployment`), and the reports say it has no Rust.
  bool rust = true;
  bool deployment = false; // it holds deployment files (Compose, Kubernetes, collector, .env)
  int score = 100;
  double effort_hours = 0; // time to readiness: the estimates of its unsuppressed findings
  std::vector<CrateUse> crates;
  deploy::DeploySummary deploy;  // the deployment table; every answer n/a without such files
  std::vector<Finding> findings; // sorted with finding_less
  // Its inline `otel-audit: allow(…)` comments, applied with the rest of the policy once the
  // cross-repository findings exist too (audit/policy.h).
  std::vector<InlineAllow> allows;
  std::map<std::string, std::string> sources; // file -> text, for source lines under findings
};

struct SetAnalysis; // graph/analysis.h: the cross-repository analysis

/// The finding counts every report prints beside the score and verdict, computed once after
/// the policy (score_result), so no renderer counts for itself.
struct Summary {
  // Effective findings by severity (indexed by Severity): neither suppressed nor baselined.
  std::array<int, 5> counts{};
  int total = 0;      // the effective findings, all severities
  int suppressed = 0; // silenced by an allow comment or an ignore entry: never counted
  int baselined = 0;  // already in the --baseline report (and not suppressed): never counted
  int allowed = 0;    // dropped by -A (in no report): never counted
  // Effective findings by rule, then severity: the per-rule table of the text report.
  std::map<std::string, std::array<int, 5>> by_rule;

  int of(Severity s) const { return counts[static_cast<std::size_t>(s)]; }
};

/// The gate's decision, the bars it applied and why it failed (audit/baseline.h judges it):
/// the exit code follows `failed` and nothing else.
struct GateResult {
  bool failed = false;
  bool score_too_low = false;
  int failing = 0;                 // findings that fail the gate
  int baselined = 0;               // findings known from the baseline: never counted
  int warned = 0;                  // findings exempt through -W
  int suppressed = 0;              // findings silenced inline: never counted
  std::optional<Severity> fail_on; // the bar, nullopt for `--fail-on none`
  int min_score = 0;
  // Why it failed, one sentence each ("3 findings at or above high (--fail-on high)"); empty
  // when it passed.
  std::vector<std::string> reasons;
};

/// Where the policy of a run came from, which every report states: a config file inside an
/// audited repository is written by whoever writes the repository, and could switch its gate off.
struct PolicySource {
  std::string file;        // the config file applied; empty: the built-in defaults
  std::string inside_repo; // the audited repository that file lies in; empty when none
  std::string ignored;     // the config file found but ignored (--no-config); empty when none
};

/// One line on the policy source: "built-in defaults (no config file)", "otel-audit.toml",
/// "otel-audit.toml, inside the audited repository app", "built-in defaults (otel-audit.toml
/// ignored: --no-config)".
std::string describe(const PolicySource& source);

/// The result of one audit: what every renderer draws.
struct AuditResult {
  std::string target; // canonical line, e.g. "0.27"
  int score = 100;
  double effort_hours = 0;       // the repositories' time to readiness, summed
  Verdict verdict = Verdict::go; // readiness: no effective blocker and score >= verdict_min_score
  int verdict_min_score = 0;     // the readiness minimum of rules/scoring.toml ([verdict])
  Summary summary;               // the counts beside score and verdict
  GateResult gate; // what the exit code is judged on (fail-on, min-score, -W/-D, baseline)
  std::vector<RepoResult> repos;
  PolicySource policy_source;                  // set by the command that ran the audit
  std::vector<std::string> warnings;           // policy entries that matched nothing, and the like
  std::shared_ptr<const SetAnalysis> analysis; // graph, link matrix, spread, migration order
};

} // namespace otelaudit
