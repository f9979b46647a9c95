#include "check.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "audit/audit.h"
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
#include "source/tree.h"

namespace otelaudit::cli {

namespace fs = std::filesystem;

namespace {

struct CheckArgs {
  std::vector<std::string> paths;
  std::string target = "0.27";
  std::string rules_dir;
  std::string format = "text";
  std::string output;
  std::string fail_on = "blocker";
  int min_score = 0;
  std::string color = "auto";
  std::string baseline;
  std::vector<std::string> allow, warn, deny; // -A / -W / -D
};

void error(const std::string& message) { std::fprintf(stderr, "otel-audit: error: %s\n", message.c_str()); }

/// The name a repository is shown under: its directory's name.
std::string repo_name(const std::string& path) {
  fs::path p = fs::path(path).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  std::string name = p.filename().string();
  if (name.empty() || name == "." || name == "..") name = fs::absolute(p).lexically_normal().filename().string();
  return name.empty() ? path : name;
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
              const std::optional<Baseline>& baseline, const LevelReport& levels) {
  GateResult gate = evaluate_gate(result, {fail_on, min_score});
  if (baseline)
    std::fprintf(stderr,
                 "otel-audit: %d finding(s) already in the baseline \"%s\" do not count for the "
                 "gate\n",
                 gate.baselined, baseline->file.c_str());
  if (levels.allowed > 0)
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
  const char* no_color = std::getenv("NO_COLOR");
  opts.color = args.color == "always" || (args.color == "auto" && tty && !(no_color && *no_color));
  return render_text(result, opts);
}

// --------------------------------------------------------------------------------------------

int run_check(const CheckArgs& args, const char* argv0) {
  // Validate everything the user gave before reading any repository.
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
  std::optional<Baseline> baseline;
  if (!args.baseline.empty()) {
    BaselineResult loaded = load_baseline(args.baseline);
    if (!loaded.baseline) {
      error(loaded.error);
      return kUsage;
    }
    baseline = std::move(loaded.baseline);
  }
  std::vector<std::unique_ptr<DirTree>> trees;
  std::vector<RepoInput> inputs;
  std::map<std::string, int> names;
  for (const std::string& path : args.paths) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      error(fmt::format("repository path \"{}\" does not exist", path));
      return kUsage;
    }
    if (!fs::is_directory(path, ec)) {
      error(fmt::format("repository path \"{}\" is not a directory", path));
      return kUsage;
    }
    ++names[repo_name(path)];
  }

  fs::path rules_dir = find_rules_dir(args.rules_dir, argv0);
  RulesetResult loaded = load_ruleset(rules_dir, args.target);
  if (!loaded.ruleset) {
    for (const Diagnostic& d : loaded.errors)
      std::fprintf(stderr, "%s:%d:%d: error: %s\n", d.loc.file.c_str(), d.loc.line, d.loc.column,
                   d.message.c_str());
    return kUsage;
  }

  for (const std::string& path : args.paths) {
    trees.push_back(std::make_unique<DirTree>(path));
    std::string name = repo_name(path);
    inputs.push_back({names[name] > 1 ? path : name, path, trees.back().get()});
  }

  AuditPolicy policy;
  policy.min_score = args.min_score;
  policy.levels = *levels;
  LevelReport level_report;
  AuditResult result = run_audit(inputs, *loaded.ruleset, policy, level_report);
  if (baseline) apply_baseline(result, *baseline);
  warn_unmatched(level_report);

  const std::string report = render_report(result, args);

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

  return gate_exit(result, fail_on, args.min_score, baseline, level_report);
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

} // namespace

void add_check_command(CLI::App& app, const char* argv0, int& exit_code) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app.add_subcommand("check", "Audit repositories against the canonical OpenTelemetry set");
  cmd->add_option("paths", args->paths, "Repository directories to audit")->required();
  cmd->add_option("--target", args->target, "Canonical OpenTelemetry line (a rules/otel-<line>.toml)")
      ->capture_default_str();
  cmd->add_option("--rules-dir", args->rules_dir, "Directory of the rule data files");
  cmd->add_option("--format,-f", args->format, "Report format")
      ->check(CLI::IsMember({"text", "json", "markdown", "md", "sarif", "github"}))
      ->capture_default_str();
  cmd->add_option("--output,-o", args->output, "Write the report to FILE (atomically) instead of stdout");
  cmd->add_option("--fail-on", args->fail_on,
                  "Fail (exit 1) on findings at or above: blocker, high, medium, low, info, none")
      ->capture_default_str();
  cmd->add_option("--min-score", args->min_score, "Fail (exit 1) when the score is below N")
      ->check(CLI::Range(0, 100));
  cmd->add_option("--color", args->color, "Colour the text report")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
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
