// The fix planner on repositories held in memory: what it changes, in which entry, and what it
// reports instead of changing.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "audit/audit.h"
#include "fix/fix.h"
#include "fix/plan.h"
#include "rules/context.h"
#include "source/tree.h"

using namespace otelaudit;
using namespace otelaudit::fix;

namespace {

const Ruleset& rules_for(const std::string& target) {
  static std::map<std::string, Ruleset> cache;
  auto it = cache.find(target);
  if (it == cache.end()) {
    RulesetResult r = load_ruleset(OTEL_AUDIT_RULES_DIR, target);
    REQUIRE(r.ruleset.has_value());
    it = cache.emplace(target, std::move(*r.ruleset)).first;
  }
  return it->second;
}

/// The fix of a repository made of `files`, judged against `target`.
FixOutcome fix_of(std::map<std::string, std::string> files, const std::string& target = "0.27") {
  MemoryTree tree(std::move(files));
  RepoInput input("repo", "repo", &tree);
  RepoModel model;
  RepoAudit audit = audit_repository(input, rules_for(target), &model);
  return fix_repository(model, audit.result.findings, rules_for(target));
}

std::string after(const FixOutcome& o, const std::string& file) {
  for (const FileChange& f : o.files)
    if (f.file == file) return f.after;
  return "<unchanged>";
}

std::string skipped(const FixOutcome& o) {
  std::string out;
  for (const Skipped& s : o.not_changed)
    out += s.loc.file + ":" + std::to_string(s.loc.line) + ": " + s.message + "\n";
  return out;
}

std::string on(const std::string& written, const std::string& crate,
               const std::string& target = "0.27") {
  const Ruleset& r = rules_for(target);
  return requirement_on_line(written, crate, r.target_line(), r).value_or("<none>");
}

const char* kPackage = "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n";

} // namespace

TEST_CASE("plan: the requirement keeps its style on the target line") {
  CHECK(on("0.26", "opentelemetry") == "0.27");
  CHECK(on("0.26.0", "opentelemetry") == "0.27.1");
  CHECK(on("^0.21", "opentelemetry") == "^0.27");
  CHECK(on("=0.26.0", "opentelemetry") == "=0.27.1");
  CHECK(on("= 0.26.0", "opentelemetry") == "= 0.27.1");
  CHECK(on("~0.26.0", "opentelemetry-otlp") == "~0.27.0");
  CHECK(on("~0.26", "opentelemetry-otlp") == "~0.27");
  CHECK(on("0.26.*", "opentelemetry_sdk") == "0.27.*");
  CHECK(on("0.14", "opentelemetry-otlp") == "0.27"); // 0.14 is the 0.21 line: no formula
  CHECK(on("0.22", "tracing-opentelemetry") == "0.28");
  CHECK(on("0.28", "tracing-opentelemetry", "0.28") == "0.29");
  // Ranges, pre-releases and bare wildcards become the line's plain requirement.
  CHECK(on(">=0.21, <0.27", "opentelemetry") == "0.27");
  CHECK(on("0.26.0-beta.1", "opentelemetry") == "0.27");
  CHECK(on("*", "opentelemetry") == "0.27");
  CHECK(on("0.5", "opentelemetry-exporter-geneva", "0.31") == "0.5");
  CHECK(on("0.5", "opentelemetry-exporter-geneva", "0.32") == "<none>");
}

