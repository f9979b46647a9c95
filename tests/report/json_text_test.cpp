#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "report/json_text.h"

using namespace otelaudit;
using Json = nlohmann::ordered_json;

namespace {

std::string reference(const Json& j) {
  return j.dump(2, ' ', false, Json::error_handler_t::replace);
}

} // namespace

TEST_CASE("json_text: the same bytes as nlohmann's dump(2) for every kind of value") {
  Json j = Json::object();
  j["empty object"] = Json::object();
  j["empty array"] = Json::array();
  j["null"] = nullptr;
  j["bools"] = {true, false};
  j["numbers"] = {0, -7, 42u, 9007199254740993LL, 0.5, 2.25, -1e-7, 1e300, 3.0};
  j["escapes"] = "quote \" backslash \\ slash / nl \n cr \r tab \t bs \b ff \f nul " +
                 std::string(1, '\0') + " unit \x1f del \x7f end";
  j["utf-8"] = "service «llm.edge-agent» — 🚀";
  j["invalid utf-8"] = std::string("bad \xC3\x28 byte \xFF end");
  j["key \"quoted\"\n"] = "value";
  j["nested"] = {{"a", Json::array({Json::object(), Json::array(), {{"b", {1, {{"c", "d"}}}}}})},
                 {"z", "last"}};
  CHECK(json_text(j) == reference(j));
  for (const auto& [key, value] : j.items())
    CHECK_MESSAGE(json_text(value) == reference(value), key);
  CHECK(json_text(Json("plain")) == "\"plain\"");
  CHECK(json_text(Json::array({1, "x"})) == "[\n  1,\n  \"x\"\n]");
}
