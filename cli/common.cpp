#include "common.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "common/display.h"
#include "common/redact.h"
#include "formats.h"
#include "options.h"
#include "report/output.h"
#include "rules/finding.h"
#include "source/activity.h"
#include "source/remote.h"

namespace otelaudit::cli {

namespace fs = std::filesystem;

namespace {

/// The -A/-W/-D entries in a fixed order (allow, warn, deny), or nullopt after printing what is
/// wrong with them.
std::optional<std::vector<LevelEntry>> collect_levels(const PolicyArgs& args) {
  std::vector<LevelEntry> levels;
  for (auto [keys, action] :
       {std::pair{&args.allow, LevelAction::allow}, std::pair{&args.warn, LevelAction::warn},
        std::pair{&args.deny, LevelAction::deny}})
    for (const std::string& key : *keys)
      levels.push_back({key, action, std::string(level_flag(action))});
  if (std::string problem = check_levels(levels); !problem.empty()) {
    error(problem);
    return std::nullopt;
  }
  return levels;
}

/// Reports -A/-W/-D entries that applied to nothing, so stale exemptions get noticed.
void warn_unmatched(const LevelReport& levels) {
  for (const LevelEntry& e : levels.unmatched)
    std::fprintf(stderr, "otel-audit: warning: %s \"%s\" matched no finding\n", e.origin.c_str(),
                 stderr_safe(e.key).c_str());
}

/// The gate's exit code, with a note on stderr of the findings it did not count.
int gate_exit(const AuditResult& result, const std::optional<Baseline>& baseline,
              const LevelReport& levels, bool quiet) {
  const GateResult& gate = result.gate;
  if (baseline && !quiet)
    std::fprintf(
        stderr,
        "otel-audit: %d finding(s) already in the baseline \"%s\" are accepted: they count "
        "for neither the summary, the score, the verdict nor the gate\n",
        gate.baselined, baseline->file.c_str());
  if (levels.allowed > 0 && !quiet)
    std::fprintf(stderr, "otel-audit: %d finding(s) allowed by -A are not reported\n",
                 levels.allowed);
  return gate.failed ? kGateFailed : kPass;
}

/// The report in the chosen format; text is coloured only on a terminal, never with NO_COLOR.
std::string render_report(const AuditResult& result, const PolicyArgs& args) {
  TextOptions opts;
  bool tty = args.output.empty() && isatty(STDOUT_FILENO);
  opts.color = args.color == "always" || (args.color == "auto" && tty && !env_set("NO_COLOR"));
  opts.show_suppressed = args.show_suppressed;
  opts.show = parse_severity(args.show).value_or(Severity::low);
  return find_format(audit_formats(), args.format).render(result, opts);
}

} // namespace

void error(const std::string& message) {
  std::fprintf(stderr, "otel-audit: error: %s\n", stderr_safe(message).c_str());
}

std::string stderr_safe(std::string_view text) {
  return display_safe(redact_secrets(text), Whitespace::keep);
}

void print_diagnostics(const std::vector<Diagnostic>& diags) {
  // A problem of no file (an unknown target) or of a whole file (unreadable) has no line.
  for (const Diagnostic& d : diags)
    if (d.loc.file.empty())
      std::fprintf(stderr, "otel-audit: error: %s\n", stderr_safe(d.message).c_str());
    else if (d.loc.line == 0)
      std::fprintf(stderr, "%s: error: %s\n", stderr_safe(d.loc.file).c_str(),
                   stderr_safe(d.message).c_str());
    else
      std::fprintf(stderr, "%s:%d:%d: error: %s\n", stderr_safe(d.loc.file).c_str(), d.loc.line,
                   d.loc.column, stderr_safe(d.message).c_str());
}

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v && *v;
}

FetchWatchdog::FetchWatchdog(int seconds) : seconds_(seconds) {
  if (seconds_ > 0) thread_ = std::thread([this] { run(); });
}

FetchWatchdog::~FetchWatchdog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FetchWatchdog::begin(const std::string& shown) {
  std::lock_guard<std::mutex> lock(mutex_);
  active_ = true;
  shown_ = shown;
  last_ = std::chrono::steady_clock::now();
}

