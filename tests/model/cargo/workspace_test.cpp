#include <doctest/doctest.h>

#include "model/cargo/workspace.h"

using namespace otelaudit;

namespace {

const PackageModel* package(const CargoModel& m, std::string_view manifest_file) {
  for (const auto& p : m.packages) {
    if (p.manifest_file == manifest_file) return &p;
  }
  return nullptr;
}

const Dependency* dep(const PackageModel& p, std::string_view key) {
  for (const auto& d : p.dependencies) {
    if (d.key == key) return &d;
  }
  return nullptr;
}

std::vector<std::string> values(const std::vector<Located>& v) {
  std::vector<std::string> out;
  for (const auto& l : v)
    out.push_back(l.value);
  return out;
}

std::vector<std::string> package_files(const CargoModel& m) {
  std::vector<std::string> out;
  for (const auto& p : m.packages)
    out.push_back(p.manifest_file);
  return out;
}

std::string at(const Location& l) {
  return l.file + ":" + std::to_string(l.line) + ":" + std::to_string(l.column);
}

// "rule file:line:column message", so a failing check shows everything at once.
std::vector<std::string> diags(const CargoModel& m) {
  std::vector<std::string> out;
  for (const auto& d : m.diagnostics) {
    out.push_back(d.rule + " " + d.loc.file + ":" + std::to_string(d.loc.line) + ":" +
                  std::to_string(d.loc.column) + " " + d.message);
  }
  return out;
}

// Cargo's refusal of a package below the workspace `root` that is not one of its members.
std::string stray(const std::string& file, int line, const std::string& dir,
                  const std::string& root = "Cargo.toml") {
  return "manifest-invalid " + file + ":" + std::to_string(line) +
         ":8 current package believes it's in a workspace when it's not: current: " + file +
         ", workspace: " + root + "; this may be fixable by adding `" + dir +
         "` to the `workspace.members` array of the manifest located at: " + root +
         ". Alternatively, to keep it out of the workspace, add the package to the "
         "`workspace.exclude` array, or add an empty `[workspace]` table to the package's "
         "manifest.";
}

const char* kRoot = R"([workspace]
members = ["crates/*"]
resolver = "2"

[workspace.dependencies]
opentelemetry = "0.27"
opentelemetry-otlp = { version = "0.27", default-features = false, features = ["trace", "http-proto"] }
otel-sdk = { package = "opentelemetry_sdk", version = "0.27.1", features = ["rt-tokio"] }
core = { path = "crates/core" }
)";

const char* kCore = R"([package]
name = "edge-core"
version = "0.1.0"

[dependencies]
opentelemetry.workspace = true
)";

const char* kGateway = R"([package]
name = "edge-gateway"
version.workspace = true

[dependencies]
core.workspace = true
opentelemetry-otlp = { workspace = true, features = ["grpc-tonic", "trace"], optional = true }
otel-sdk = { workspace = true }

[target.'cfg(unix)'.dependencies]
opentelemetry = { workspace = true }
)";

} // namespace

