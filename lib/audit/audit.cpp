#include "audit/audit.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <optional>
#include <set>
#include <system_error>
#include <thread>

#include "cargo/workspace.h"
#include "common/glob.h"
#include "deploy/checks.h"
#include "deploy/model.h"
#include "graph/analysis.h"
#include "rules/context.h"
#include "rules/declarations.h"
#include "rules/registry.h"
#include "rules/rule_table.h"
#include "rust/facts.h"
#include "rust/modules.h"
#include "score/score.h"

namespace otelaudit {

namespace {

/// The Cargo.lock that resolves `manifest_file`: the nearest one in a directory above it.
const Lockfile* lockfile_for(const CargoModel& cargo, const std::string& manifest_file) {
  const Lockfile* best = nullptr;
  std::size_t best_len = 0;
  for (const Lockfile& lf : cargo.lockfiles) {
    auto slash = lf.file.rfind('/');
    std::string dir = slash == std::string::npos ? std::string() : lf.file.substr(0, slash + 1);
    if (manifest_file.compare(0, dir.size(), dir) == 0 && (!best || dir.size() > best_len)) {
      best = &lf;
      best_len = dir.size();
    }
  }
  return best;
}

std::string describe(const Declaration& d) {
  return d.dep->package + (d.dep->req ? " " + d.dep->req->value : std::string());
}

/// The level entry that decides `f`: one naming its rule, else one naming its severity.
std::size_t level_for(const Finding& f, const std::vector<LevelEntry>& levels) {
  std::size_t by_severity = levels.size();
  for (std::size_t i = 0; i < levels.size(); ++i) {
    if (levels[i].key == f.rule) return i;
    if (by_severity == levels.size() && levels[i].key == to_string(f.severity)) by_severity = i;
  }
  return by_severity;
}

/// Applies the -A/-W/-D levels once, after every rule and severity override.
void apply_levels(std::vector<Finding>& findings, const std::vector<LevelEntry>& levels,
                  std::vector<bool>& used, int& allowed) {
  std::vector<Finding> kept;
  kept.reserve(findings.size());
  for (Finding& f : findings) {
    const std::size_t i = level_for(f, levels);
    if (i == levels.size()) {
      kept.push_back(std::move(f));
      continue;
    }
    used[i] = true;
    switch (levels[i].action) {
    case LevelAction::allow:
      ++allowed;
      continue;
    case LevelAction::warn:
      f.gate = GateEffect::warn;
      break;
    case LevelAction::deny:
      f.gate = GateEffect::deny;
      break;
    }
    kept.push_back(std::move(f));
  }
  findings = std::move(kept);
}

/// One thread per core (at least one when the count is unknown).
std::size_t core_count() {
  return std::max(1u, std::thread::hardware_concurrency());
}

/// Calls work(i) once for each i in [0, n) on up to `threads` threads (this one included),
/// which take the indices from a shared counter. An exception thrown by work is kept and
/// rethrown here once every thread has joined (the one of the lowest index), so that none
/// escapes a thread; a thread that cannot be started leaves its share to the others.
template <class Work>
void parallel_for(std::size_t n, std::size_t threads, Work&& work) {
  std::vector<std::exception_ptr> errors(n);
  std::atomic<std::size_t> next{0};
  auto run = [&] {
    for (std::size_t i = next++; i < n; i = next++) {
      try {
        work(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < std::min(threads, n); ++t) {
    try {
      pool.emplace_back(run);
    } catch (const std::system_error&) {
      break;
    }
  }
  run();
  for (std::thread& t : pool)
    t.join();
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
}

/// Lexes and extracts the facts of every .rs file (memoised by content id when a cache is
/// given) on up to `threads` threads, then builds the module tree; read and lex problems
/// become findings.
void load_sources(const Tree& tree, RepoModel& model, Sink& sink, ParseCache* cache,
                  std::size_t threads) {
  // One slot per .rs file, filled by worker threads and merged in file order, so the result
  // does not depend on scheduling.
  struct Slot {
    const std::string* file;
    std::optional<std::string> id;
    std::optional<rust::FileFacts> facts;
    const rust::FileFacts* cached = nullptr;
    std::string error;
  };
  std::vector<Slot> slots;
  for (const std::string& file : tree.files()) {
    if (!file.ends_with(".rs")) continue;
    Slot slot{&file, cache ? tree.content_id(file) : std::nullopt, std::nullopt, nullptr, {}};
    if (slot.id)
      if (auto it = cache->facts.find(*slot.id); it != cache->facts.end())
        slot.cached = &it->second;
    slots.push_back(std::move(slot));
  }
  parallel_for(slots.size(), std::min<std::size_t>(threads, slots.size() / 8 + 1),
               [&](std::size_t i) {
                 Slot& slot = slots[i];
                 if (slot.cached) return;
                 std::optional<std::string> text = tree.read(*slot.file, slot.error);
                 if (text) slot.facts = rust::extract_facts(*text);
               });

  std::vector<std::string> rs_files;
  for (Slot& slot : slots) {
    const std::string& file = *slot.file;
    if (slot.cached) {
      ++cache->hits;
      model.sources.emplace(file, *slot.cached);
    } else if (!slot.facts) {
      // Unread, it still exists: a `mod` naming it is no missing module.
      sink.emit(unreadable_rule(slot.error), Location{file, 0, 0}, "cannot read: " + slot.error);
    } else {
      if (slot.id) {
        ++cache->misses;
        cache->facts.emplace(*slot.id, *slot.facts);
      }
      model.sources.emplace(file, std::move(*slot.facts));
    }
    rs_files.push_back(file);
  }
  // Files the listing skipped (a symbolic link, a file over the size limit) exist too; their
  // skipping is reported by the listing.
  for (const Diagnostic& d : tree.listing_diagnostics())
    if (d.loc.file.ends_with(".rs")) rs_files.push_back(d.loc.file);
  model.modules = build_module_tree(rs_files, model.sources, model.cargo);
  for (const Diagnostic& d : model.modules.diagnostics)
    sink.emit(d.rule, d.loc, d.message);
  // A file that does not lex cleanly is still judged on what could be read; its first problems
  // are reported, with the count of the others. A file not analysed (binary) or only in part
  // (out of memory) says so, on the file rather than a line (the line of a binary file can be
  // all of its 16 MiB, and a report must not quote it): no file is skipped without a finding.
  constexpr std::size_t kLexReportLimit = 5;
  for (const auto& [file, facts] : model.sources) {
    if (!facts.not_analysed.empty())
      sink.emit(facts.binary ? "source-lex-error" : "file-unreadable", Location{file, 0, 0},
                facts.not_analysed);
    const auto& diags = facts.lex_diagnostics;
    const std::size_t total = diags.size() + facts.lex_more;
    for (std::size_t i = 0; i < diags.size() && i < kLexReportLimit; ++i)
      sink.emit("source-lex-error", Location{file, diags[i].line, diags[i].column},
                diags[i].message + (i + 1 == kLexReportLimit && total > kLexReportLimit
                                        ? " (and " + std::to_string(total - kLexReportLimit) +
                                              " more problems in this file)"
                                        : std::string()));
  }
}

/// One `otel-audit: allow(rule, …) reason` comment.
struct InlineAllow {
  Location loc;
  std::vector<std::string> rules;
  std::string reason;
  bool used = false;
};

/// `# otel-audit: allow(rule) reason` comments of a Cargo.toml (whole-line or trailing).
void manifest_allows(const std::string& file, const std::string& text,
                     std::vector<InlineAllow>& out) {
  static constexpr std::string_view kMarker = "otel-audit: allow(";
  int line = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    ++line;
    std::string_view l(text.data() + pos, end - pos);
    std::size_t hash = l.find('#');
    std::size_t at = hash == std::string_view::npos ? hash : l.find(kMarker, hash);
    if (at != std::string_view::npos) {
      std::size_t close = l.find(')', at);
      if (close != std::string_view::npos) {
        InlineAllow a;
        a.loc = Location{file, line, static_cast<int>(hash) + 1};
        std::string_view list = l.substr(at + kMarker.size(), close - at - kMarker.size());
        std::size_t start = 0;
        while (start <= list.size()) {
          std::size_t comma = list.find(',', start);
          if (comma == std::string_view::npos) comma = list.size();
          std::string_view id = list.substr(start, comma - start);
          while (!id.empty() && id.front() == ' ')
            id.remove_prefix(1);
          while (!id.empty() && id.back() == ' ')
            id.remove_suffix(1);
          if (!id.empty()) a.rules.emplace_back(id);
          start = comma + 1;
        }
        std::string_view reason = l.substr(close + 1);
        while (!reason.empty() && (reason.front() == ' ' || reason.front() == '\t'))
          reason.remove_prefix(1);
        while (!reason.empty() && (reason.back() == ' ' || reason.back() == '\r'))
          reason.remove_suffix(1);
        a.reason = std::string(reason);
        if (!a.rules.empty()) out.push_back(std::move(a));
      }
    }
    pos = end + 1;
  }
}

/// Applies inline suppressions: an allow comment silences findings of its rules on its own
/// line and on the next one; one that silences nothing is itself reported (unused-suppression).
void apply_inline_allows(const RepoModel& model, std::vector<Finding>& findings, Sink& extra) {
  std::map<std::string, std::vector<InlineAllow>> allows;
  for (const auto& [file, facts] : model.sources)
    for (const rust::Suppression& s : facts.suppressions)
      allows[file].push_back({Location{file, s.pos.line, s.pos.column}, s.rules, s.reason, false});
  for (const auto& [file, text] : model.cargo.texts)
    if (file.ends_with("Cargo.toml")) manifest_allows(file, text, allows[file]);
  for (Finding& f : findings) {
    auto it = allows.find(f.loc.file);
    if (it == allows.end() || f.loc.line == 0) continue;
    for (InlineAllow& a : it->second) {
      if (a.loc.line != f.loc.line && a.loc.line + 1 != f.loc.line) continue;
      if (std::find(a.rules.begin(), a.rules.end(), f.rule) == a.rules.end()) continue;
      f.suppressed = true;
      f.suppression = a.reason.empty() ? "inline allow without a reason" : a.reason;
      a.used = true;
    }
  }
  for (const auto& [file, list] : allows)
    for (const InlineAllow& a : list)
      if (!a.used) {
        std::string ids;
        for (const std::string& r : a.rules)
          ids += (ids.empty() ? "" : ", ") + r;
        extra.emit("unused-suppression", a.loc,
                   "otel-audit: allow(" + ids + ") silences no finding here: remove it");
      }
}

/// The model kept after a repository's own rules ran, for the cross-repository analysis.
struct Audited {
  RepoResult result;
  CargoModel cargo;
};

Audited audit_repo(const RepoInput& input, const Ruleset& rules, const AuditPolicy& policy,
                   std::vector<bool>& used, int& allowed, ParseCache* cache, std::size_t threads,
                   RepoModel* keep = nullptr) {
  RepoModel model;
  model.name = input.name;
  model.cargo = load_cargo(*input.tree, cache);
  model.deploy = deploy::load_deploy(*input.tree);
  Sink sink(input.name, policy.severity_overrides);
  // A Cargo.lock that is there but was skipped, unreadable or malformed: reported on its own,
  // and no-lockfile then says the packages are judged without it, not that it is missing.
  auto note_lockfile = [&](const Diagnostic& d) {
    if (d.loc.file == "Cargo.lock" || d.loc.file.ends_with("/Cargo.lock"))
      model.cargo.unused_lockfiles.insert(d.loc.file);
  };
  for (const Diagnostic& d : input.tree->listing_diagnostics()) {
    note_lockfile(d);
    sink.emit(d.rule, d.loc, d.message);
  }
  for (const Diagnostic& d : model.cargo.diagnostics) {
    note_lockfile(d);
    sink.emit(d.rule, d.loc, d.message);
  }
  for (const Diagnostic& d : model.deploy.diagnostics)
    sink.emit(d.rule, d.loc, d.message);
  load_sources(*input.tree, model, sink, cache, threads);
  for (RepoRule rule : repo_rules())
    rule(model, rules, sink);

  RepoResult repo;
  repo.name = input.name;
  repo.path = input.path;
  repo.commit = input.commit;
  repo.findings = sink.take();
  Sink unused(input.name, policy.severity_overrides);
  apply_inline_allows(model, repo.findings, unused);
  for (Finding& f : unused.take())
    repo.findings.push_back(std::move(f));
  apply_levels(repo.findings, policy.levels, used, allowed);
  std::sort(repo.findings.begin(), repo.findings.end(), finding_less);
  repo.has_lockfile = !model.cargo.lockfiles.empty();
  repo.deploy = deploy::summarize_deploy(model.deploy, rules.deployment, model.name);
  repo.sources = model.cargo.texts;
  // Source lines under findings: only the files that have some are kept.
  for (const Finding& f : repo.findings)
    if (f.loc.line > 0 && !repo.sources.count(f.loc.file)) {
      std::string error;
      if (auto text = input.tree->read(f.loc.file, error)) repo.sources.emplace(f.loc.file, *text);
    }

  std::vector<Declaration> decls = collect_declarations(model.cargo, rules);
  repo.otel_line = repository_line(decls, rules);
  for (const Declaration& d : decls) {
    const std::string& crate = d.dep->package;
    bool deprecated = rules.deprecation(crate) != nullptr;
    if (!d.otel && !d.bridge && !deprecated) continue;
    CrateUse use;
    use.name = crate;
    use.requirement = d.dep->req ? d.dep->req->value : std::string();
    use.package = d.workspace_table     ? std::string("[workspace]")
                  : d.manifest->package ? d.manifest->package->name.value
                                        : std::string();
    use.loc = d.dep->req ? d.dep->req->loc : d.dep->loc;
    if (const Lockfile* lf = lockfile_for(model.cargo, d.manifest->file)) {
      for (const LockedPackage* p : lf->find(crate)) {
        auto v = parse_version(p->version);
        if (v && (!d.req || d.req->matches(*v))) use.resolved = p->version;
      }
    }
    repo.crates.push_back(use);
    if (repo.exporter.empty() &&
        (deprecated || crate == "opentelemetry-otlp" || crate == "opentelemetry-zipkin" ||
         crate == "opentelemetry-stdout"))
      repo.exporter = describe(d);
    if (repo.bridge.empty() && d.bridge) repo.bridge = describe(d);
  }
  if (keep) {
    Audited out{std::move(repo), model.cargo};
    *keep = std::move(model);
    return out;
  }
  return {std::move(repo), std::move(model.cargo)};
}

bool ignore_matches(const IgnoreRule& ig, const Finding& f) {
  if (ig.rule != f.rule) return false;
  if (!ig.repo.empty() && ig.repo != f.repo) return false;
  return ig.path.empty() || ig.path == f.loc.file || glob_match_path(ig.path, f.loc.file);
}

} // namespace

std::string_view level_flag(LevelAction action) {
  switch (action) {
  case LevelAction::allow:
    return "-A";
  case LevelAction::warn:
    return "-W";
  case LevelAction::deny:
    return "-D";
  }
  return "-W";
}

std::string check_levels(const std::vector<LevelEntry>& levels) {
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const LevelEntry& e = levels[i];
    if (!find_rule(e.key) && !parse_severity(e.key))
      return e.origin + " \"" + e.key +
             "\" is neither a rule id (see `otel-audit rules`) nor a severity (blocker, high, "
             "medium, low, info)";
    for (std::size_t j = 0; j < i; ++j)
      if (levels[j].key == e.key && levels[j].action != e.action)
        return levels[j].origin + " and " + e.origin + " both name \"" + e.key + "\"";
  }
  return {};
}

AuditResult run_audit(const std::vector<RepoInput>& repos, const Ruleset& rules,
                      const AuditPolicy& policy) {
  LevelReport ignored;
  return run_audit(repos, rules, policy, ignored, nullptr);
}

AuditResult run_audit(const std::vector<RepoInput>& repos, const Ruleset& rules,
                      const AuditPolicy& policy, LevelReport& levels, ParseCache* cache) {
  AuditResult result;
  result.target = rules.target;
  std::vector<bool> used(policy.levels.size(), false);
  levels = {};
  // Repositories are audited in parallel, each into its own slot (findings, the levels it
  // used, the findings it allowed), and merged in input order: the result does not depend on
  // scheduling. The cores left over go to each repository's source files; a single
  // repository gets them all. With a parse cache (history), one repository at a time.
  const std::size_t cores = policy.jobs ? policy.jobs : core_count();
  const std::size_t workers = cache ? 1 : std::min(cores, repos.size());
  const std::size_t inner = std::max<std::size_t>(1, cores / std::max<std::size_t>(1, workers));
  struct Slot {
    std::optional<Audited> audited;
    std::vector<bool> used;
    int allowed = 0;
  };
  std::vector<Slot> slots(repos.size());
  parallel_for(repos.size(), workers, [&](std::size_t i) {
    Slot& slot = slots[i];
    slot.used.assign(policy.levels.size(), false);
    slot.audited = audit_repo(repos[i], rules, policy, slot.used, slot.allowed, cache, inner);
  });
  std::vector<CargoModel> cargos;
  for (Slot& slot : slots) {
    for (std::size_t i = 0; i < used.size(); ++i)
      if (slot.used[i]) used[i] = true;
    levels.allowed += slot.allowed;
    result.repos.push_back(std::move(slot.audited->result));
    cargos.push_back(std::move(slot.audited->cargo));
  }
  finish_audit(result, cargos, repos, rules, policy, used, levels);
  return result;
}

RepoAudit audit_repository(const RepoInput& input, const Ruleset& rules, RepoModel* model) {
  std::vector<bool> used;
  int allowed = 0;
  Audited a = audit_repo(input, rules, AuditPolicy{}, used, allowed, nullptr, core_count(), model);
  return {std::move(a.result), std::move(a.cargo)};
}

void apply_policy(std::vector<Finding>& findings, const AuditPolicy& policy,
                  std::vector<bool>& used, int& allowed) {
  for (Finding& f : findings)
    if (!f.orphan)
      if (auto o = policy.severity_overrides.find(f.rule); o != policy.severity_overrides.end())
        f.severity = o->second;
  apply_levels(findings, policy.levels, used, allowed);
}

void finish_audit(AuditResult& result, const std::vector<CargoModel>& cargos,
                  const std::vector<RepoInput>& repos, const Ruleset& rules,
                  const AuditPolicy& policy, std::vector<bool>& used, LevelReport& levels) {
  result.target = rules.target;
  // Across repositories: the dependency graph, link compatibility and version spread.
  {
    std::vector<GraphRepo> graph_repos;
    for (std::size_t i = 0; i < repos.size(); ++i) {
      GraphRepo g;
      g.name = result.repos[i].name;
      g.url = repos[i].url;
      g.path = repos[i].tree_root;
      g.cargo = &cargos[i];
      g.otel_line = result.repos[i].otel_line;
      graph_repos.push_back(std::move(g));
    }
    auto analysis = std::make_shared<SetAnalysis>(analyze_set(graph_repos, rules, rules.spread));
    for (std::size_t i = 0; i < result.repos.size(); ++i) {
      RepoResult& repo = result.repos[i];
      auto it = analysis->findings.find(repo.name);
      if (it == analysis->findings.end()) continue;
      std::vector<Finding> extra = it->second;
      apply_policy(extra, policy, used, levels.allowed);
      for (Finding& f : extra) {
        if (auto t = cargos[i].texts.find(f.loc.file); t != cargos[i].texts.end())
          repo.sources.emplace(f.loc.file, t->second);
        repo.findings.push_back(std::move(f));
      }
      std::sort(repo.findings.begin(), repo.findings.end(), finding_less);
    }
    result.analysis = std::move(analysis);
  }
  for (std::size_t i = 0; i < used.size(); ++i)
    if (!used[i]) levels.unmatched.push_back(policy.levels[i]);

  std::vector<bool> ignore_used(policy.ignores.size(), false);
  for (RepoResult& repo : result.repos)
    for (Finding& f : repo.findings)
      for (std::size_t i = 0; i < policy.ignores.size(); ++i)
        if (!f.suppressed && ignore_matches(policy.ignores[i], f)) {
          f.suppressed = true;
          f.suppression = policy.ignores[i].reason;
          ignore_used[i] = true;
        }
  for (std::size_t i = 0; i < policy.ignores.size(); ++i)
    if (!ignore_used[i])
      result.warnings.push_back(policy.ignores[i].origin + ": ignore entry for \"" +
                                policy.ignores[i].rule + "\" matched no finding");
  score_result(result, rules, policy.min_score);
}

} // namespace otelaudit
