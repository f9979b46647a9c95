#include "report.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "common.h"
#include "options.h"
#include "rules/ruleset.h"
#include "scan/scan.h"

namespace otelaudit::cli {

namespace {

/// report's own options besides the shared policy, gate and output ones.
struct ReportArgs : PolicyArgs {
  std::vector<std::string> files;
};

int run_report(ReportArgs args, const char* argv0) {
  const bool target_given = args.target_opt->count() > 0;
  std::optional<ResolvedPolicy> resolved = resolve_policy(args);
  if (!resolved) return kUsage;
  const bool config_target = resolved->config && resolved->config->policy.target;

  // Documents in the order given: the report lists the repositories in that order, as check
  // lists them in the order of its arguments.
  std::vector<ScanDocument> docs;
  std::map<std::string, std::string> file_of; // repository name -> the file that holds it
  for (const std::string& file : args.files) {
    ScanParseResult loaded = load_scan(file);
    if (!loaded.document) {
      error(loaded.error);
      return kUsage;
    }
    const std::string& name = loaded.document->result.name;
    if (auto [it, fresh] = file_of.emplace(name, file); !fresh) {
      error("scan files \"" + it->second + "\" and \"" + file + "\" both hold repository \"" +
            name + "\": give each repository once (scan --name tells two apart)");
      return kUsage;
    }
    if (!docs.empty() && loaded.document->target != docs.front().target) {
      error("scan file \"" + file + "\" was scanned against OpenTelemetry " +
            loaded.document->target + ", \"" + args.files.front() + "\" against " +
            docs.front().target + ": scan every repository with one --target");
      return kUsage;
    }
    docs.push_back(std::move(*loaded.document));
  }
  const std::string& target = docs.front().target;
  // --target latest names whatever line the newest confirmed pack is: compare lines, not words.
  const std::string wanted = target_given || config_target ? args.target : target;
  const std::optional<Ruleset> rules = load_rules(args.rules_dir, wanted, argv0);
  if (!rules) return kUsage;
  if (rules->target != target) {
    error("the scan files were scanned against OpenTelemetry " + target + ", not " + rules->target +
          ": scan again with --target " + args.target);
    return kUsage;
  }

  // The repository part of check, as scan recorded it, then the policy check applies to it.
  const AuditPolicy& policy = resolved->policy;
  LevelReport levels;
  AuditResult result;
  result.target = rules->target;
  std::vector<CargoModel> cargos;
  std::vector<RepoInput> inputs;
  for (ScanDocument& doc : docs) {
    inputs.push_back(scan_input(doc));
    result.repos.push_back(std::move(doc.result));
    cargos.push_back(std::move(doc.cargo));
  }
  finish_audit(result, cargos, inputs, *rules, policy, levels);
  return deliver_report(result, args, *resolved, levels);
}

} // namespace

void add_report_command(CLI::App& app, const char* argv0, int& exit_code) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Judge the repositories of scan documents together, as check judges a set");
  cmd->add_option("files", args->files, "Scan documents written by `otel-audit scan`")
      ->type_name("FILE")
      ->required();
  add_rules_options(*cmd, *args,
                    "Config file whose [policy] applies (default: ./otel-audit.toml if present)",
                    "Canonical OpenTelemetry line; the documents must have been scanned against "
                    "it (default: theirs)",
                    false);
  add_report_options(*cmd, *args);
  cmd->add_flag("--quiet,-q", args->quiet, "No warnings on stderr");
  add_gate_options(*cmd, *args);
  cmd->callback([args, argv0, &exit_code] { exit_code = run_report(*args, argv0); });
}

} // namespace otelaudit::cli
