#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "audit/policy.h"
#include "model/repository.h"
#include "rules/ruleset.h"
#include "score/readiness.h"
#include "source/tree.h"

namespace otelaudit {

/// One repository to audit: its display name, the path the user gave, and its files.
struct RepoInput {
  RepoInput() = default;
  RepoInput(std::string n, std::string p, const Tree* t, std::string c = {}, std::string comp = {})
      : name(std::move(n)), path(std::move(p)), tree(t), commit(std::move(c)),
        component(std::move(comp)) {}

  std::string name;
  std::string path;
  const Tree* tree = nullptr;
  std::string commit;    // audited commit id when read from git
  std::string component; // expected service-name component (config), empty: the name
  std::string url;       // its git URL when known (a URL input or the config): matches git
                         // dependencies of the other repositories to it
  std::string tree_root; // its directory on disk when it is one, for path dependencies
};

/// Reads, models, judges and scores every repository: the whole pipeline below the cli.
AuditResult run_audit(const std::vector<RepoInput>& repos, const Ruleset& rules,
                      const AuditPolicy& policy = {});
/// The same, also telling what the `-A/-W/-D` levels of `policy` did; with a cache, files
/// seen before (same content id) are not read or parsed again (history mode).
AuditResult run_audit(const std::vector<RepoInput>& repos, const Ruleset& rules,
                      const AuditPolicy& policy, LevelReport& levels, ParseCache* cache = nullptr);

/// A repository audited on its own, before the set-level analysis and without any policy:
/// its own rules' findings (sorted, default severities), its inline allow comments (applied
/// with the policy) and the Cargo model the set-level analysis reads. What `otel-audit scan`
/// records.
struct RepoAudit {
  RepoResult result;
  CargoModel cargo;
};

/// The repository part of run_audit for one repository, with no policy applied and the secrets
/// its findings and source lines quote redacted (common/redact.h). With `model`, the whole model
/// the rules judged (sources and module tree too) is kept there, unredacted, for the fixer.
RepoAudit audit_repository(const RepoInput& input, const Ruleset& rules,
                           RepoModel* model = nullptr);

/// The set-level part of run_audit, once every repository has its own findings (no policy
/// applied): the cross-repository analysis, the secrets every finding and source line quotes
/// redacted (common/redact.h), then the whole policy in one step (audit/policy.h), then scores
/// and verdict. `result.repos[i]`, `cargos[i]` and `repos[i]` (its url and
/// tree_root; the tree is not read) describe one repository.
void finish_audit(AuditResult& result, const std::vector<CargoModel>& cargos,
                  const std::vector<RepoInput>& repos, const Ruleset& rules,
                  const AuditPolicy& policy, LevelReport& levels);

} // namespace otelaudit
