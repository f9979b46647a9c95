// libFuzzer target: the user's otel-audit.toml (parse_config).
#include "config/config.h"
#include "fuzz_common.h"

using namespace otelaudit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ConfigResult r = parse_config(fuzz::as_text(data, size), "otel-audit.toml");
  fuzz::check(r.config.has_value() == r.errors.empty(), "config set exactly when no errors");
  for (const Diagnostic& d : r.errors)
    fuzz::check(d.rule == "config-invalid", "error rule");
  return 0;
}
