#pragma once
#include <CLI/CLI.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit.h"
#include "audit/baseline.h"
#include "config/config.h"
#include "rules/ruleset.h"
#include "source/acquire.h"
#include "source/remote.h"

namespace otelaudit::cli {

/// The options that choose the rule data, shared by check, scan, report and fix: the config
/// file (whose [policy] target applies unless --target is given), the target line and the
/// rules directory.
struct RulesArgs {
  std::string config;
  bool no_config = false; // --no-config: ./otel-audit.toml is not read
  std::string target = "0.27";
  std::string rules_dir;
  CLI::Option* target_opt = nullptr;
};

/// Adds --config,-c, --target and --rules-dir, in that order, with what the config file and
/// the target mean to the command; `show_default`: --help shows the target's default.
void add_rules_options(CLI::App& cmd, RulesArgs& args, const std::string& config_help,
                       const std::string& target_help, bool show_default = true);

/// How a command reaches repositories given as URLs, and how long it may run: shared by check,
/// scan and history.
struct FetchArgs {
  std::string cache_dir;
  bool offline = false;
  int network_timeout = 120;
  int timeout = 3600;
};

/// Adds --cache-dir, --offline, --network-timeout and --timeout, in that order.
void add_fetch_options(CLI::App& cmd, FetchArgs& args);

/// The options of every command that judges a set (check, report): config, policy, gate and
/// output. Which of them were given on the command line decides whether the config file's
/// value applies.
struct PolicyArgs : RulesArgs {
  std::string format = "text";
  std::string output;
  std::string fail_on = "blocker";
  int min_score = 0;
  std::string color = "auto";
  bool show_suppressed = false; // --show-suppressed: text and Markdown print them in full
  std::string show = "low";     // --show: the least severity text and Markdown print in full
  bool quiet = false;
  unsigned jobs = 0; // --jobs (check only); 0: one per core
  CLI::Option* fail_on_opt = nullptr;
  CLI::Option* min_score_opt = nullptr;
  std::string baseline;
  std::vector<std::string> allow, warn, deny; // -A / -W / -D
};

/// The policy the config file and the command line resolve to.
struct ResolvedPolicy {
  std::optional<Config> config;
  PolicySource source; // inside_repo is set by the command once it knows its repositories
  AuditPolicy policy;  // its fail_on is nullopt for `--fail-on none`
};

/// Prints `otel-audit: error: <message>` on stderr.
void error(const std::string& message);

/// `text` (an error or warning that may quote a repository's names or a URL) as it may go to
/// stderr: secrets redacted (common/redact.h), lines kept, every other control or format
/// character shown escaped (common/display.h).
std::string stderr_safe(std::string_view text);

/// Prints each diagnostic as `file:line:column: error: message` on stderr.
void print_diagnostics(const std::vector<Diagnostic>& diags);

/// True when the environment variable is set to something.
bool env_set(const char* name);

/// The user's config file: --config, else ./otel-audit.toml when present unless --no-config or
/// OTEL_AUDIT_NO_CONFIG=1 says to ignore it, else none (nullopt and `failed` false). A config
/// that does not load is printed and sets `failed`. `source`, when given, says which file applies
/// and which was ignored.
std::optional<Config> load_user_config(const RulesArgs& args, bool& failed,
                                       PolicySource* source = nullptr);

/// Sets `source.inside_repo` when the config file lies inside one of the audited directories
/// (`dirs`, each with its repository's name) and says so on stderr: the repository, not the
/// person running the audit, then decides the policy.
void note_config_inside(PolicySource& source,
                        const std::vector<std::pair<std::string, std::string>>& dirs);

/// Applies the config file's target to `args` unless --target was given. nullopt and `failed`
/// after printing a config file that does not load.
std::optional<Config> load_config_target(RulesArgs& args, bool& failed);

/// Finds the rules directory (--rules-dir, the environment, beside the program) and loads the
/// rule data for `target`; nullopt after printing why it cannot.
std::optional<Ruleset> load_rules(const std::string& rules_dir, const std::string& target,
                                  const char* argv0);

/// Adds --format, --output, --fail-on, --min-score and --color, in that order: what check and
/// report print and judge.
void add_report_options(CLI::App& cmd, PolicyArgs& args);

/// Loads the config and resolves target, --fail-on, --min-score (command line first), severity
/// overrides, ignores, -A/-W/-D and the baseline. nullopt after printing what is wrong
/// (exit 2).
std::optional<ResolvedPolicy> resolve_policy(PolicyArgs& args);

/// Prints an error for each audited repository with no Cargo.toml anywhere under it and no
/// deployment files either, naming its path: true when there is one (exit 2, nothing to audit).
bool nothing_to_audit(const std::vector<RepoResult>& repos);

/// --baseline and -A/-W/-D (docs/rules.md "Severity policy").
void add_gate_options(CLI::App& cmd, PolicyArgs& args);

/// Names the values --fail-on takes ({blocker,…,none}) for --help, the man page and the shell
/// completions, and accepts any: resolve_policy checks the value once the config file's is
/// merged, with a message that says where it came from.
CLI::Validator severity_names();

/// The end of a judging command once the result is complete (policy applied): warns
/// about policy entries that matched nothing, writes the report (stdout or --output,
/// atomically) and returns the gate's exit code (kToolFailure when the report cannot be
/// written).
int deliver_report(AuditResult& result, const PolicyArgs& args, const ResolvedPolicy& policy,
                   const LevelReport& levels);

/// Ends the process with exit code 3 when a clone or fetch hears nothing from its remote for
/// `seconds`: libgit2 1.5 has no network timeouts, so a server that accepts the connection and
/// never answers would hang the audit, and the CI step running it, for ever. A half-made clone
/// is a temporary directory that the next run replaces. 0 disables the watch.
class FetchWatchdog {
public:
  explicit FetchWatchdog(int seconds);
  ~FetchWatchdog();
  FetchWatchdog(const FetchWatchdog&) = delete;
  FetchWatchdog& operator=(const FetchWatchdog&) = delete;

  /// Watches the transfers from `shown` (a redacted URL, for the message) until end().
  void begin(const std::string& shown);
  /// The remote sent something.
  void beat();
  void end();

private:
  void run();

  int seconds_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool active_ = false;
  bool stop_ = false;
  std::string shown_;
  std::chrono::steady_clock::time_point last_;
  std::thread thread_;
};

/// Ends the process with exit code 3 when the whole run takes longer than `seconds`
/// (--timeout): a read blocked inside libgit2 or the kernel (a FIFO where libgit2 expects a ref
/// or its config, a file system that stops answering) cannot be interrupted, and a CI step must
/// end all the same. The message names the reads under way, so the repository and the object
/// it was stuck on; the clones under way are removed first. 0 disables it.
class RunTimeout {
public:
  explicit RunTimeout(int seconds);
  ~RunTimeout();
  RunTimeout(const RunTimeout&) = delete;
  RunTimeout& operator=(const RunTimeout&) = delete;

private:
  int seconds_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

/// Adds --timeout SECONDS (default: an hour) to a command that reads repositories.
void add_timeout_option(CLI::App& cmd, int& seconds);

class Progress;

/// A command's acquisition options: its cache and offline flags, transfers drawn by `progress`
/// and watched by `watchdog`.
AcquireOptions acquire_options(const std::string& cache_dir, bool offline, Progress& progress,
                               FetchWatchdog& watchdog);

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
