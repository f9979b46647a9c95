// libFuzzer target: the fixer's TOML editor on mutated manifests (the check is in fix_edit.h,
// which the regression tests run too).
#include "fix_edit.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  otelaudit::fuzz::fix_edit_one(otelaudit::fuzz::as_text(data, size));
  return 0;
}