TEST_CASE("workspace: crates/* members inherit from [workspace.dependencies]") {
  MemoryTree tree({{"Cargo.toml", kRoot},
                   {"crates/core/Cargo.toml", kCore},
                   {"crates/gateway/Cargo.toml", kGateway},
                   {"crates/gateway/src/lib.rs", ""},
                   {"docs/README.md", ""}});
  CargoModel m = load_cargo(tree);
  CHECK(diags(m).empty());
  REQUIRE(m.manifests.size() == 3);
  CHECK(m.manifests[0].file == "Cargo.toml");
  CHECK(m.manifests[2].file == "crates/gateway/Cargo.toml");
  CHECK(m.texts.size() == 3);
  CHECK(m.texts.at("crates/core/Cargo.toml") == kCore);
  CHECK(package_files(m) ==
        std::vector<std::string>{"crates/core/Cargo.toml", "crates/gateway/Cargo.toml"});
  REQUIRE(m.workspaces.size() == 1);
  CHECK(m.workspaces[0].manifest_file == "Cargo.toml");
  CHECK(m.workspaces[0].members ==
        std::vector<std::string>{"crates/core/Cargo.toml", "crates/gateway/Cargo.toml"});

  const PackageModel* gw = package(m, "crates/gateway/Cargo.toml");
  REQUIRE(gw);
  CHECK(gw->name == "edge-gateway");
  CHECK(gw->dir == "crates/gateway");
  CHECK(at(gw->loc) == "crates/gateway/Cargo.toml:2:8");
  CHECK(gw->workspace_root == "Cargo.toml");
  REQUIRE(gw->dependencies.size() == 4);

  const Dependency* otlp = dep(*gw, "opentelemetry-otlp");
  REQUIRE(otlp);
  CHECK(otlp->inherited);
  CHECK(otlp->workspace);
  CHECK(otlp->package == "opentelemetry-otlp");
  CHECK(at(otlp->loc) == "crates/gateway/Cargo.toml:7:1");
  REQUIRE(otlp->req);
  CHECK(otlp->req->value == "0.27");
  CHECK(at(otlp->req->loc) == "Cargo.toml:7:34");
  CHECK_FALSE(otlp->default_features); // from the workspace entry
  CHECK(otlp->optional);               // from the member
  CHECK(values(otlp->features) == std::vector<std::string>{"trace", "http-proto", "grpc-tonic"});
  CHECK(at(otlp->features[0].loc) == "Cargo.toml:7:80");
  CHECK(at(otlp->features[2].loc) == "crates/gateway/Cargo.toml:7:54");

  const Dependency* sdk = dep(*gw, "otel-sdk");
  REQUIRE(sdk);
  CHECK(sdk->package == "opentelemetry_sdk");
  CHECK(sdk->req->value == "0.27.1");
  CHECK_FALSE(sdk->optional);
  CHECK(values(sdk->features) == std::vector<std::string>{"rt-tokio"});

  const Dependency* core = dep(*gw, "core");
  REQUIRE(core);
  CHECK(core->source == Dependency::Source::path);
  CHECK(core->path == "crates/core");
  CHECK_FALSE(core->req);

  const Dependency* otel = dep(*gw, "opentelemetry");
  REQUIRE(otel);
  CHECK(otel->target == "cfg(unix)");
  CHECK(otel->req->value == "0.27");
  CHECK(at(otel->loc) == "crates/gateway/Cargo.toml:11:1");
  // Document order is kept after merging.
  CHECK(gw->dependencies[0].key == "core");
  CHECK(gw->dependencies[3].key == "opentelemetry");

  const PackageModel* core_pkg = package(m, "crates/core/Cargo.toml");
  REQUIRE(core_pkg);
  CHECK(core_pkg->workspace_root == "Cargo.toml");
  CHECK(at(dep(*core_pkg, "opentelemetry")->req->loc) == "Cargo.toml:6:17");
}

TEST_CASE("workspace: root package is a member, literal members and exclude") {
  MemoryTree tree({{"Cargo.toml", R"([package]
name = "app"

[workspace]
members = ["tools/gen", "plugins/*"]
exclude = ["plugins/legacy", "tools"]
)"},
                   {"tools/gen/Cargo.toml", "[package]\nname = \"gen\"\n"},
                   {"plugins/a/Cargo.toml", "[package]\nname = \"plugin-a\"\n"},
                   {"plugins/legacy/Cargo.toml", "[package]\nname = \"legacy\"\n"}});
  CargoModel m = load_cargo(tree);
  CHECK(diags(m).empty());
  REQUIRE(m.workspaces.size() == 1);
  // `tools/gen` is named literally, so `exclude = ["tools"]` does not drop it (as in Cargo).
  CHECK(m.workspaces[0].members ==
        std::vector<std::string>{"Cargo.toml", "plugins/a/Cargo.toml", "tools/gen/Cargo.toml"});
  CHECK(package(m, "Cargo.toml")->workspace_root == "Cargo.toml");
  CHECK(package(m, "plugins/legacy/Cargo.toml")->workspace_root == "");
  CHECK(package(m, "plugins/legacy/Cargo.toml")->name == "legacy");
}

