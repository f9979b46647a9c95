// libFuzzer target: a whole repository through the pipeline (workspace loading, every rule,
// scoring, the three renderers). The input is a small archive of files:
//   "=== path\n" starts a file named path, whose content runs to the next "=== " line.
// Text before the first header is Cargo.toml, so a plain manifest is a one-file repository.
#include <fstream>
#include <map>
#include <sstream>
#include <string>

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

std::map<std::string, std::string> unpack(std::string_view text) {
  std::map<std::string, std::string> files;
  std::string name = "Cargo.toml", content;
  bool open = false; // a file is being collected (a header was seen, or text before one)
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t eol = text.find('\n', pos);
    const std::size_t end = eol == std::string_view::npos ? text.size() : eol + 1;
    const std::string_view line = text.substr(pos, end - pos);
    if (line.starts_with("=== ")) {
      if (open) files[name] = std::move(content);
      content.clear();
      name = std::string(line.substr(4, line.size() - 4 - (line.ends_with('\n') ? 1 : 0)));
    } else {
      content += line;
    }
    open = true;
    pos = end;
  }
  if (open) files[name] = std::move(content);
  return files;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)rules();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  MemoryTree tree(unpack(fuzz::as_text(data, size)));
  AuditResult result = run_audit({{"fuzzed", "fuzzed", &tree}}, rules());
  fuzz::check(result.repos.size() == 1, "one repository in, one out");
  fuzz::check(result.score >= 0 && result.score <= 100, "score in 0..100");
  (void)render_json(result);
  (void)render_markdown(result);
  (void)render_text(result, TextOptions{});
  return 0;
}
