#include "scan.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "audit/audit.h"
#include "common.h"
#include "options.h"
#include "report/output.h"
#include "rules/ruleset.h"
#include "scan/scan.h"
#include "source/acquire.h"
#include "source/remote.h"

namespace otelaudit::cli {

namespace fs = std::filesystem;

namespace {

/// What `otel-audit scan` is told: one repository and how to read and name it.
struct ScanArgs : RulesArgs, FetchArgs {
  std::string location;
  std::string ref;
  std::string name;
  std::string url;
  std::string component;
  std::string output;
  bool quiet = false;
};

int run_scan(ScanArgs args, const char* argv0) {
  RunTimeout timeout(args.timeout);
  // Only the target is taken from the config: the policy (severities, ignores, levels, gate)
  // is applied once, by `report`, over the whole set.
  bool failed = false;
  load_config_target(args, failed);
  if (failed) return kUsage;
  const std::optional<Ruleset> rules = load_rules(args.rules_dir, args.target, argv0);
  if (!rules) return kUsage;

  Progress progress(!args.quiet && isatty(STDERR_FILENO) && !env_set("CI"));
  FetchWatchdog watchdog(args.network_timeout);
  const AcquireOptions acquire_opts =
      acquire_options(args.cache_dir, args.offline, progress, watchdog);
  std::string err;
  bool tool_failure = false;
  watchdog.begin(redact_url(args.location));
  std::optional<AcquiredRepo> repo =
      acquire(RepoSpec{args.name, args.location, args.ref}, acquire_opts, err, &tool_failure);
  watchdog.end();
  progress.finish();
  if (!repo) {
    error(err);
    return tool_failure ? kToolFailure : kUsage;
  }

  RepoInput input(repo->name, repo->display, repo->tree.get(), repo->commit, args.component);
  const bool url_location = is_git_url(args.location);
  input.url = !args.url.empty() ? redact_url(args.url) : url_location ? repo->display : "";
  // A work tree on disk: its absolute directory, so that path dependencies between
  // repositories scanned on one machine resolve (docs/scan.md).
  if (!url_location && repo->commit.empty()) {
    std::error_code ec;
    fs::path root = fs::absolute(args.location, ec);
    if (!ec) input.tree_root = root.lexically_normal().string();
    while (input.tree_root.size() > 1 && input.tree_root.back() == '/')
      input.tree_root.pop_back();
  }

  RepoAudit audited = audit_repository(input, *rules);
  if (nothing_to_audit({audited.result})) return kUsage;
  ScanDocument doc = make_scan_document(std::move(audited), input, rules->target);
  std::string text = render_scan(doc);
  if (args.output.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  } else if (!write_file_atomically(args.output, text, err)) {
    error(err);
    return kToolFailure;
  }
  return kPass;
}

} // namespace

void add_scan_command(CLI::App& app, const char* argv0, int& exit_code) {
  auto args = std::make_shared<ScanArgs>();
  CLI::App* cmd = app.add_subcommand(
      "scan", "Audit one repository and write its findings and facts for `otel-audit report`");
  cmd->add_option("repo", args->location,
                  "The repository: a directory, a git repository (with --ref) or a git URL")
      ->type_name("REPO")
      ->required();
  cmd->add_option("--ref", args->ref,
                  "Audit this branch, tag or commit (HEAD~3 …) read from the object database")
      ->type_name("REV");
  cmd->add_option("--name", args->name,
                  "The repository's name in the report (default: its last path component)")
      ->type_name("NAME");
  cmd->add_option("--url", args->url,
                  "Its git URL, which the other repositories' git dependencies are matched to")
      ->type_name("URL");
  cmd->add_option("--component", args->component,
                  "Its expected service-name component (default: the name)")
      ->type_name("NAME");
  add_rules_options(*cmd, *args,
                    "Config file whose [policy] target applies (default: ./otel-audit.toml if "
                    "present)",
                    "Canonical OpenTelemetry line (rules/otel-<line>.toml)");
  cmd->add_option("--output,-o", args->output,
                  "Write the scan document to FILE (atomically) instead of stdout")
      ->type_name("FILE");
  add_fetch_options(*cmd, *args);
  cmd->add_flag("--quiet,-q", args->quiet, "No progress on stderr");
  cmd->callback([args, argv0, &exit_code] { exit_code = run_scan(*args, argv0); });
}

} // namespace otelaudit::cli
