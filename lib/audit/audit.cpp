#include "audit/audit.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <optional>
#include <set>
#include <system_error>
#include <thread>

#include "common/redact.h"
#include "graph/analysis.h"
#include "model/cargo/workspace.h"
#include "model/deploy/model.h"
#include "model/rust/facts.h"
#include "model/rust/modules.h"
#include "rules/context.h"
#include "rules/declarations.h"
#include "rules/families/deployment.h"
#include "rules/registry.h"
#include "rules/rule_table.h"
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
      ++cache->source_hits;
      model.sources.emplace(file, *slot.cached);
    } else if (!slot.facts) {
      // Unread, it still exists: a `mod` naming it is no missing module.
      sink.emit(unreadable_rule(slot.error), Location{file, 0, 0}, "cannot read: " + slot.error);
    } else {
      if (slot.id) {
        ++cache->source_misses;
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
  // A file reached from no crate root is never compiled: what is wrong in it is informational,
  // as every other finding in it (docs/rules.md, "Source rules").
  constexpr std::size_t kLexReportLimit = 5;
  for (const auto& [file, facts] : model.sources) {
    const SourceFile* unit = model.modules.find(file);
    const bool orphan = unit && unit->orphan;
    auto emit = [&](std::string_view rule, Location loc, std::string message) {
      Finding f;
      f.rule = std::string(rule);
      f.orphan = orphan;
      const RuleInfo* info = find_rule(rule);
      f.severity = orphan ? Severity::info : info ? info->default_severity : Severity::medium;
      f.loc = std::move(loc);
      f.message = std::move(message);
      sink.emit(std::move(f));
    };
    if (!facts.not_analysed.empty())
      emit(facts.binary ? "source-lex-error" : "file-unreadable", Location{file, 0, 0},
           facts.not_analysed);
    const auto& diags = facts.lex_diagnostics;
    const std::size_t total = diags.size() + facts.lex_more;
    for (std::size_t i = 0; i < diags.size() && i < kLexReportLimit; ++i)
      emit("source-lex-error", Location{file, diags[i].line, diags[i].column},
           diags[i].message + (i + 1 == kLexReportLimit && total > kLexReportLimit
                                   ? " (and " + std::to_string(total - kLexReportLimit) +
                                         " more problems in this file)"
                                   : std::string()));
  }
}

/// The model kept after a repository's own rules ran, for the cross-repository analysis.
struct Audited {
  RepoResult result;
  CargoModel cargo;
};

Audited audit_repo(const RepoInput& input, const Ruleset& rules, ParseCache* cache,
                   std::size_t threads, RepoModel* keep = nullptr) {
  RepoModel model;
  model.name = input.name;
  model.cargo = load_cargo(*input.tree, cache ? &cache->cargo : nullptr);
  model.deploy = deploy::load_deploy(*input.tree);
  Sink sink(input.name);
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
  for (const auto& [file, facts] : model.sources)
    for (const rust::Suppression& s : facts.suppressions)
      repo.allows.push_back({Location{file, s.pos.line, s.pos.column}, s.rules, s.reason});
  for (const auto& [file, text] : model.cargo.texts)
    if (file.ends_with("Cargo.toml"))
      for (InlineAllow& a : manifest_allows(file, text))
        repo.allows.push_back(std::move(a));
  std::sort(repo.findings.begin(), repo.findings.end(), finding_less);
  repo.has_lockfile = !model.cargo.lockfiles.empty();
  // Any Cargo.toml, read or not (malformed, too large, excluded): its presence says Rust.
  repo.rust =
      std::any_of(input.tree->files().begin(), input.tree->files().end(), [](const std::string& f) {
        return f == "Cargo.toml" || f.ends_with("/Cargo.toml");
      });
  repo.deployment = !model.deploy.files.empty();
  repo.deploy = deploy::summarize_deploy(model.deploy, rules.deployment, deploy::own_images(model));
  repo.sources = model.cargo.texts;
  // Source lines under findings: only the files that have some are kept, and those of allow
  // comments (one that silences nothing becomes a finding of its own).
  auto keep_source = [&](const Location& loc) {
    if (loc.line > 0 && !repo.sources.count(loc.file)) {
      std::string error;
      if (auto text = input.tree->read(loc.file, error)) repo.sources.emplace(loc.file, *text);
    }
  };
  for (const Finding& f : repo.findings)
    keep_source(f.loc);
  for (const InlineAllow& a : repo.allows)
    keep_source(a.loc);

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

// Secrets the repository holds (credentials in a git URL, an endpoint, a header, a token
// setting) are quoted by no report: messages, fixes and allow reasons lose them, and the source
// lines shown under findings keep their length, so the carets still point at the same column.
void redact_repo(RepoResult& repo) {
  for (Finding& f : repo.findings) {
    f.message = redact_secrets(f.message);
    f.fix = redact_secrets(f.fix);
    f.suppression = redact_secrets(f.suppression);
  }
  for (InlineAllow& a : repo.allows)
    a.reason = redact_secrets(a.reason);
  for (auto& [file, text] : repo.sources)
    text = redact_secrets(text, Redaction::same_length);
}

} // namespace

AuditResult run_audit(const std::vector<RepoInput>& repos, const Ruleset& rules,
                      const AuditPolicy& policy) {
  LevelReport ignored;
  return run_audit(repos, rules, policy, ignored, nullptr);
}

AuditResult run_audit(const std::vector<RepoInput>& repos, const Ruleset& rules,
                      const AuditPolicy& policy, LevelReport& levels, ParseCache* cache) {
  AuditResult result;
  result.target = rules.target;
  // Repositories are audited in parallel, each into its own slot, and merged in input order: the
  // result does not depend on scheduling. The cores left over go to each repository's source files;
  // a single repository gets them all. With a parse cache (history), one repository at a time.
  const std::size_t cores = policy.jobs ? policy.jobs : core_count();
  const std::size_t workers = cache ? 1 : std::min(cores, repos.size());
  const std::size_t inner = std::max<std::size_t>(1, cores / std::max<std::size_t>(1, workers));
  std::vector<std::optional<Audited>> slots(repos.size());
  parallel_for(repos.size(), workers,
               [&](std::size_t i) { slots[i] = audit_repo(repos[i], rules, cache, inner); });
  std::vector<CargoModel> cargos;
  for (std::optional<Audited>& slot : slots) {
    result.repos.push_back(std::move(slot->result));
    cargos.push_back(std::move(slot->cargo));
  }
  finish_audit(result, cargos, repos, rules, policy, levels);
  return result;
}

RepoAudit audit_repository(const RepoInput& input, const Ruleset& rules, RepoModel* model) {
  Audited a = audit_repo(input, rules, nullptr, core_count(), model);
  redact_repo(a.result);
  return {std::move(a.result), std::move(a.cargo)};
}

void finish_audit(AuditResult& result, const std::vector<CargoModel>& cargos,
                  const std::vector<RepoInput>& repos, const Ruleset& rules,
                  const AuditPolicy& policy, LevelReport& levels) {
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
      for (const Finding& f : it->second) {
        if (auto t = cargos[i].texts.find(f.loc.file); t != cargos[i].texts.end())
          repo.sources.emplace(f.loc.file, t->second);
        repo.findings.push_back(f);
      }
    }
    result.analysis = std::move(analysis);
  }
  for (RepoResult& repo : result.repos)
    redact_repo(repo);
  // The policy, once every finding exists: an inline allow or an ignore entry reaches the
  // cross-repository findings as it reaches the repositories' own.
  apply_policy(result, policy, levels);
  score_result(result, rules);
  result.summary.allowed = levels.allowed;
  result.gate = evaluate_gate(
      result, {policy.fail_on, policy.min_score, policy.fail_on_source, policy.min_score_source});
}

} // namespace otelaudit
