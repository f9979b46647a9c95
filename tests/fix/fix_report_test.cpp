// The Markdown migration checklist points at `otel-audit fix` for the manifest items it handles.
#include <doctest/doctest.h>

#include <string>

#include "audit/audit.h"
#include "report/markdown.h"
#include "source/tree.h"

using namespace otelaudit;

namespace {

std::string checklist(const std::string& path, const std::string& commit) {
  DirTree tree(std::string(OTEL_AUDIT_SOURCE_DIR) + "/fixtures/cases/fix-renamed");
  RulesetResult rules = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
  REQUIRE(rules.ruleset.has_value());
  AuditResult result = run_audit({RepoInput("fix-renamed", path, &tree, commit)}, *rules.ruleset);
  const std::string md = render_markdown(result);
  const std::size_t at = md.find("## Migration checklist");
  REQUIRE(at != std::string::npos);
  return md.substr(at, md.find("\n## ", at + 1) - at);
}

} // namespace

TEST_CASE("markdown: the checklist gives the fix command of a repository on disk") {
  const std::string md = checklist("my repos/fix-renamed", "");
  CHECK(md.find("   - [ ] the items marked *fix*: `otel-audit fix 'my repos/fix-renamed' --target "
                "0.27 --write` changes the manifests and lists what it leaves (Cargo.lock, the "
                "code); see docs/fix.md\n") != std::string::npos);
  CHECK(md.find("   - [ ] deprecated-exporter (blocker, 16 h, *fix*) at `Cargo.toml:15:1`") !=
        std::string::npos);
}

TEST_CASE("markdown: no fix command for a repository read at a commit") {
  const std::string md =
      checklist("https://example.com/fix-renamed.git", "0123456789abcdef0123456789abcdef01234567");
  CHECK(md.find("otel-audit fix") == std::string::npos);
  CHECK(md.find("*fix*") == std::string::npos);
  CHECK(md.find("deprecated-exporter (blocker, 16 h) at `Cargo.toml:15:1`") != std::string::npos);
}
