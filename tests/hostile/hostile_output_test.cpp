// Hostile text in a repository's names and values: control and format characters (ESC, BEL,
// an OSC sequence, the 8-bit CSI U+009B, the bidi override U+202E) in a package name, a file
// name, a YAML value, a .env value, a commit subject and a branch name must reach no output raw
// (text, Markdown, GitHub annotations, JSON, history, stderr): each is shown escaped.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "support/cli_run.h"
#include "support/git_repo.h"

using namespace otelaudit::testsupport;
namespace fs = std::filesystem;

namespace {

// The hostile sequence: ESC ] 0 ; pwn BEL (an OSC that retitles the window), U+009B "2J" (an
// 8-bit CSI that clears the screen) and U+202E (right-to-left override).
const std::string kRaw = "\x1b]0;pwn\x07\xc2\x9b"
                         "2J\xe2\x80\xae";
// The same as every report shows it.
const std::string kShown = "\\u{1b}]0;pwn\\u{7}\\u{9b}2J\\u{202e}";

CliRun run(const std::string& args) {
  return run_cli(args, "CI=true NO_COLOR=1");
}

std::string quoted(const fs::path& p) {
  return "'" + p.string() + "'";
}

/// The first raw control or format character of `text` ("" when none): ESC, BEL, other C0
/// controls but tab and line feed, U+009B and U+202E as UTF-8.
std::string first_raw_control(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
      return "byte " + std::to_string(c) + " at " + std::to_string(i);
    if (text.compare(i, 2, "\xc2\x9b") == 0) return "U+009B at " + std::to_string(i);
    if (text.compare(i, 3, "\xe2\x80\xae") == 0) return "U+202E at " + std::to_string(i);
  }
  return "";
}

void write(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

/// The repository's files: the package name and two deployment values carry the sequence,
/// and a source file with a lex error carries ESC and U+202E in its name.
std::map<std::string, GitEntry> hostile_files() {
  return {
      {"Cargo.toml", "[package]\nname = \"app\\u001b]0;pwn\\u0007\\u009b2J\\u202e\"\n"
                     "version = \"0.1.0\"\n\n[dependencies]\nopentelemetry = \"0.21\"\n"},
      {"src/main.rs", "fn main() {}\n"},
      {"src/e\x1b[31mvil\xe2\x80\xae.rs", "fn main() { let s = \"unterminated;\n"},
      {"docker-compose.yml", "services:\n  app:\n    build: .\n    environment:\n"
                             "      OTEL_TRACES_SAMPLER: traceidratio\n"
                             "      OTEL_TRACES_SAMPLER_ARG: \"y\\e]0;pwn\\a\\x9b2J\\u202e\"\n"},
      {".env", "OTEL_TRACES_SAMPLER_ARG=x" + kRaw + "\n"},
  };
}

} // namespace

TEST_CASE("hostile output: control and format characters of a repository reach no report raw, "
          "in any format") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "app";
  for (const auto& [path, entry] : hostile_files())
    write(dir / path, entry.content);

  for (const std::string format : {"text", "markdown", "github", "json", "sarif"}) {
    CAPTURE(format);
    // --show info: the orphan file's lex error, the one finding that names the file, is info.
    CliRun r = run("check --fail-on none --show info --format " + format + " " + quoted(dir));
    REQUIRE(r.code == 0);
    CHECK(first_raw_control(r.out) == "");
    CHECK(first_raw_control(r.err) == "");
    if (format == "text" || format == "github") {
      // The package name, the YAML value and the .env value, each shown escaped.
      CHECK(r.out.find("package app" + kShown) != std::string::npos);
      CHECK(r.out.find("OTEL_TRACES_SAMPLER_ARG=y" + kShown) != std::string::npos);
      CHECK(r.out.find("OTEL_TRACES_SAMPLER_ARG=x" + kShown) != std::string::npos);
      CHECK(r.out.find("src/e\\u{1b}[31mvil\\u{202e}.rs") != std::string::npos);
    }
    if (format == "markdown")
      CHECK(r.out.find("OTEL\\_TRACES\\_SAMPLER\\_ARG=x\\\\u{1b}\\]0;pwn\\\\u{7}\\\\u{9b}2J"
                       "\\\\u{202e}") != std::string::npos);
    if (format == "json" || format == "sarif")
      // The same value, written with JSON escapes.
      CHECK(r.out.find("OTEL_TRACES_SAMPLER_ARG=x\\u001b]0;pwn\\u0007\\u009b2J\\u202e") !=
            std::string::npos);
  }
}

TEST_CASE("hostile output: commit subjects, branch names and refs from a repository reach "
          "neither history nor --ref's errors raw") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "app";
  {
    GitRepoBuilder repo(dir);
    repo.commit(hostile_files(), "feat: " + kRaw + " done\n\nbody " + kRaw);
    // git refuses C0 controls in ref names, not U+009B or U+202E.
    repo.commit(hostile_files(), "second", "release\xc2\x9b\xe2\x80\xae");
  }

  CliRun r = run("history " + quoted(dir));
  REQUIRE(r.code == 0);
  CHECK(first_raw_control(r.out) == "");
  CHECK(r.out.find("feat: " + kShown + " done") != std::string::npos);

  r = run("history --format markdown " + quoted(dir));
  REQUIRE(r.code == 0);
  CHECK(first_raw_control(r.out) == "");

  // A mistyped ref: the close matches the repository holds are named, escaped.
  r = run("check --ref 'release' " + quoted(dir));
  CHECK(r.code == 2);
  CHECK(first_raw_control(r.err) == "");
  CHECK(r.err.find("release\\u{9b}\\u{202e}") != std::string::npos);

  r = run("check --fail-on none --format github --ref main " + quoted(dir));
  REQUIRE(r.code == 0);
  CHECK(first_raw_control(r.out) == "");
  CHECK(r.out.find("package app" + kShown) != std::string::npos);
}
