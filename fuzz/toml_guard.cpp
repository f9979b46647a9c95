// libFuzzer target: the TOML pre-scan and, for what it lets through, toml++ itself. The guard
// promises that text it accepts is safe for toml++ 3.3.0, so the parser runs on every such input.
// toml++ is compiled into this target from its headers (not the Debian shared library), so it
// is instrumented too: coverage then guides the fuzzer through the parser the guard protects.
#undef TOML_HEADER_ONLY
#define TOML_HEADER_ONLY 1
#undef TOML_SHARED_LIB
#define TOML_SHARED_LIB 0
#include <toml++/toml.h>

#include "common/toml_guard.h"
#include "fuzz_common.h"

using namespace otelaudit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  if (std::optional<Diagnostic> d = toml_prescan(text, "Cargo.toml", "manifest-parse-error")) {
    fuzz::check(d->loc.line >= 1 && d->loc.column >= 1, "guard location is 1-based");
    return 0;
  }
  try {
    toml::table table = toml::parse(text, std::string_view("Cargo.toml"));
    (void)table.size();
  } catch (const toml::parse_error&) {
  }
  return 0;
}