TEST_CASE("workspace: path dependencies below the root become members") {
  MemoryTree tree(
      {{"Cargo.toml", R"([package]
name = "app"
[dependencies]
util = { path = "libs/util" }
[workspace]
)"},
       {"libs/util/Cargo.toml",
        "[package]\nname = \"util\"\n[dependencies]\nproto = { path = \"../proto\" }\n"},
       {"libs/proto/Cargo.toml", "[package]\nname = \"proto\"\n"},
       {"other/Cargo.toml", "[package]\nname = \"other\"\n"}});
  CargoModel m = load_cargo(tree);
  // `other` is below the root but no path dependency reaches it: Cargo refuses it, and with
  // no `members` list names the root's dependencies as the way in.
  CHECK(diags(m) ==
        std::vector<std::string>{
            "manifest-invalid other/Cargo.toml:2:8 current package believes it's in a workspace "
            "when it's not: current: other/Cargo.toml, workspace: Cargo.toml; this may be "
            "fixable by ensuring that this crate is depended on by the workspace root: "
            "Cargo.toml. Alternatively, to keep it out of the workspace, add the package to the "
            "`workspace.exclude` array, or add an empty `[workspace]` table to the package's "
            "manifest."});
  REQUIRE(m.workspaces.size() == 1);
  CHECK(m.workspaces[0].members ==
        std::vector<std::string>{"Cargo.toml", "libs/proto/Cargo.toml", "libs/util/Cargo.toml"});
  CHECK(dep(*package(m, "libs/util/Cargo.toml"), "proto")->path == "../proto");
  CHECK(package(m, "other/Cargo.toml")->workspace_root == "");
}

TEST_CASE("workspace: members matching nothing or leaving the repository") {
  MemoryTree tree({{"Cargo.toml", R"([workspace]
members = ["crates/*", "services/*", "tools/missing", "../../etc", "/etc"]
)"},
                   {"crates/a/Cargo.toml", "[package]\nname = \"a\"\n"},
                   {"services/README.md", "no packages yet"}});
  CargoModel m = load_cargo(tree);
  CHECK(diags(m) ==
        std::vector<std::string>{
            "workspace-member-missing Cargo.toml:2:24 workspace member glob \"services/*\" matches "
            "no Cargo.toml",
            "workspace-member-missing Cargo.toml:2:38 workspace member \"tools/missing\" has no "
            "Cargo.toml",
            "path-outside-repo Cargo.toml:2:55 workspace member \"../../etc\" points outside the "
            "repository",
            "path-outside-repo Cargo.toml:2:68 workspace member \"/etc\" points outside the "
            "repository"});
  REQUIRE(m.workspaces.size() == 1);
  CHECK(m.workspaces[0].members == std::vector<std::string>{"crates/a/Cargo.toml"});
  // Only Cargo.toml and Cargo.lock files are read.
  CHECK(m.texts.size() == 2);
}

TEST_CASE("workspace: a member escaping from a nested root is caught after normalising") {
  MemoryTree tree({{"ws/Cargo.toml", "[workspace]\nmembers = [\"../a\", \"../../b\"]\n"},
                   {"a/Cargo.toml", "[package]\nname = \"a\"\n"}});
  CargoModel m = load_cargo(tree);
  CHECK(diags(m) == std::vector<std::string>{"path-outside-repo ws/Cargo.toml:2:20 workspace "
                                             "member \"../../b\" points outside the repository"});
  REQUIRE(m.workspaces.size() == 1);
  CHECK(m.workspaces[0].members == std::vector<std::string>{"a/Cargo.toml"});
  CHECK(package(m, "a/Cargo.toml")->workspace_root == "ws/Cargo.toml");
}

