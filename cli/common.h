#pragma once
#include <CLI/CLI.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "config/config.h"
#include "report/baseline.h"
#include "source/remote.h"

namespace otelaudit::cli {

/// The options of every command that judges a set (check, report): config, policy, gate and
/// output. Which of them were given on the command line decides whether the config file's
/// value applies.
struct PolicyArgs {
  std::string config;
  std::string target = "0.27";
  std::string rules_dir;
  std::string format = "text";
  std::string output;
  std::string fail_on = "blocker";
  int min_score = 0;
  std::string color = "auto";
  bool quiet = false;
  CLI::Option* target_opt = nullptr;
  CLI::Option* fail_on_opt = nullptr;
  CLI::Option* min_score_opt = nullptr;
  std::string baseline;
  std::vector<std::string> allow, warn, deny; // -A / -W / -D
};

/// The policy the config file and the command line resolve to.
struct ResolvedPolicy {
  std::optional<Config> config;
  AuditPolicy policy;
  std::optional<Severity> fail_on; // nullopt: `--fail-on none`
  std::optional<Baseline> baseline;
};

/// Prints `otel-audit: error: <message>` on stderr.
void error(const std::string& message);

/// Prints each diagnostic as `file:line:column: error: message` on stderr.
void print_diagnostics(const std::vector<Diagnostic>& diags);

/// True when the environment variable is set to something.
bool env_set(const char* name);

/// The user's config file: `flag`, else ./otel-audit.toml when present, else none (nullopt
/// and `failed` false). A config that does not load is printed and sets `failed`.
std::optional<Config> load_user_config(const std::string& flag, bool& failed);

/// Loads the config and resolves target, --fail-on, --min-score (command line first), severity
/// overrides, ignores, -A/-W/-D and the baseline. nullopt after printing what is wrong
/// (exit 2).
std::optional<ResolvedPolicy> resolve_policy(PolicyArgs& args);

/// --baseline and -A/-W/-D (docs/rules.md "Severity policy").
void add_gate_options(CLI::App& cmd, PolicyArgs& args);

/// The end of a judging command once the result is complete: marks baselined findings, warns
/// about policy entries that matched nothing, writes the report (stdout or --output,
/// atomically) and returns the gate's exit code (kToolFailure when the report cannot be
/// written).
int deliver_report(AuditResult& result, const PolicyArgs& args, const ResolvedPolicy& policy,
                   const LevelReport& levels);

/// Progress of clones and fetches, drawn on stderr only when a person watches it.
class Progress {
public:
  explicit Progress(bool enabled) : enabled_(enabled) {}
  void operator()(const std::string& url, const FetchProgress& p);
  void finish();

private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

} // namespace otelaudit::cli
