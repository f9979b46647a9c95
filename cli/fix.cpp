#include "fix.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "common.h"
#include "fix/diff.h"
#include "fix/fix.h"
#include "fix/write.h"
#include "options.h"
#include "report/text.h"
#include "rules/context.h"
#include "rules/ruleset.h"
#include "source/acquire.h"
#include "source/remote.h"

namespace otelaudit::cli {

namespace fs = std::filesystem;

namespace {

/// What `otel-audit fix` is told.
struct FixArgs : RulesArgs {
  std::vector<std::string> paths;
  bool write = false;
  bool check = false;
  bool allow_dirty = false;
};

/// One repository with its fix.
struct Repo {
  std::string arg;  // as given
  std::string name; // its directory's name
  fix::FixOutcome outcome;
};

/// `file` of the repository given as `arg`, as a path from the current directory ('/'
/// separators, no `./`): what the diff names and what the notes point at.
std::string shown(const std::string& arg, const std::string& file) {
  fs::path p = fs::path(arg) / file;
  if (p.is_absolute()) {
    std::error_code ec;
    const fs::path cwd = fs::current_path(ec);
    if (!ec) {
      const fs::path rel = p.lexically_normal().lexically_relative(cwd);
      if (!rel.empty()) p = rel;
    }
  }
  std::string out = p.lexically_normal().generic_string();
  while (out.starts_with("./"))
    out.erase(0, 2);
  return out;
}

/// Text from an audited repository made safe for a terminal (no control or bidi characters).
std::string safe(std::string_view text) {
  return display_line(text);
}

/// A shell word: quoted when it holds anything a shell would read.
std::string shell_word(const std::string& s) {
  bool plain = !s.empty();
  for (char c : s)
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' ||
                      c == '-' || c == '_' || c == '@' || c == '+' || c == ':' || c == '=');
  if (plain) return s;
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// The diff as it goes to stdout: exact bytes for a pipe or a file (so that it applies), each
/// line made safe when a person reads it on a terminal.
std::string for_stdout(const std::string& diff, bool terminal) {
  if (!terminal) return diff;
  std::string out;
  std::size_t start = 0;
  while (start < diff.size()) {
    std::size_t nl = diff.find('\n', start);
    if (nl == std::string::npos) nl = diff.size();
    std::string_view line(diff.data() + start, nl - start);
    if (line.ends_with('\r')) line.remove_suffix(1);
    out += safe(line) + "\n";
    start = nl + 1;
  }
  return out;
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

/// What the fix did and did not do to one repository, after the diffs: nothing in it starts
/// like a patch line, so `git apply` reading the whole output ignores it.
std::string notes(const Repo& r, const std::string& target, bool written) {
  const fix::FixOutcome& o = r.outcome;
  std::string out;
  std::size_t changes = 0;
  for (const fix::PlannedChange& c : o.applied)
    changes += c.reasons.size();
  out += fmt::format("otel-audit fix: {}: ", safe(r.name));
  if (o.files.empty())
    out += fmt::format("the manifests need no change for the {} line\n", target);
  else
    out += fmt::format("{} in {} for the {} line{}\n", plural(changes, "change", "changes"),
                       plural(o.files.size(), "manifest", "manifests"), target,
                       written ? " (written)" : "");
  for (const fix::PlannedChange& c : o.applied)
    for (const std::string& why : c.reasons)
      out += fmt::format("  {}:{}: {}\n", safe(shown(r.arg, c.entry.loc.file)), c.entry.loc.line,
                         safe(why));
  if (!o.not_changed.empty()) {
    out += "Not changed:\n";
    for (const fix::Skipped& s : o.not_changed)
      out +=
          fmt::format("  {}:{}: {}\n", safe(shown(r.arg, s.loc.file)), s.loc.line, safe(s.message));
  }
  for (const fix::LockRefresh& l : o.lock_refresh) {
    out += fmt::format("{} locks releases the manifests no longer accept; refresh it with "
                       "(otel-audit does not change it):\n  cargo update --manifest-path {}",
                       safe(shown(r.arg, l.lockfile)), safe(shell_word(shown(r.arg, l.manifest))));
    for (const std::string& spec : l.specs)
      out += " -p " + safe(shell_word(spec));
    out += "\n";
  }
  if (!o.source_changes.empty()) {
    out += fmt::format("Source changes the {} line needs (otel-audit does not change code):\n",
                       target);
    for (const Finding& f : o.source_changes) {
      out += fmt::format("  {}:{}:{}: {}: {}\n", safe(shown(r.arg, f.loc.file)), f.loc.line,
                         f.loc.column, f.rule, safe(f.message));
      if (!f.fix.empty()) out += fmt::format("      fix: {}\n", safe(f.fix));
    }
  }
  return out;
}

int run_fix(FixArgs args, const char* argv0) {
  if (args.write && args.check) {
    error("--write and --check cannot be combined: --check only tells whether a fix would "
          "change something");
    return kUsage;
  }
  bool failed = false;
  load_config_target(args, failed);
  if (failed) return kUsage;
  const std::optional<Ruleset> rules = load_rules(args.rules_dir, args.target, argv0);
  if (!rules) return kUsage;
  for (const std::string& p : args.paths) {
    std::error_code ec;
    if (is_git_url(p) || !fs::is_directory(p, ec)) {
      error(fmt::format("{} is not a directory: fix changes a repository's files on disk, so "
                        "give the directory of a work tree",
                        safe(p)));
      return kUsage;
    }
  }

  std::vector<Repo> repos;
  for (const std::string& p : args.paths) {
    DirTree tree(p);
    RepoInput input(default_repo_name(p), p, &tree);
    RepoModel model;
    RepoAudit audit = audit_repository(input, *rules, &model);
    // The repository's inline allow comments (and no other policy): a silenced finding is
    // not changed.
    AuditResult one;
    one.repos.push_back(std::move(audit.result));
    LevelReport levels;
    apply_policy(one, AuditPolicy{}, levels);
    repos.push_back({p, input.name, fix::fix_repository(model, one.repos[0].findings, *rules)});
  }

  // A manifest that does not parse may hide what the others inherit: nothing is changed then.
  bool unparsed = false;
  for (const Repo& r : repos) {
    for (const Diagnostic& d : r.outcome.unparsed) {
      std::fprintf(stderr, "%s:%d:%d: error: %s\n", safe(shown(r.arg, d.loc.file)).c_str(),
                   d.loc.line, d.loc.column, safe(d.message).c_str());
      unparsed = true;
    }
    if (!r.outcome.failure.empty()) {
      error(fmt::format("{}: {}", safe(r.name), r.outcome.failure));
      return kToolFailure;
    }
  }
  if (unparsed) {
    error("nothing was changed: fix does not edit a repository whose manifests do not all "
          "parse (fix them first)");
    return kToolFailure;
  }

  const bool terminal = isatty(STDOUT_FILENO);
  bool changes = false;
  std::string diff;
  for (const Repo& r : repos)
    for (const fix::FileChange& f : r.outcome.files) {
      diff += fix::unified_diff(shown(r.arg, f.file), f.before, f.after);
      changes = true;
    }

  bool written = false;
  if (args.write && changes) {
    std::vector<fix::PendingWrite> writes;
    for (const Repo& r : repos) {
      std::vector<std::string> files;
      for (const fix::FileChange& f : r.outcome.files) {
        writes.push_back({r.arg, f.file, f.before, f.after});
        files.push_back(f.file);
      }
      if (args.allow_dirty) continue;
      std::string err;
      std::vector<std::string> dirty = fix::uncommitted(r.arg, files, err);
      if (!err.empty()) {
        error(err + " (pass --allow-dirty to write anyway)");
        return kToolFailure;
      }
      if (!dirty.empty()) {
        std::string list;
        for (const std::string& f : dirty)
          list += (list.empty() ? "" : ", ") + safe(shown(r.arg, f));
        error(fmt::format("nothing was written: {} {} uncommitted changes; commit or stash them "
                          "first, or pass --allow-dirty",
                          list, dirty.size() == 1 ? "has" : "have"));
        return kUsage;
      }
    }
    std::string err;
    if (!fix::write_all(writes, err)) {
      error(err);
      return kToolFailure;
    }
    written = true;
  }

  std::string out = for_stdout(diff, terminal);
  for (const Repo& r : repos)
    out += (out.empty() ? "" : "\n") + notes(r, rules->target, written);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  return args.check && changes ? kGateFailed : kPass;
}

} // namespace

void add_fix_command(CLI::App& app, const char* argv0, int& exit_code) {
  auto args = std::make_shared<FixArgs>();
  CLI::App* cmd = app.add_subcommand(
      "fix", "Move a repository's manifests to the target line: print the patch, or --write it");
  cmd->add_option("repos", args->paths, "Repository directories (work trees on disk)")
      ->required()
      ->type_name("DIR");
  add_rules_options(*cmd, *args,
                    "Config file whose [policy] target applies (default: ./otel-audit.toml if "
                    "present)",
                    "Canonical OpenTelemetry line (a rules/otel-<line>.toml pack), or latest: the "
                    "newest confirmed pack");
  cmd->add_flag("--write", args->write,
                "Apply the changes (each file through a temporary file and a rename; all or none)");
  cmd->add_flag("--check", args->check,
                "Change nothing; exit 1 when the fix would change something (for CI)");
  cmd->add_flag("--allow-dirty", args->allow_dirty,
                "With --write: also change files that have uncommitted changes in git");
  cmd->callback([args, argv0, &exit_code] { exit_code = run_fix(*args, argv0); });
}

} // namespace otelaudit::cli
