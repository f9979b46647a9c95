// libFuzzer target: a target data file (rules/otel-<target>.toml) parsed against the real
// rules/otel-lines.toml (parse_ruleset).
#include <fstream>
#include <sstream>
#include <string>

#include "fuzz_common.h"
#include "rules/ruleset.h"

using namespace otelaudit;

namespace {

const std::string& lines_text() {
  static const std::string text = [] {
    std::ifstream in(std::string(OTEL_AUDIT_RULES_DIR) + "/otel-lines.toml", std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }();
  return text;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::check(!lines_text().empty(), "rules/otel-lines.toml is readable");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  RulesetResult r =
      parse_ruleset(lines_text(), "otel-lines.toml", fuzz::as_text(data, size), "otel-0.27.toml");
  fuzz::check(r.ruleset.has_value() == r.errors.empty(), "ruleset set exactly when no errors");
  if (r.ruleset) {
    const Ruleset& rs = *r.ruleset;
    (void)rs.target_line();
    for (const LineInfo& line : rs.lines) {
      (void)rs.line_index(line.line);
      for (const auto& [crate, version] : line.crates) {
        (void)rs.is_otel_crate(crate);
        (void)rs.target_version(crate);
        if (std::optional<Version> v = parse_version(version + ".0")) (void)rs.line_of(crate, *v);
      }
    }
  }
  return 0;
}
