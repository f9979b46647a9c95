// libFuzzer target: Cargo version requirements and versions (parse_requirement, matches).
// The first line of the input is a requirement, the second a version.
#include <string>

#include "fuzz_common.h"
#include "model/cargo/semver.h"

using namespace otelaudit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  std::string_view req_text = text, version_text;
  if (auto nl = text.find('\n'); nl != std::string_view::npos) {
    req_text = text.substr(0, nl);
    version_text = text.substr(nl + 1);
  }
  std::string error;
  std::optional<VersionReq> req = parse_requirement(req_text, error);
  fuzz::check(req.has_value() == error.empty(), "error set exactly when parsing fails");
  std::optional<Version> v = parse_version(version_text);
  if (v) {
    // A printed version reads back as itself.
    std::optional<Version> again = parse_version(v->str());
    fuzz::check(again && *again == *v, "parse_version(str()) round trip");
    (void)v->line();
  }
  if (req) {
    if (v) (void)req->matches(*v);
    if (std::optional<Version> min = req->minimum()) {
      (void)req->matches(*min);
      (void)min->str();
    }
  }
  return 0;
}