void FetchWatchdog::beat() {
  std::lock_guard<std::mutex> lock(mutex_);
  last_ = std::chrono::steady_clock::now();
}

void FetchWatchdog::end() {
  std::lock_guard<std::mutex> lock(mutex_);
  active_ = false;
}

void FetchWatchdog::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::milliseconds(200));
    if (!active_ || std::chrono::steady_clock::now() - last_ < std::chrono::seconds(seconds_))
      continue;
    // The transfer blocks inside libgit2 and cannot be cancelled: the process ends here.
    std::fprintf(stderr,
                 "\notel-audit: error: no data from %s for %d s: giving up (raise the limit with "
                 "--network-timeout SECONDS, 0 for none)\n",
                 stderr_safe(shown_).c_str(), seconds_);
    std::fflush(stderr);
    remove_unfinished_clones();
    std::_Exit(kToolFailure);
  }
}

RunTimeout::RunTimeout(int seconds) : seconds_(seconds) {
  if (seconds_ <= 0) return;
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds_);
    if (wake_.wait_until(lock, deadline, [this] { return stop_; })) return;
    std::string under_way;
    for (const std::string& read : reads_in_progress())
      under_way += (under_way.empty() ? "" : "; ") + read;
    if (under_way.empty()) under_way = "no read of a repository (the audit itself)";
    // The blocked call cannot be cancelled: the process ends here.
    std::fprintf(stderr,
                 "%sotel-audit: error: the run did not finish within %d s and was stopped "
                 "(raise the limit with --timeout SECONDS, 0 for none); under way: %s\n",
                 isatty(STDERR_FILENO) ? "\r\x1b[2K" : "", seconds_,
                 stderr_safe(under_way).c_str());
    std::fflush(stderr);
    remove_unfinished_clones();
    std::_Exit(kToolFailure);
  });
}