TEST_CASE("plan: a workspace moves where the requirement lives, never in the members") {
  FixOutcome o = fix_of({
      {"Cargo.toml", "[workspace]\nmembers = [\"a\", \"b\"]\n\n[workspace.dependencies]\n"
                     "opentelemetry = \"0.26\"\nopentelemetry-otlp = { version = \"0.26\", "
                     "default-features = false, features = [\"trace\"] }\n"
                     "opentelemetry-stdout = \"0.26\" # nobody inherits it\n"},
      {"a/Cargo.toml", std::string(kPackage) + "[dependencies]\nopentelemetry.workspace = true\n"
                                               "opentelemetry-otlp.workspace = true\n"},
      {"b/Cargo.toml",
       "[package]\nname = \"b\"\nversion = \"0.1.0\"\n\n[dependencies]\nopentelemetry-otlp = { "
       "workspace = true, features = [\"metrics\"] }\n"},
  });
  CHECK(after(o, "Cargo.toml") ==
        "[workspace]\nmembers = [\"a\", \"b\"]\n\n[workspace.dependencies]\n"
        "opentelemetry = \"0.27\"\nopentelemetry-otlp = { version = \"0.27\", "
        "default-features = false, features = [\"trace\", \"metrics\", \"logs\"] }\n"
        "opentelemetry-stdout = \"0.26\" # nobody inherits it\n");
  // b adds metrics to what it inherits; once the workspace entry has them it needs nothing.
  CHECK(after(o, "a/Cargo.toml") == "<unchanged>");
  CHECK(after(o, "b/Cargo.toml") == "<unchanged>");
  CHECK(skipped(o) == "Cargo.toml:7: opentelemetry-stdout \"0.26\" in [workspace.dependencies] is "
                      "not moved: no member inherits it (remove the entry, or inherit it)\n");
}

TEST_CASE("plan: a feature only a member needs goes to the member's own entry") {
  FixOutcome o = fix_of({
      {"Cargo.toml", "[workspace]\nmembers = [\"a\"]\n\n[workspace.dependencies]\n"
                     "opentelemetry_sdk = \"0.27\"\n"},
      {"a/Cargo.toml", std::string(kPackage) + "[dependencies]\nopentelemetry_sdk = { workspace "
                                               "= true, features = [\"trace\"] }\n"},
  });
  CHECK(after(o, "Cargo.toml") == "<unchanged>");
  CHECK(after(o, "a/Cargo.toml") ==
        std::string(kPackage) +
            "[dependencies]\nopentelemetry_sdk = { workspace = true, features = [\"trace\", "
            "\"rt-tokio\"] }\n");
}

TEST_CASE("plan: a feature the crate does not have on the target moves or goes") {
  // 0.20's opentelemetry facade had the SDK's runtime features; 0.27's has none of them.
  FixOutcome o = fix_of({
      {"Cargo.toml", std::string(kPackage) +
                         "[dependencies]\nopentelemetry = { version = \"0.20\", features = "
                         "[\"rt-async-std\", \"trace\"] }\nopentelemetry_sdk = \"0.20\"\n"},
  });
  CHECK(after(o, "Cargo.toml") ==
        std::string(kPackage) +
            "[dependencies]\nopentelemetry = { version = \"0.27\", features = [\"trace\"] }\n"
            "opentelemetry_sdk = { version = \"0.27\", features = [\"rt-async-std\", "
            "\"rt-tokio\"] }\n");
  // Already on the target, written in a member that inherits the entry: the member's own list
  // loses it; no crate of its table has it, so the fix names the one that does.
  FixOutcome m = fix_of({
      {"Cargo.toml", "[workspace]\nmembers = [\"a\"]\n\n[workspace.dependencies]\n"
                     "opentelemetry = \"0.27\"\n"},
      {"a/Cargo.toml", std::string(kPackage) + "[dependencies]\nopentelemetry = { workspace = "
                                               "true, features = [\"rt-tokio\", \"logs\"] }\n"},
  });
  CHECK(after(m, "Cargo.toml") == "<unchanged>");
  CHECK(after(m, "a/Cargo.toml") ==
        std::string(kPackage) +
            "[dependencies]\nopentelemetry = { workspace = true, features = [\"logs\"] }\n");
  REQUIRE(m.applied.size() == 1);
  CHECK(m.applied[0].reasons ==
        std::vector<std::string>{"opentelemetry loses feature \"rt-tokio\": opentelemetry has no "
                                 "such feature on the 0.27 line (opentelemetry_sdk has it: declare "
                                 "it if the code needs it)"});
}

