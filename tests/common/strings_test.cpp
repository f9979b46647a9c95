#include <doctest/doctest.h>

#include <string_view>
#include <vector>

#include "common/strings.h"

using namespace otelaudit;

TEST_CASE("strings: lower changes ASCII letters only") {
  CHECK(lower("GitHub.COM/Org") == "github.com/org");
  CHECK(lower("\xC3\x9C"
              "ber") == "\xC3\x9C"
                        "ber"); // UTF-8 bytes are kept
  CHECK(lower("") == "");
}

TEST_CASE("strings: join puts the separator between two items only") {
  CHECK(join(std::vector<std::string>{"a", "b", "c"}) == "a, b, c");
  CHECK(join(std::vector<std::string>{"one"}) == "one");
  CHECK(join(std::vector<std::string>{}) == "");
  CHECK(join(std::vector<std::string_view>{"opentelemetry_jaeger", "new_agent_pipeline"}, "::") ==
        "opentelemetry_jaeger::new_agent_pipeline");
  CHECK(join(std::vector<std::string>{"", "x"}, "; ") == "; x");
}

TEST_CASE("strings: crate names compare with - and _ alike, and nothing else") {
  CHECK(same_crate_name("opentelemetry-otlp", "opentelemetry_otlp"));
  CHECK(same_crate_name("opentelemetry_sdk", "opentelemetry_sdk"));
  CHECK_FALSE(same_crate_name("opentelemetry-otlp", "opentelemetry-otl"));
  CHECK_FALSE(same_crate_name("Opentelemetry", "opentelemetry")); // case matters
  CHECK_FALSE(same_crate_name("tracing-opentelemetry", "tracing.opentelemetry"));
}