RunTimeout::~RunTimeout() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void add_timeout_option(CLI::App& cmd, int& seconds) {
  cmd.add_option("--timeout", seconds,
                 "Stop the whole run (exit 3) after this many seconds, naming what it was "
                 "reading (0: never)")
      ->type_name("SECONDS")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

AcquireOptions acquire_options(const std::string& cache_dir, bool offline, Progress& progress,
                               FetchWatchdog& watchdog) {
  AcquireOptions out;
  out.cache_dir = cache_dir;
  out.offline = offline;
  out.progress = [&progress](const std::string& url, const FetchProgress& p) { progress(url, p); };
  out.heartbeat = [&watchdog] { watchdog.beat(); };
  return out;
}

void Progress::operator()(const std::string& url, const FetchProgress& p) {
  if (!enabled_) return;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "\r\x1b[2K%s: %s", stderr_safe(url).c_str(),
               progress_line(p, seconds).c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  if (drawn_) std::fputs("\r\x1b[2K", stderr);
  drawn_ = false;
}

std::optional<Config> load_user_config(const RulesArgs& args, bool& failed, PolicySource* source) {
  failed = false;
  // The config file: named, or otel-audit.toml in the current directory (the user's own,
  // unless the current directory is the audited repository: --no-config).
  std::string config_file = args.config;
  // The switch that keeps a pull request from setting its own gate: a value it does not know
  // (`true`, `yes`) is an error, never silently the same as unset.
  const std::string_view env = [] {
    const char* v = std::getenv("OTEL_AUDIT_NO_CONFIG");
    return v ? std::string_view(v) : std::string_view();
  }();
  if (!env.empty() && env != "0" && env != "1") {
    error("OTEL_AUDIT_NO_CONFIG is \"" + std::string(env) +
          "\": expected 1 (ignore ./otel-audit.toml) or 0");
    failed = true;
    return std::nullopt;
  }
  std::error_code ec;
  if (config_file.empty() && fs::is_regular_file("otel-audit.toml", ec)) {
    if (args.no_config || env == "1") {
      if (source) source->ignored = "otel-audit.toml";
      return std::nullopt;
    }
    config_file = "otel-audit.toml";
  }
  if (config_file.empty()) return std::nullopt;
  ConfigResult loaded = load_config(config_file);
  if (!loaded.config) {
    print_diagnostics(loaded.errors);
    failed = true;
    return std::nullopt;
  }
  if (source) source->file = config_file;
  return std::move(loaded.config);
}

void note_config_inside(PolicySource& source,
                        const std::vector<std::pair<std::string, std::string>>& dirs) {
  if (source.file.empty()) return;
  std::error_code ec;
  const fs::path file = fs::weakly_canonical(source.file, ec);
  if (ec) return;
  for (const auto& [dir, name] : dirs) {
    const fs::path root = fs::weakly_canonical(dir, ec);
    if (ec) continue;
    const fs::path rel = file.lexically_relative(root);
    if (rel.empty() || *rel.begin() == "..") continue;
    source.inside_repo = name;
    std::fprintf(stderr,
                 "otel-audit: warning: the policy comes from %s, inside the audited repository "
                 "%s: its content decides the gate (ignore it with --no-config or "
                 "OTEL_AUDIT_NO_CONFIG=1)\n",
                 stderr_safe(source.file).c_str(), stderr_safe(name).c_str());
    return;
  }
}

void add_rules_options(CLI::App& cmd, RulesArgs& args, const std::string& config_help,
                       const std::string& target_help, bool show_default) {
  cmd.add_option("--config,-c", args.config, config_help)->type_name("FILE");
  cmd.add_flag("--no-config", args.no_config,
               "Ignore ./otel-audit.toml (as OTEL_AUDIT_NO_CONFIG=1 does): a config inside an "
               "audited repository is the repository's to write");
  args.target_opt = cmd.add_option("--target", args.target, target_help)->type_name("LINE");
  if (show_default) args.target_opt->capture_default_str();
  cmd.add_option("--rules-dir", args.rules_dir, "Directory of the rule data files")
      ->type_name("DIR");
}

void add_fetch_options(CLI::App& cmd, FetchArgs& args) {
  cmd.add_option("--cache-dir", args.cache_dir,
                 "Where URLs are cloned (default: $XDG_CACHE_HOME/otel-audit)")
      ->type_name("DIR");
  cmd.add_flag("--offline", args.offline, "Use cached clones only; never touch the network");
  cmd.add_option("--network-timeout", args.network_timeout,
                 "Give up a clone or fetch that receives nothing for this many seconds (0: never)")
      ->type_name("SECONDS")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  add_timeout_option(cmd, args.timeout);
}

void add_report_options(CLI::App& cmd, PolicyArgs& args) {
  add_format_option(cmd, args.format, audit_formats(), "Report format");
  cmd.add_option("--output,-o", args.output,
                 "Write the report to FILE (atomically) instead of stdout")
      ->type_name("FILE");
  args.fail_on_opt =
      cmd.add_option("--fail-on", args.fail_on, "Fail (exit 1) on findings at or above")
          ->type_name("SEVERITY")
          ->check(severity_names())
          ->capture_default_str();
  args.min_score_opt =
      cmd.add_option("--min-score", args.min_score, "Fail (exit 1) when the score is below N")
          ->type_name("N")
          ->check(CLI::Range(0, 100));
  cmd.add_option("--color", args.color, "Colour the text report")
      ->type_name("WHEN")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  cmd.add_option("--show", args.show,
                 "Print findings at or above this severity in the text and Markdown reports "
                 "(the rest are counted; JSON and SARIF hold every finding)")
      ->type_name("SEVERITY")
      ->check(CLI::IsMember({"blocker", "high", "medium", "low", "info"}))
      ->capture_default_str();
  cmd.add_flag("--show-suppressed", args.show_suppressed,
               "Print suppressed and baselined findings in full in the text and Markdown reports "
               "(they are counted apart, never for the summary or the verdict)");
}

std::optional<Config> load_config_target(RulesArgs& args, bool& failed) {
  std::optional<Config> config = load_user_config(args, failed);
  if (config && config->policy.target && !args.target_opt->count())
    args.target = *config->policy.target;
  return config;
}

std::optional<Ruleset> load_rules(const std::string& rules_dir, const std::string& target,
                                  const char* argv0) {
  const std::optional<fs::path> dir = find_rules_dir(rules_dir, argv0);
  if (!dir) return std::nullopt;
  RulesetResult rules = load_ruleset(*dir, target);
  if (!rules.ruleset) print_diagnostics(rules.errors);
  return std::move(rules.ruleset);
}

std::optional<ResolvedPolicy> resolve_policy(PolicyArgs& args) {
  ResolvedPolicy out;
  bool failed = false;
  out.config = load_user_config(args, failed, &out.source);
  if (failed) return std::nullopt;

  AuditPolicy& policy = out.policy;
  if (out.config) {
    const Config& config = *out.config;
    const Policy& p = config.policy;
    if (p.target && !args.target_opt->count()) args.target = *p.target;
    if (!args.fail_on_opt->count() && (p.fail_on_none || p.fail_on)) {
      args.fail_on = p.fail_on_none ? "none" : std::string(to_string(*p.fail_on));
      policy.fail_on_source = config.file + " [policy] fail-on";
    }
    if (p.min_score && !args.min_score_opt->count()) {
      args.min_score = *p.min_score;
      policy.min_score_source = config.file + " [policy] min-score";
    }
    for (const SeverityOverride& o : p.severity)
      policy.severity_overrides[o.rule] = o.severity;
    for (const IgnoreEntry& ig : p.ignore)
      policy.ignores.push_back({ig.rule, ig.repo, ig.path, ig.reason,
                                fmt::format("{}:{}:{}", config.file, ig.loc.line, ig.loc.column)});
  }
  policy.min_score = args.min_score;
  policy.jobs = args.jobs;

  if (args.fail_on != "none") {
    policy.fail_on = parse_severity(args.fail_on);
    if (!policy.fail_on) {
      error(fmt::format("--fail-on \"{}\" is not one of blocker, high, medium, low, info, none",
                        args.fail_on));
      return std::nullopt;
    }
  } else {
    policy.fail_on = std::nullopt;
  }
  std::optional<std::vector<LevelEntry>> levels = collect_levels(args);
  if (!levels) return std::nullopt;
  policy.levels = *levels;
  if (!args.baseline.empty()) {
    BaselineResult loaded = load_baseline(args.baseline);
    if (!loaded.baseline) {
      error(loaded.error);
      return std::nullopt;
    }
    out.policy.baseline = std::move(loaded.baseline);
  }
  return out;
}

bool nothing_to_audit(const std::vector<RepoResult>& repos) {
  bool none = false;
  for (const RepoResult& r : repos)
    if (!r.rust && !r.deployment) {
      error(fmt::format("{}: no Cargo.toml anywhere under it, and no deployment files: nothing to "
                        "audit",
                        r.path));
      none = true;
    }
  return none;
}

void add_gate_options(CLI::App& cmd, PolicyArgs& args) {
  cmd.add_option(
         "--baseline", args.baseline,
         "A previous JSON report: findings already in it are accepted and count for nothing")
      ->type_name("FILE");
  auto level = [&cmd](const char* names, std::vector<std::string>& keys, const char* what) {
    cmd.add_option(names, keys, what)
        ->type_name("RULE|SEVERITY")
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  };
  level("-A,--allow", args.allow, "Allow: drop the rule's (or severity's) findings everywhere");
  level("-W,--warn", args.warn, "Warn: report the findings, never fail the gate on them");
  level("-D,--deny", args.deny, "Deny: any such finding fails the gate");
}

CLI::Validator severity_names() {
  // Accepts every value: resolve_policy checks it once the config file's is merged.
  return CLI::Validator([](std::string&) { return std::string(); },
                        "{blocker,high,medium,low,info,none}");
}

int deliver_report(AuditResult& result, const PolicyArgs& args, const ResolvedPolicy& policy,
                   const LevelReport& levels) {
  result.policy_source = policy.source;
  if (!args.quiet) {
    warn_unmatched(levels);
    for (const std::string& w : result.warnings)
      std::fprintf(stderr, "otel-audit: warning: %s\n", stderr_safe(w).c_str());
  }

  std::string report = render_report(result, args);
  if (args.output.empty()) {
    std::fwrite(report.data(), 1, report.size(), stdout);
    std::fflush(stdout);
  } else {
    std::string err;
    if (!write_file_atomically(args.output, report, err)) {
      error(err);
      return kToolFailure;
    }
  }
  return gate_exit(result, policy.policy.baseline, levels, args.quiet);
}

} // namespace otelaudit::cli