TEST_CASE("plan: a requirement that depends on the code is judged at the target's defaults") {
  // opentelemetry-otlp stops enabling grpc-tonic by default at 0.28: code calling
  // .with_tonic() needs it written once the crate moves there.
  const std::map<std::string, std::string> repo = {
      {"Cargo.toml", std::string(kPackage) + "[dependencies]\nopentelemetry-otlp = \"0.27\"\n"},
      {"src/main.rs", "fn main() {\n    let _ = "
                      "opentelemetry_otlp::SpanExporter::builder().with_tonic().build();\n}\n"},
  };
  FixOutcome on28 = fix_of(repo, "0.28");
  CHECK(after(on28, "Cargo.toml") ==
        std::string(kPackage) +
            "[dependencies]\nopentelemetry-otlp = { version = \"0.28\", features = "
            "[\"grpc-tonic\"] }\n");
  REQUIRE(on28.applied.size() == 1);
  CHECK(on28.applied[0].reasons.back() ==
        "opentelemetry-otlp gains feature \"grpc-tonic\" (the code calls .with_tonic())");
  // On 0.27 the default gives it: nothing to do.
  CHECK_FALSE(fix_of(repo, "0.27").changes());
}

TEST_CASE("plan: what is not changed is said, with why") {
  FixOutcome o = fix_of(
      {
          {"Cargo.toml",
           std::string(kPackage) +
               "[dependencies]\nopentelemetry = \"0.31\"\nopentelemetry-exporter-geneva = "
               "\"0.5\"\nopentelemetry_sdk = { git = \"https://example.com/otel\" }\n"
               "opentelemetry-http = \"0.3x\"\n"},
      },
      "0.32");
  CHECK(after(o, "Cargo.toml") ==
        std::string(kPackage) +
            "[dependencies]\nopentelemetry = \"0.32\"\nopentelemetry-exporter-geneva = "
            "\"0.5\"\nopentelemetry_sdk = { git = \"https://example.com/otel\" }\n"
            "opentelemetry-http = \"0.3x\"\n");
  CHECK(skipped(o) ==
        "Cargo.toml:8: opentelemetry-exporter-geneva \"0.5\" is not moved: no release of "
        "opentelemetry-exporter-geneva is built for the 0.32 line\n"
        "Cargo.toml:10: opentelemetry-http \"0.3x\" is not moved: the requirement is not valid "
        "(unexpected character 'x' in version requirement \"0.3x\")\n");
}

TEST_CASE("plan: a manifest that does not parse stops the whole fix") {
  FixOutcome o = fix_of({
      {"Cargo.toml", "[workspace]\nmembers = [\"a\", \"b\"]\n[workspace.dependencies]\n"
                     "opentelemetry = \"0.26\"\n"},
      {"a/Cargo.toml", std::string(kPackage) + "[dependencies]\nopentelemetry.workspace = true\n"},
      {"b/Cargo.toml", "[package\nname = \"b\"\n"},
  });
  CHECK_FALSE(o.changes());
  REQUIRE(o.unparsed.size() == 1);
  CHECK(o.unparsed[0].loc.file == "b/Cargo.toml");
}

TEST_CASE("plan: the lockfile refresh names what the old requirements locked") {
  FixOutcome o = fix_of({
      {"Cargo.toml", std::string(kPackage) + "[dependencies]\nopentelemetry = \"0.26\"\n"},
      {"Cargo.lock", "version = 3\n\n[[package]]\nname = \"p\"\nversion = \"0.1.0\"\n"
                     "dependencies = [\"opentelemetry 0.26.0\", \"x\"]\n\n"
                     "[[package]]\nname = \"opentelemetry\"\nversion = \"0.21.0\"\n"
                     "source = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n"
                     "[[package]]\nname = \"opentelemetry\"\nversion = \"0.26.0\"\n"
                     "source = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n"
                     "[[package]]\nname = \"x\"\nversion = \"1.0.0\"\n"
                     "source = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
                     "dependencies = [\"opentelemetry 0.21.0\"]\n"},
  });
  REQUIRE(o.lock_refresh.size() == 1);
  CHECK(o.lock_refresh[0].manifest == "Cargo.toml");
  // 0.21.0 is another crate's: the old requirement "0.26" never locked it.
  CHECK(o.lock_refresh[0].specs == std::vector<std::string>{"opentelemetry@0.26.0"});
}
