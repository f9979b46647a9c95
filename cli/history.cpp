#include "history.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "audit/audit.h"
#include "audit/history.h"
#include "common.h"
#include "formats.h"
#include "options.h"
#include "report/output.h"
#include "rules/ruleset.h"
#include "source/acquire.h"

namespace otelaudit::cli {

namespace {

struct HistoryArgs : FetchArgs {
  std::string repo;
  std::string ref;
  std::size_t max_count = 0;
  std::string since;
  std::string target = "0.27";
  std::string rules_dir;
  std::string format = "text";
  std::string output;
};

int run_history(const HistoryArgs& args, const char* argv0) {
  RunTimeout timeout(args.timeout);
  auto fail = [](const std::string& message) {
    error(message);
    return kUsage;
  };
  HistoryOptions options;
  options.rev = args.ref;
  options.max_count = args.max_count;
  if (!args.since.empty()) {
    auto since = parse_date(args.since);
    if (!since)
      return fail(fmt::format("--since \"{}\" is not a date like 2026-01-31", args.since));
    options.since = *since;
  }
  const std::optional<Ruleset> rules = load_rules(args.rules_dir, args.target, argv0);
  if (!rules) return kUsage;
  std::filesystem::path repo = args.repo;
  if (is_git_url(args.repo)) {
    FetchWatchdog watchdog(args.network_timeout);
    FetchOptions fetch;
    fetch.cache_dir = args.cache_dir;
    fetch.offline = args.offline;
    fetch.heartbeat = [&watchdog] { watchdog.beat(); };
    std::string err;
    bool tool_failure = false;
    watchdog.begin(redact_url(args.repo));
    auto local = fetch_to_cache(args.repo, fetch, err, &tool_failure);
    watchdog.end();
    if (!local) {
      error(err);
      return tool_failure ? kToolFailure : kUsage;
    }
    repo = *local;
  }
  std::string err;
  auto history = audit_history(repo, default_repo_name(args.repo), options, *rules, {}, err);
  if (!history) {
    // A ref missing from the cached copy of a URL is missing from the URL: name that.
    if (repo != std::filesystem::path(args.repo))
      for (auto at = err.find(repo.string()); at != std::string::npos; at = err.find(repo.string()))
        err.replace(at, repo.string().size(), redact_url(args.repo));
    return fail(err);
  }
  std::string report = find_format(history_formats(), args.format).render(*history, {});
  if (args.output.empty()) {
    std::fwrite(report.data(), 1, report.size(), stdout);
    return kPass;
  }
  if (!write_file_atomically(args.output, report, err)) {
    error(err);
    return kToolFailure;
  }
  return kPass;
}

} // namespace

void add_history_command(CLI::App& app, const char* argv0, int& exit_code) {
  auto args = std::make_shared<HistoryArgs>();
  CLI::App* cmd = app.add_subcommand(
      "history", "Readiness of one git repository at each commit of its first-parent history");
  cmd->add_option("repo", args->repo, "A git repository (normal or bare) or URL")
      ->type_name("REPO")
      ->required();
  cmd->add_option("--ref", args->ref, "Start from this branch, tag or commit (default HEAD)")
      ->type_name("REV");
  cmd->add_option("--max-count,-n", args->max_count, "At most N commits")->type_name("N");
  cmd->add_option("--since", args->since, "No commits older than this date (YYYY-MM-DD, UTC)")
      ->type_name("DATE");
  cmd->add_option("--target", args->target, "Canonical OpenTelemetry line")
      ->type_name("LINE")
      ->capture_default_str();
  cmd->add_option("--rules-dir", args->rules_dir, "Directory of the rule data files")
      ->type_name("DIR");
  add_format_option(*cmd, args->format, history_formats(), "Trend format");
  cmd->add_option("--output,-o", args->output, "Write the trend to FILE instead of stdout")
      ->type_name("FILE");
  add_fetch_options(*cmd, *args);
  cmd->callback([args, argv0, &exit_code] { exit_code = run_history(*args, argv0); });
}

} // namespace otelaudit::cli
