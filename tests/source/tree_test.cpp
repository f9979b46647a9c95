#include <doctest/doctest.h>

#include "source/tree.h"

using namespace otelaudit;

TEST_CASE("MemoryTree lists its files sorted and reads them") {
  MemoryTree tree({{"b/Cargo.toml", "[package]"}, {"a.rs", "fn main() {}"}});
  CHECK(tree.files() == std::vector<std::string>{"a.rs", "b/Cargo.toml"});
  std::string error;
  CHECK(tree.read("a.rs", error) == std::optional<std::string>("fn main() {}"));
  CHECK_FALSE(tree.read("missing.rs", error).has_value());
  CHECK(error == "no such file");
}
