// libFuzzer target: a Cargo.toml from an audited repository (parse_manifest).
#include "model/cargo/manifest.h"
#include "fuzz_common.h"

using namespace otelaudit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A member below the root, so relative paths (`../x`) are resolved against a directory.
  ManifestResult r = parse_manifest(fuzz::as_text(data, size), "crates/member/Cargo.toml");
  for (const Diagnostic& d : r.diagnostics) {
    fuzz::check(!d.rule.empty(), "diagnostic without a rule");
    fuzz::check(d.loc.file == "crates/member/Cargo.toml", "diagnostic names another file");
    fuzz::check(d.loc.line >= 0 && d.loc.column >= 0, "negative location");
  }
  return 0;
}
