// libFuzzer target: a whole repository through the pipeline (workspace loading, every rule,
// scoring, the three renderers). The input is a small archive of files, unpacked by
// fuzz::unpack (fuzz_common.h): "=== path" lines start files, text before the first is
// Cargo.toml, so a plain manifest is a one-file repository.
#include "audit/audit.h"
#include "fuzz_common.h"
#include "report/json.h"
#include "report/markdown.h"
#include "report/text.h"
#include "rules/ruleset.h"
#include "source/tree.h"

using namespace otelaudit;

namespace {

const Ruleset& rules() {
  static const Ruleset ruleset = [] {
    RulesetResult r = load_ruleset(OTEL_AUDIT_RULES_DIR, "0.27");
    fuzz::check(r.ruleset.has_value(), "rules/ load");
    return *r.ruleset;
  }();
  return ruleset;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)rules();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  MemoryTree tree(fuzz::unpack(fuzz::as_text(data, size)));
  AuditResult result = run_audit({{"fuzzed", "fuzzed", &tree}}, rules());
  fuzz::check(result.repos.size() == 1, "one repository in, one out");
  fuzz::check(result.score >= 0 && result.score <= 100, "score in 0..100");
  (void)render_json(result);
  (void)render_markdown(result);
  (void)render_text(result, TextOptions{});
  return 0;
}
