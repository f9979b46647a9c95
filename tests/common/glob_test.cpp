#include <doctest/doctest.h>

#include <string>

#include "common/glob.h"

using namespace otelaudit;

TEST_CASE("glob: components, classes and ** across directories") {
  CHECK(glob_match_path("crates/*", "crates/llm-edge-core"));
  CHECK_FALSE(glob_match_path("crates/*", "crates/a/b"));
  CHECK(glob_match_path("crates/**/Cargo.toml", "crates/a/b/Cargo.toml"));
  CHECK(glob_match_path("**", "a/b/c.rs"));
  CHECK(glob_match_path("src/[a-c]?.rs", "src/b1.rs"));
  CHECK_FALSE(glob_match_path("src/[!a-c]?.rs", "src/b1.rs"));
  CHECK(glob_match_path("Cargo.toml", "Cargo.toml"));
  CHECK_FALSE(glob_match_path("Cargo.toml", "crates/a/Cargo.toml"));
  CHECK(has_glob("a/*"));
  CHECK_FALSE(has_glob("a/b"));
}

TEST_CASE("glob: a pathological pattern is matched in linear time, not by backtracking") {
  std::string pattern, name(200, 'a');
  for (int i = 0; i < 100; ++i)
    pattern += "*a";
  pattern += "b";
  CHECK_FALSE(glob_match_path(pattern, name));
}