TEST_CASE("workspace: nested workspaces and non-member examples are their own roots") {
  MemoryTree tree({{"Cargo.toml", R"([workspace]
members = ["crates/*"]
[workspace.dependencies]
opentelemetry = "0.27"
)"},
                   {"crates/core/Cargo.toml", "[package]\nname = \"core\"\n"},
                   // Matched by crates/*, but it is a workspace root of its own.
                   {"crates/vendored/Cargo.toml", R"([package]
name = "vendored"
[workspace]
[workspace.dependencies]
opentelemetry = "0.24"
[dependencies]
opentelemetry.workspace = true
)"},
                   {"tools/bench/Cargo.toml", R"([workspace]
members = ["runner"]
)"},
                   {"tools/bench/runner/Cargo.toml", "[package]\nname = \"runner\"\n"},
                   // Below the root, not listed: Cargo would refuse it; audited on its own.
                   {"examples/demo/Cargo.toml", R"([package]
name = "demo"
[dependencies]
opentelemetry = { workspace = true }
tokio = "1"
)"}});
  CargoModel m = load_cargo(tree);
  CHECK(diags(m) ==
        std::vector<std::string>{stray("examples/demo/Cargo.toml", 2, "examples/demo")});
  REQUIRE(m.workspaces.size() == 3);
  CHECK(m.workspaces[0].manifest_file == "Cargo.toml");
  CHECK(m.workspaces[0].members == std::vector<std::string>{"crates/core/Cargo.toml"});
  CHECK(m.workspaces[1].manifest_file == "crates/vendored/Cargo.toml");
  CHECK(m.workspaces[1].members == std::vector<std::string>{"crates/vendored/Cargo.toml"});
  CHECK(m.workspaces[2].manifest_file == "tools/bench/Cargo.toml");
  CHECK(m.workspaces[2].members == std::vector<std::string>{"tools/bench/runner/Cargo.toml"});

  const PackageModel* vendored = package(m, "crates/vendored/Cargo.toml");
  REQUIRE(vendored);
  CHECK(vendored->workspace_root == "crates/vendored/Cargo.toml");
  CHECK(dep(*vendored, "opentelemetry")->req->value == "0.24");
  CHECK(at(dep(*vendored, "opentelemetry")->req->loc) == "crates/vendored/Cargo.toml:5:17");

  CHECK(package(m, "tools/bench/runner/Cargo.toml")->workspace_root == "tools/bench/Cargo.toml");

  const PackageModel* demo = package(m, "examples/demo/Cargo.toml");
  REQUIRE(demo);
  CHECK(demo->workspace_root == "");
  // Its inherited entries still resolve against the enclosing workspace, as Cargo would look.
  CHECK(dep(*demo, "opentelemetry")->inherited);
  CHECK(dep(*demo, "opentelemetry")->req->value == "0.27");
  CHECK(dep(*demo, "tokio")->req->value == "1");
}

TEST_CASE("workspace: inheriting an entry the workspace lacks") {
  MemoryTree tree({{"Cargo.toml", "[workspace]\nmembers = [\"svc\"]\n[workspace.dependencies]\n"
                                  "tracing = \"0.1\"\n"},
                   {"svc/Cargo.toml", R"([package]
name = "svc"
[dependencies]
tracing.workspace = true
opentelemetry = { workspace = true, features = ["trace"] }
)"},
                   {"lonely/Cargo.toml", "[package]\nname = \"lonely\"\n[dependencies]\n"
                                         "tokio.workspace = true\n"}});
  CargoModel m = load_cargo(tree);
  CHECK(diags(m) ==
        std::vector<std::string>{
            stray("lonely/Cargo.toml", 2, "lonely"),
            "manifest-invalid lonely/Cargo.toml:4:1 dependency \"tokio\" inherits from the "
            "workspace, but [workspace.dependencies] has no \"tokio\"",
            "manifest-invalid svc/Cargo.toml:5:1 dependency \"opentelemetry\" inherits from the "
            "workspace, but [workspace.dependencies] has no \"opentelemetry\""});
  const PackageModel* svc = package(m, "svc/Cargo.toml");
  REQUIRE(svc);
  REQUIRE(svc->dependencies.size() == 2);
  CHECK(svc->dependencies[0].inherited);
  CHECK_FALSE(svc->dependencies[1].inherited);
  CHECK(svc->dependencies[1].workspace);
  CHECK_FALSE(svc->dependencies[1].req);
}

TEST_CASE("workspace: inheriting outside any workspace") {
  MemoryTree tree(std::map<std::string, std::string>{
      {"Cargo.toml",
       "[package]\nname = \"solo\"\n[dependencies]\nopentelemetry.workspace = true\n"}});
  CargoModel m = load_cargo(tree);
  CHECK(diags(m) ==
        std::vector<std::string>{"manifest-invalid Cargo.toml:4:1 dependency \"opentelemetry\" "
                                 "inherits from the workspace, but the package belongs to no "
                                 "workspace"});
  CHECK(m.workspaces.empty());
  REQUIRE(m.packages.size() == 1);
  CHECK(m.packages[0].workspace_root == "");
}

TEST_CASE("workspace: a malformed Cargo.toml does not stop the others") {
  MemoryTree tree({{"Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n"},
                   {"crates/good/Cargo.toml", "[package]\nname = \"good\"\n"},
                   {"crates/broken/Cargo.toml", "[package]\nname = \"broken\n"},
                   {"crates/odd/Cargo.toml", "[package]\nname = \"odd\"\n[dependencies]\nx = 5\n"},
                   {"crates/good/README.md", ""}});
  CargoModel m = load_cargo(tree);
  CHECK(diags(m) ==
        std::vector<std::string>{
            "manifest-parse-error crates/broken/Cargo.toml:2:15 Error while parsing string: "
            "unescaped control characters other than TAB (U+0009) are explicitly "
            "prohibited",
            "manifest-invalid crates/odd/Cargo.toml:4:1 dependency \"x\" must be a "
            "version string or a table"});
  CHECK(m.manifests.size() == 3);
  CHECK(m.texts.count("crates/broken/Cargo.toml") == 1);
  CHECK(package_files(m) ==
        std::vector<std::string>{"crates/good/Cargo.toml", "crates/odd/Cargo.toml"});
  REQUIRE(m.workspaces.size() == 1);
  // The broken member's directory has a Cargo.toml, so the glob is not reported as empty.
  CHECK(m.workspaces[0].members ==
        std::vector<std::string>{"crates/good/Cargo.toml", "crates/odd/Cargo.toml"});
}

TEST_CASE("workspace: glob forms") {
  MemoryTree tree({{"Cargo.toml", R"([workspace]
members = ["svc-?", "lib[ab]", "ext/[!x]*", "deep/**"]
)"},
                   {"svc-1/Cargo.toml", "[package]\nname = \"s1\"\n"},
                   {"svc-10/Cargo.toml", "[package]\nname = \"s10\"\n"},
                   {"liba/Cargo.toml", "[package]\nname = \"la\"\n"},
                   {"libc/Cargo.toml", "[package]\nname = \"lc\"\n"},
                   {"ext/yes/Cargo.toml", "[package]\nname = \"yes\"\n"},
                   {"ext/xno/Cargo.toml", "[package]\nname = \"xno\"\n"},
                   {"deep/a/b/Cargo.toml", "[package]\nname = \"ab\"\n"}});
  CargoModel m = load_cargo(tree);
  // What the globs leave out is below the root, neither member nor excluded.
  CHECK(diags(m) == std::vector<std::string>{stray("ext/xno/Cargo.toml", 2, "ext/xno"),
                                             stray("libc/Cargo.toml", 2, "libc"),
                                             stray("svc-10/Cargo.toml", 2, "svc-10")});
  REQUIRE(m.workspaces.size() == 1);
  CHECK(m.workspaces[0].members == std::vector<std::string>{"deep/a/b/Cargo.toml",
                                                            "ext/yes/Cargo.toml", "liba/Cargo.toml",
                                                            "svc-1/Cargo.toml"});
}

TEST_CASE("workspace: a pathological glob finishes quickly") {
  std::string name(200, 'a');
  std::string pattern;
  for (int i = 0; i < 40; ++i)
    pattern += "*a";
  pattern += "*b";
  MemoryTree tree({{"Cargo.toml", "[workspace]\nmembers = [\"" + pattern + "\"]\n"},
                   {name + "/Cargo.toml", "[package]\nname = \"a\"\n"}});
  CargoModel m = load_cargo(tree);
  REQUIRE(m.diagnostics.size() == 2);
  CHECK(m.diagnostics[0].rule == "workspace-member-missing");
  CHECK(m.diagnostics[1].rule == "manifest-invalid"); // the package the glob does not match
}

TEST_CASE("workspace: unreadable files and lockfiles are found at any depth") {
  // A tree whose read fails for one file, to check the diagnostic without touching the disk.
  class FailingTree : public Tree {
  public:
    const std::vector<std::string>& files() const override { return files_; }
    std::optional<std::string> read(const std::string& path, std::string& error) const override {
      if (path == "bad/Cargo.toml") {
        error = "permission denied";
        return std::nullopt;
      }
      return std::string("[package]\nname = \"ok\"\n");
    }
    const std::vector<Diagnostic>& listing_diagnostics() const override { return none_; }

  private:
    std::vector<std::string> files_{"bad/Cargo.toml", "ok/Cargo.toml"};
    std::vector<Diagnostic> none_;
  };
  CargoModel m = load_cargo(FailingTree());
  CHECK(diags(m) == std::vector<std::string>{
                        "file-unreadable bad/Cargo.toml:0:0 cannot read: permission denied"});
  CHECK(package_files(m) == std::vector<std::string>{"ok/Cargo.toml"});
  CHECK(m.texts.count("bad/Cargo.toml") == 0);

  MemoryTree locks({{"a/b/Cargo.lock", "version = 4\n"}, {"Cargo.lock", "version = 3\n"}});
  CargoModel lm = load_cargo(locks);
  CHECK(lm.texts.size() == 2);
  CHECK(lm.texts.at("a/b/Cargo.lock") == "version = 4\n");
}
