// The patch format: what `git apply` and `patch -p1` read.
#include <doctest/doctest.h>

#include "fix/diff.h"

using namespace otelaudit::fix;

TEST_CASE("diff: hunks with three lines of context, merged when close") {
  std::string before, after;
  for (int i = 1; i <= 20; ++i) {
    before += "line " + std::to_string(i) + "\n";
    after += (i == 5    ? "five"
              : i == 9  ? "nine"
              : i == 18 ? "eighteen"
                        : "line " + std::to_string(i)) +
             std::string("\n");
  }
  CHECK(unified_diff("x/Cargo.toml", before, after) ==
        "diff --git a/x/Cargo.toml b/x/Cargo.toml\n"
        "--- a/x/Cargo.toml\n"
        "+++ b/x/Cargo.toml\n"
        "@@ -2,11 +2,11 @@\n"
        " line 2\n line 3\n line 4\n-line 5\n+five\n line 6\n line 7\n line 8\n-line 9\n+nine\n"
        " line 10\n line 11\n line 12\n"
        "@@ -15,6 +15,6 @@\n"
        " line 15\n line 16\n line 17\n-line 18\n+eighteen\n line 19\n line 20\n");
  CHECK(unified_diff("a", before, before).empty());
}

TEST_CASE("diff: insertions, the first line, CR LF and the missing last newline") {
  CHECK(unified_diff("f", "a\nb\n", "a\nx\nb\n") ==
        "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n a\n+x\n b\n");
  CHECK(unified_diff("f", "a\n", "b\n") ==
        "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n");
  CHECK(unified_diff("f", "", "a\n") ==
        "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+a\n");
  CHECK(unified_diff("f", "a\r\nb", "a\r\nc") ==
        "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\r\n-b\n\\ No newline at end of "
        "file\n+c\n\\ No newline at end of file\n");
}

TEST_CASE("diff: paths are quoted as git quotes them") {
  CHECK(git_quoted("a/b c/Cargo.toml") == "a/b c/Cargo.toml");
  CHECK(git_quoted("a/\"q\"\t\x01\xC3\xA9") == "\"a/\\\"q\\\"\\t\\001\\303\\251\"");
  CHECK(unified_diff("t\tab", "a\n", "b\n")
            .starts_with(
                "diff --git \"a/t\\tab\" \"b/t\\tab\"\n--- \"a/t\\tab\"\n+++ \"b/t\\tab\"\n"));
}
