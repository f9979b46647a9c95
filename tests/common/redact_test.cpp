#include <doctest/doctest.h>

#include "common/redact.h"

using namespace otelaudit;

TEST_CASE("redact_url: the userinfo goes whatever it holds, found on the raw text") {
  CHECK(redact_url("https://bob:tok3n@github.com/o/r") == "https://***@github.com/o/r");
  CHECK(redact_url("https://ghp_abc@github.com/o/r") == "https://***@github.com/o/r");
  // A password with `#`, `?` or `/` (a URL parser ends the authority there) or a blank.
  CHECK(redact_url("https://bob:pa#ss/wd?x@github.com/o/r.git") ==
        "https://***@github.com/o/r.git");
  CHECK(redact_url("https://bob:pa ss@127.0.0.1:9/o/r") == "https://***@127.0.0.1:9/o/r");
  CHECK(redact_url("bob:pw@host:o/r.git") == "***@host:o/r.git");
  // No secret: kept as written.
  CHECK(redact_url("git@github.com:o/r.git") == "git@github.com:o/r.git");
  CHECK(redact_url("https://github.com/o/r") == "https://github.com/o/r");
  CHECK(redact_url("./repos/a@b") == "./repos/a@b");
  CHECK(url_secret("https://bob:pa#ss/wd?x@github.com/o/r") == "pa#ss/wd?x");
  CHECK(url_secret("https://tok3n@github.com/o/r") == "tok3n");
  CHECK(url_secret("https://github.com/o/r") == "");
}

TEST_CASE("redact_secrets: URLs, credential-shaped settings and authorization values in text") {
  CHECK(redact_secrets("opentelemetry = { git = \"https://bob:pa#ss/x@github.com/o/r\", tag = "
                       "\"v1\" }") ==
        "opentelemetry = { git = \"https://***@github.com/o/r\", tag = \"v1\" }");
  CHECK(redact_secrets("OTEL_TRACES_SAMPLER_ARG=https://u:pw@x is not a number") ==
        "OTEL_TRACES_SAMPLER_ARG=https://***@x is not a number");
  CHECK(redact_secrets("GITHUB_TOKEN=ghp_123 and DB_PASSWORD: \"hunter 2\"") ==
        "GITHUB_TOKEN=*** and DB_PASSWORD: \"***\"");
  CHECK(redact_secrets("OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer sekrit") ==
        "OTEL_EXPORTER_OTLP_HEADERS=*** ***");
  CHECK(redact_secrets("header: Authorization: Basic dXNlcjpwdw==") ==
        "header: Authorization: *** ***");
  // A reference to another setting is no secret; neither is a path holding an `@`.
  CHECK(redact_secrets("API_TOKEN=${API_TOKEN}") == "API_TOKEN=${API_TOKEN}");
  CHECK(redact_secrets("see https://host/pkg@1.0 and git@github.com:o/r") ==
        "see https://host/pkg@1.0 and git@github.com:o/r");
  CHECK(redact_secrets("no secret: opentelemetry 0.21 is behind 0.27") ==
        "no secret: opentelemetry 0.21 is behind 0.27");
  CHECK(redact_secrets("unexpected token: `fn`") == "unexpected token: `fn`");
  // Same length: a source line keeps its columns.
  CHECK(redact_secrets("x = \"https://bob:pw@h/r\"", Redaction::same_length) ==
        "x = \"https://******@h/r\"");
}
