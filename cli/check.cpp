#include "check.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "audit/audit.h"
#include "config/config.h"
#include "options.h"
#include "report/baseline.h"
#include "report/github.h"
#include "report/json.h"
#include "report/markdown.h"
#include "report/output.h"
#include "report/sarif.h"
#include "report/text.h"
#include "rules/rule_table.h"
#include "rules/ruleset.h"
#include "source/acquire.h"

namespace otelaudit::cli {

namespace fs = std::filesystem;

namespace {

struct CheckArgs {
  std::vector<std::string> paths;
  std::string config;
  std::string target = "0.27";
  std::string rules_dir;
  std::string format = "text";
  std::string output;
  std::string fail_on = "blocker";
  int min_score = 0;
  std::string color = "auto";
  std::string ref;
  std::string cache_dir;
  bool offline = false;
  bool quiet = false;
  // Which options were given on the command line (they win over the config file).
  CLI::Option* target_opt = nullptr;
  CLI::Option* fail_on_opt = nullptr;
  CLI::Option* min_score_opt = nullptr;
  std::string baseline;
  std::vector<std::string> allow, warn, deny; // -A / -W / -D
};

void error(const std::string& message) {
  std::fprintf(stderr, "otel-audit: error: %s\n", message.c_str());
}

void print_diagnostics(const std::vector<Diagnostic>& diags) {
  for (const Diagnostic& d : diags)
    std::fprintf(stderr, "%s:%d:%d: error: %s\n", d.loc.file.c_str(), d.loc.line, d.loc.column,
                 d.message.c_str());
}

/// Progress of clones and fetches, drawn on stderr only when a person watches it.
class Progress {
public:
  explicit Progress(bool enabled) : enabled_(enabled) {}
  void operator()(const std::string& url, const FetchProgress& p) {
    if (!enabled_) return;
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(stderr, "\r\x1b[2K%s: %s", url.c_str(), progress_line(p, seconds).c_str());
    std::fflush(stderr);
    drawn_ = true;
  }
  void finish() {
    if (drawn_) std::fputs("\r\x1b[2K", stderr);
    drawn_ = false;
  }

private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v && *v;
}

// --- Gate refinements: -A/-W/-D levels, --baseline, and the gate's summary -----------------

/// The -A/-W/-D entries in a fixed order (allow, warn, deny), or nullopt after printing what is
/// wrong with them.
std::optional<std::vector<LevelEntry>> collect_levels(const CheckArgs& args) {
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
                 e.key.c_str());
}

/// The gate's exit code, with a note on stderr of the findings it did not count.
int gate_exit(const AuditResult& result, std::optional<Severity> fail_on, int min_score,
              const std::optional<Baseline>& baseline, const LevelReport& levels, bool quiet) {
  GateResult gate = evaluate_gate(result, {fail_on, min_score});
  if (baseline && !quiet)
    std::fprintf(stderr,
                 "otel-audit: %d finding(s) already in the baseline \"%s\" do not count for the "
                 "gate\n",
                 gate.baselined, baseline->file.c_str());
  if (levels.allowed > 0 && !quiet)
    std::fprintf(stderr, "otel-audit: %d finding(s) allowed by -A are not reported\n",
                 levels.allowed);
  return gate.failed ? kGateFailed : kPass;
}

/// The report in the chosen format.
std::string render_report(const AuditResult& result, const CheckArgs& args) {
  if (args.format == "json") return render_json(result);
  if (args.format == "markdown" || args.format == "md") return render_markdown(result);
  if (args.format == "sarif") return render_sarif(result);
  if (args.format == "github") return render_github(result);
  TextOptions opts;
  bool tty = args.output.empty() && isatty(STDOUT_FILENO);
  opts.color = args.color == "always" || (args.color == "auto" && tty && !env_set("NO_COLOR"));
  return render_text(result, opts);
}

/// --baseline and -A/-W/-D (docs/rules.md "Severity policy").
void add_gate_options(CLI::App& cmd, CheckArgs& args) {
  cmd.add_option("--baseline", args.baseline,
                 "A previous JSON report: findings already in it do not count for the gate");
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

// --------------------------------------------------------------------------------------------

int run_check(CheckArgs args, const char* argv0) {
  // The config file: named, or otel-audit.toml in the current directory (the user's own).
  std::optional<Config> config;
  std::string config_file = args.config;
  std::error_code ec;
  if (config_file.empty() && fs::is_regular_file("otel-audit.toml", ec))
    config_file = "otel-audit.toml";
  if (!config_file.empty()) {
    ConfigResult loaded = load_config(config_file);
    if (!loaded.config) {
      print_diagnostics(loaded.errors);
      return kUsage;
    }
    config = std::move(loaded.config);
  }

  AuditPolicy policy;
  if (config) {
    const Policy& p = config->policy;
    if (p.target && !args.target_opt->count()) args.target = *p.target;
    if (!args.fail_on_opt->count()) {
      if (p.fail_on_none)
        args.fail_on = "none";
      else if (p.fail_on)
        args.fail_on = std::string(to_string(*p.fail_on));
    }
    if (p.min_score && !args.min_score_opt->count()) args.min_score = *p.min_score;
    for (const SeverityOverride& o : p.severity)
      policy.severity_overrides[o.rule] = o.severity;
    for (const IgnoreEntry& ig : p.ignore)
      policy.ignores.push_back({ig.rule, ig.repo, ig.path, ig.reason,
                                fmt::format("{}:{}:{}", config->file, ig.loc.line, ig.loc.column)});
  }
  policy.min_score = args.min_score;

  std::optional<Severity> fail_on;
  if (args.fail_on != "none") {
    fail_on = parse_severity(args.fail_on);
    if (!fail_on) {
      error(fmt::format("--fail-on \"{}\" is not one of blocker, high, medium, low, info, none",
                        args.fail_on));
      return kUsage;
    }
  }
  std::optional<std::vector<LevelEntry>> levels = collect_levels(args);
  if (!levels) return kUsage;
  policy.levels = *levels;
  std::optional<Baseline> baseline;
  if (!args.baseline.empty()) {
    BaselineResult loaded = load_baseline(args.baseline);
    if (!loaded.baseline) {
      error(loaded.error);
      return kUsage;
    }
    baseline = std::move(loaded.baseline);
  }

  struct Spec {
    RepoSpec spec;
    std::string component;
  };
  std::vector<Spec> specs;
  if (!args.paths.empty()) {
    for (const std::string& p : args.paths)
      specs.push_back({{"", p, args.ref}, ""});
  } else if (config) {
    for (const RepoEntry& r : config->repos)
      specs.push_back(
          {{r.name, r.url.empty() ? r.path : r.url, args.ref.empty() ? r.ref : args.ref},
           r.component});
  }
  if (specs.empty()) {
    error("no repositories to audit: give their paths or URLs, or a config file with [[repo]] "
          "entries");
    return kUsage;
  }

  fs::path rules_dir = find_rules_dir(args.rules_dir, argv0);
  RulesetResult rules = load_ruleset(rules_dir, args.target);
  if (!rules.ruleset) {
    print_diagnostics(rules.errors);
    return kUsage;
  }

  Progress progress(!args.quiet && isatty(STDERR_FILENO) && !env_set("CI"));
  AcquireOptions acquire_opts;
  acquire_opts.cache_dir = args.cache_dir;
  acquire_opts.offline = args.offline;
  acquire_opts.progress = [&progress](const std::string& url, const FetchProgress& p) {
    progress(url, p);
  };
  std::vector<AcquiredRepo> repos;
  std::map<std::string, int> names;
  for (const Spec& s : specs) {
    std::string err;
    auto repo = acquire(s.spec, acquire_opts, err);
    progress.finish();
    if (!repo) {
      error(err);
      return kUsage;
    }
    ++names[repo->name];
    repos.push_back(std::move(*repo));
  }
  std::vector<RepoInput> inputs;
  for (std::size_t i = 0; i < repos.size(); ++i) {
    const AcquiredRepo& r = repos[i];
    // Two repositories of one name (a/x and b/x) are told apart by their paths.
    std::string name = names[r.name] > 1 ? r.display : r.name;
    RepoInput in(name, r.display, r.tree.get(), r.commit, specs[i].component);
    const std::string& location = specs[i].spec.location;
    if (is_git_url(location))
      in.url = location;
    else if (r.commit.empty())
      in.tree_root = location;
    inputs.push_back(std::move(in));
  }

  LevelReport level_report;
  AuditResult result = run_audit(inputs, *rules.ruleset, policy, level_report);
  if (baseline) apply_baseline(result, *baseline);
  if (!args.quiet) {
    warn_unmatched(level_report);
    for (const std::string& w : result.warnings)
      std::fprintf(stderr, "otel-audit: warning: %s\n", w.c_str());
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

  return gate_exit(result, fail_on, args.min_score, baseline, level_report, args.quiet);
}

} // namespace

void add_check_command(CLI::App& app, const char* argv0, int& exit_code) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd =
      app.add_subcommand("check", "Audit repositories against the canonical OpenTelemetry set");
  cmd->add_option("repos", args->paths,
                  "Repositories: directories, git repositories (with --ref) or git URLs");
  cmd->add_option("--config,-c", args->config,
                  "Config file with [[repo]] entries and [policy] (default: ./otel-audit.toml if "
                  "present)");
  args->target_opt = cmd->add_option("--target", args->target,
                                     "Canonical OpenTelemetry line (rules/otel-<line>.toml)")
                         ->capture_default_str();
  cmd->add_option("--rules-dir", args->rules_dir, "Directory of the rule data files");
  cmd->add_option("--format,-f", args->format, "Report format")
      ->check(CLI::IsMember({"text", "json", "markdown", "md", "sarif", "github"}))
      ->capture_default_str();
  cmd->add_option("--output,-o", args->output,
                  "Write the report to FILE (atomically) instead of stdout");
  args->fail_on_opt =
      cmd->add_option(
             "--fail-on", args->fail_on,
             "Fail (exit 1) on findings at or above: blocker, high, medium, low, info, none")
          ->capture_default_str();
  args->min_score_opt =
      cmd->add_option("--min-score", args->min_score, "Fail (exit 1) when the score is below N")
          ->check(CLI::Range(0, 100));
  cmd->add_option("--color", args->color, "Colour the text report")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  cmd->add_option("--ref", args->ref,
                  "Audit this branch, tag or commit (HEAD~3 …) read from the object database");
  cmd->add_option("--cache-dir", args->cache_dir,
                  "Where URLs are cloned (default: $XDG_CACHE_HOME/otel-audit)");
  cmd->add_flag("--offline", args->offline, "Use cached clones only; never touch the network");
  cmd->add_flag("--quiet,-q", args->quiet, "No progress and no warnings on stderr");
  add_gate_options(*cmd, *args);
  cmd->callback([args, argv0, &exit_code] { exit_code = run_check(*args, argv0); });
}

void add_rules_command(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("rules", "List every rule with its default severity");
  cmd->callback([&exit_code] {
    for (const RuleInfo& r : rule_table())
      std::printf("%-26s %-8s %.*s\n", std::string(r.id).c_str(),
                  std::string(to_string(r.default_severity)).c_str(),
                  static_cast<int>(r.description.size()), r.description.data());
    exit_code = kPass;
  });
}

} // namespace otelaudit::cli
