// libFuzzer target: a line pack (rules/otel-0.27.toml) parsed with the rest of the bundled rule
// data by the one loader (parse_rule_data), and the lookups over its result.
#include "fuzz_common.h"

using namespace otelaudit;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::check(!fuzz::rule_files_but_0_27().empty(), "the bundled rule data is readable");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::run_ruleset(fuzz::as_text(data, size));
  return 0;
}
