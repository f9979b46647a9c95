#include "check.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "audit/audit.h"
#include "common.h"
#include "config/config.h"
#include "formats.h"
#include "options.h"
#include "rules/rule_table.h"
#include "rules/ruleset.h"
#include "source/acquire.h"

namespace otelaudit::cli {

namespace fs = std::filesystem;

namespace {

/// check's own options besides the shared policy, gate and output ones.
struct CheckArgs : PolicyArgs, FetchArgs {
  std::vector<std::string> paths;
  std::string ref;
};

// --------------------------------------------------------------------------------------------

int run_check(CheckArgs args, const char* argv0) {
  RunTimeout timeout(args.timeout);
  std::optional<ResolvedPolicy> resolved = resolve_policy(args);
  if (!resolved) return kUsage;
  const std::optional<Config>& config = resolved->config;

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

  const std::optional<Ruleset> rules = load_rules(args.rules_dir, args.target, argv0);
  if (!rules) return kUsage;

  Progress progress(!args.quiet && isatty(STDERR_FILENO) && !env_set("CI"));
  FetchWatchdog watchdog(args.network_timeout);
  const AcquireOptions acquire_opts =
      acquire_options(args.cache_dir, args.offline, progress, watchdog);
  std::vector<AcquiredRepo> repos;
  std::map<std::string, int> names;
  for (const Spec& s : specs) {
    std::string err;
    bool tool_failure = false;
    watchdog.begin(redact_url(s.spec.location));
    auto repo = acquire(s.spec, acquire_opts, err, &tool_failure);
    watchdog.end();
    progress.finish();
    if (!repo) {
      error(err);
      return tool_failure ? kToolFailure : kUsage;
    }
    ++names[repo->name];
    repos.push_back(std::move(*repo));
  }
  std::vector<RepoInput> inputs;
  std::vector<std::pair<std::string, std::string>> local_dirs; // directory, repository name
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
    if (!is_git_url(location)) local_dirs.emplace_back(location, name);
    inputs.push_back(std::move(in));
  }
  note_config_inside(resolved->source, local_dirs);

  LevelReport level_report;
  AuditResult result = run_audit(inputs, *rules, resolved->policy, level_report);
  if (nothing_to_audit(result.repos)) return kUsage;
  return deliver_report(result, args, *resolved, level_report);
}

} // namespace

void add_check_command(CLI::App& app, const char* argv0, int& exit_code) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd =
      app.add_subcommand("check", "Audit repositories against the canonical OpenTelemetry set");
  cmd->add_option("repos", args->paths,
                  "Repositories: directories, git repositories (with --ref) or git URLs")
      ->type_name("REPO");
  add_rules_options(*cmd, *args,
                    "Config file with [[repo]] entries and [policy] (default: ./otel-audit.toml "
                    "if present)",
                    "Canonical OpenTelemetry line (a rules/otel-<line>.toml pack), or latest: the "
                    "newest confirmed pack");
  add_report_options(*cmd, *args);
  cmd->add_option("--ref", args->ref,
                  "Audit this branch, tag or commit (HEAD~3 …) read from the object database")
      ->type_name("REV");
  add_fetch_options(*cmd, *args);
  cmd->add_flag("--quiet,-q", args->quiet, "No progress and no warnings on stderr");
  cmd->add_option("--jobs,-j", args->jobs,
                  "Threads for the audit (default: one per core); the report is the same for any")
      ->type_name("N")
      ->check(CLI::Range(1u, 256u));
  add_gate_options(*cmd, *args);
  cmd->callback([args, argv0, &exit_code] { exit_code = run_check(*args, argv0); });
}

namespace {

/// `rules --targets`: the packs of the rules directory with their release dates; the newest
/// confirmed one is what `--target latest` selects.
int print_targets(const std::string& rules_dir_flag, const char* argv0) {
  const std::optional<fs::path> dir = find_rules_dir(rules_dir_flag, argv0);
  if (!dir) return kUsage;
  std::vector<TargetInfo> targets = available_targets(*dir);
  if (targets.empty()) {
    error("no rule packs (otel-LINE.toml) in " + dir->string());
    return kUsage;
  }
  std::string latest;
  for (const TargetInfo& t : targets)
    if (t.confirmed) latest = t.line;
  std::printf("%-6s %-10s %s\n", "line", "released", "status");
  for (const TargetInfo& t : targets)
    std::printf("%-6s %-10s %s\n", t.line.c_str(), t.released.empty() ? "?" : t.released.c_str(),
                t.confirmed ? (t.line == latest ? "confirmed (latest)" : "confirmed")
                            : "unconfirmed: never a blocker, never selected by latest");
  return kPass;
}

} // namespace

void add_rules_command(CLI::App& app, const char* argv0, int& exit_code) {
  struct RulesArgs {
    bool targets = false;
    std::string rules_dir;
  };
  auto args = std::make_shared<RulesArgs>();
  CLI::App* cmd = app.add_subcommand(
      "rules", "List every rule with its default severity, or the target lines (--targets)");
  cmd->add_flag("--targets", args->targets,
                "List the OpenTelemetry lines that have a rule pack, with their release dates");
  cmd->add_option("--rules-dir", args->rules_dir, "Directory of the rule data files")
      ->type_name("DIR");
  cmd->callback([args, argv0, &exit_code] {
    if (args->targets) {
      exit_code = print_targets(args->rules_dir, argv0);
      return;
    }
    int width = 0;
    for (const RuleInfo& r : rule_table())
      width = std::max(width, static_cast<int>(r.id.size()));
    for (const RuleInfo& r : rule_table())
      std::printf("%-*s %-8s %.*s\n", width, std::string(r.id).c_str(),
                  std::string(to_string(r.default_severity)).c_str(),
                  static_cast<int>(r.description.size()), r.description.data());
    exit_code = kPass;
  });
}

} // namespace otelaudit::cli
