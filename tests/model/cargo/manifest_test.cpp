#include <doctest/doctest.h>

#include "model/cargo/manifest.h"

using namespace otelaudit;

namespace {

const Dependency* dep(const Manifest& m, std::string_view key, std::string_view target = "",
                      DepKind kind = DepKind::normal) {
  for (const auto& d : m.dependencies) {
    if (d.key == key && d.target == target && d.kind == kind) return &d;
  }
  return nullptr;
}

std::vector<std::string> keys(const std::vector<Dependency>& deps) {
  std::vector<std::string> out;
  for (const auto& d : deps)
    out.push_back(d.key);
  return out;
}

std::vector<std::string> values(const std::vector<Located>& v) {
  std::vector<std::string> out;
  for (const auto& l : v)
    out.push_back(l.value);
  return out;
}

} // namespace

TEST_CASE("manifest: package name, version and directory") {
  auto r = parse_manifest("[package]\nname = \"llm-edge-core\"\nversion = \"0.3.1\"\n",
                          "crates/llm-edge-core/Cargo.toml");
  REQUIRE(r.manifest);
  CHECK(r.diagnostics.empty());
  const Manifest& m = *r.manifest;
  CHECK(m.file == "crates/llm-edge-core/Cargo.toml");
  CHECK(m.dir == "crates/llm-edge-core");
  REQUIRE(m.package);
  CHECK(m.package->name.value == "llm-edge-core");
  CHECK(m.package->name.loc == Location{"crates/llm-edge-core/Cargo.toml", 2, 8});
  REQUIRE(m.package->version);
  CHECK(m.package->version->value == "0.3.1");
  CHECK(m.package->version->loc == Location{"crates/llm-edge-core/Cargo.toml", 3, 11});
  CHECK_FALSE(m.package->version_workspace);
  CHECK_FALSE(m.workspace);
  CHECK(parse_manifest("[package]\nname = \"a\"\n", "Cargo.toml").manifest->dir == "");
}

TEST_CASE("manifest: version inherited from the workspace") {
  auto r = parse_manifest("[package]\nname = \"a\"\nversion.workspace = true\n", "a/Cargo.toml");
  REQUIRE(r.manifest);
  CHECK(r.diagnostics.empty());
  CHECK(r.manifest->package->version_workspace);
  CHECK_FALSE(r.manifest->package->version);
}

TEST_CASE("manifest: build targets") {
  auto r = parse_manifest(R"([package]
name = "svc"

[lib]
path = "src/lib.rs"

[[bin]]
name = "svc-server"
path = "src/bin/server.rs"

[[bin]]
name = "svc-cli"

[[example]]
name = "otlp"

[[test]]
name = "it"
path = "tests/it.rs"

[[bench]]
name = "throughput"
)",
                          "Cargo.toml");
  REQUIRE(r.manifest);
  CHECK(r.diagnostics.empty());
  const auto& t = r.manifest->package->targets;
  REQUIRE(t.size() == 6);
  CHECK(t[0].kind == "lib");
  CHECK(t[0].name == "");
  REQUIRE(t[0].path);
  CHECK(t[0].path->value == "src/lib.rs");
  CHECK(t[0].path->loc == Location{"Cargo.toml", 5, 8});
  CHECK(t[1].kind == "bin");
  CHECK(t[1].name == "svc-server");
  CHECK(t[1].path->value == "src/bin/server.rs");
  CHECK(t[2].kind == "bin");
  CHECK(t[2].name == "svc-cli");
  CHECK_FALSE(t[2].path);
  CHECK(t[3].kind == "example");
  CHECK(t[3].name == "otlp");
  CHECK(t[4].kind == "test");
  CHECK(t[4].path->loc == Location{"Cargo.toml", 19, 8});
  CHECK(t[5].kind == "bench");
  CHECK(t[5].name == "throughput");
}

TEST_CASE("manifest: workspace section") {
  auto r = parse_manifest(R"([workspace]
members = ["crates/*", "tools/gen"]
exclude = ["crates/legacy"]
default-members = ["crates/core"]

[workspace.package]
version = "1.2.0"

[workspace.dependencies]
tracing = "0.1"
opentelemetry = { version = "0.27", features = ["trace"] }
)",
                          "Cargo.toml");
  REQUIRE(r.manifest);
  CHECK(r.diagnostics.empty());
  const Manifest& m = *r.manifest;
  CHECK_FALSE(m.package);
  REQUIRE(m.workspace);
  const WorkspaceDecl& ws = *m.workspace;
  CHECK(ws.loc == Location{"Cargo.toml", 1, 1});
  CHECK(values(ws.members) == std::vector<std::string>{"crates/*", "tools/gen"});
  CHECK(ws.members[1].loc == Location{"Cargo.toml", 2, 24});
  CHECK(values(ws.exclude) == std::vector<std::string>{"crates/legacy"});
  CHECK(values(ws.default_members) == std::vector<std::string>{"crates/core"});
  REQUIRE(ws.package_version);
  CHECK(ws.package_version->value == "1.2.0");
  CHECK(ws.package_version->loc == Location{"Cargo.toml", 7, 11});
  // Document order, not toml++'s sorted order.
  CHECK(keys(ws.dependencies) == std::vector<std::string>{"tracing", "opentelemetry"});
  CHECK(ws.dependencies[1].req->value == "0.27");
  CHECK(ws.dependencies[1].req->loc == Location{"Cargo.toml", 11, 29});
  CHECK(values(ws.dependencies[1].features) == std::vector<std::string>{"trace"});
  CHECK(m.dependencies.empty());
}

TEST_CASE("manifest: dependency forms") {
  auto r = parse_manifest(R"([package]
name = "svc"

[dependencies]
tokio = "1.40"
opentelemetry_sdk = { version = "0.27", features = ["rt-tokio", "trace"], optional = true, default-features = false }
tonic = { version = "0.12", default_features = false }
opentelemetry.workspace = true
opentelemetry-otlp = { workspace = true, features = ["grpc-tonic"], optional = true }
otel = { package = "opentelemetry", version = "0.27" }
local = { path = "./crates/../local" }
fork = { git = "https://github.com/example/fork", branch = "main" }
tagged = { git = "https://github.com/example/t", tag = "v1" }
pinned = { git = "https://github.com/example/p", rev = "abc123", version = "0.2" }
internal = { version = "3", registry = "corp" }

[dependencies.opentelemetry-stdout]
version = "0.27"
features = ["logs"]
)",
                          "Cargo.toml");
  REQUIRE(r.manifest);
  CHECK(r.diagnostics.empty());
  const Manifest& m = *r.manifest;
  CHECK(keys(m.dependencies) ==
        std::vector<std::string>{"tokio", "opentelemetry_sdk", "tonic", "opentelemetry",
                                 "opentelemetry-otlp", "otel", "local", "fork", "tagged", "pinned",
                                 "internal", "opentelemetry-stdout"});

  const Dependency* tokio = dep(m, "tokio");
  REQUIRE(tokio);
  CHECK(tokio->package == "tokio");
  CHECK(tokio->loc == Location{"Cargo.toml", 5, 1});
  CHECK(tokio->req->value == "1.40");
  CHECK(tokio->req->loc == Location{"Cargo.toml", 5, 9});
  CHECK(tokio->kind == DepKind::normal);
  CHECK(tokio->source == Dependency::Source::registry);
  CHECK(tokio->default_features);
  CHECK_FALSE(tokio->optional);

  const Dependency* sdk = dep(m, "opentelemetry_sdk");
  REQUIRE(sdk);
  CHECK(sdk->req->loc == Location{"Cargo.toml", 6, 33});
  CHECK(values(sdk->features) == std::vector<std::string>{"rt-tokio", "trace"});
  CHECK(sdk->features[1].loc == Location{"Cargo.toml", 6, 65});
  CHECK(sdk->optional);
  CHECK_FALSE(sdk->default_features);

  CHECK_FALSE(dep(m, "tonic")->default_features);

  const Dependency* otel = dep(m, "opentelemetry");
  REQUIRE(otel);
  CHECK(otel->workspace);
  CHECK_FALSE(otel->inherited);
  CHECK_FALSE(otel->req);
  CHECK(otel->loc == Location{"Cargo.toml", 8, 1});

  const Dependency* otlp = dep(m, "opentelemetry-otlp");
  REQUIRE(otlp);
  CHECK(otlp->workspace);
  CHECK(otlp->optional);
  CHECK(values(otlp->features) == std::vector<std::string>{"grpc-tonic"});

  const Dependency* renamed = dep(m, "otel");
  REQUIRE(renamed);
  CHECK(renamed->package == "opentelemetry");
  CHECK(renamed->req->value == "0.27");

  const Dependency* local = dep(m, "local");
  CHECK(local->source == Dependency::Source::path);
  CHECK(local->path == "./crates/../local"); // as written
  CHECK_FALSE(local->req);

  const Dependency* fork = dep(m, "fork");
  CHECK(fork->source == Dependency::Source::git);
  CHECK(fork->git == "https://github.com/example/fork");
  CHECK(fork->branch == "main");
  CHECK(dep(m, "tagged")->tag == "v1");
  const Dependency* pinned = dep(m, "pinned");
  CHECK(pinned->rev == "abc123");
  CHECK(pinned->req->value == "0.2");
  CHECK(pinned->source == Dependency::Source::git);

  const Dependency* internal = dep(m, "internal");
  CHECK(internal->registry == "corp");
  CHECK(internal->source == Dependency::Source::registry);

  const Dependency* stdout_dep = dep(m, "opentelemetry-stdout");
  REQUIRE(stdout_dep);
  CHECK(stdout_dep->loc == Location{"Cargo.toml", 17, 15});
  CHECK(stdout_dep->req->value == "0.27");
  CHECK(stdout_dep->req->loc == Location{"Cargo.toml", 18, 11});
  CHECK(values(stdout_dep->features) == std::vector<std::string>{"logs"});
}

TEST_CASE("manifest: dev, build and target-specific dependencies") {
  auto r = parse_manifest(R"([package]
name = "svc"

[dev-dependencies]
opentelemetry-stdout = "0.27"

[build-dependencies]
prost-build = "0.13"

[dev_dependencies]
criterion = "0.5"

[build_dependencies]
cc = "1"

[target.'cfg(unix)'.dependencies]
opentelemetry-otlp = "0.27"

[target.'cfg(windows)'.dev-dependencies]
winapi = "0.3"

[target.x86_64-unknown-linux-gnu.build-dependencies]
bindgen = "0.70"
)",
                          "Cargo.toml");
  REQUIRE(r.manifest);
  CHECK(r.diagnostics.empty());
  const Manifest& m = *r.manifest;
  CHECK(keys(m.dependencies) == std::vector<std::string>{"opentelemetry-stdout", "prost-build",
                                                         "criterion", "cc", "opentelemetry-otlp",
                                                         "winapi", "bindgen"});
  CHECK(dep(m, "opentelemetry-stdout", "", DepKind::dev));
  CHECK(dep(m, "prost-build", "", DepKind::build));
  CHECK(dep(m, "criterion", "", DepKind::dev));
  CHECK(dep(m, "cc", "", DepKind::build));
  const Dependency* otlp = dep(m, "opentelemetry-otlp", "cfg(unix)");
  REQUIRE(otlp);
  CHECK(otlp->loc == Location{"Cargo.toml", 17, 1});
  CHECK(dep(m, "winapi", "cfg(windows)", DepKind::dev));
  CHECK(dep(m, "bindgen", "x86_64-unknown-linux-gnu", DepKind::build));
  CHECK(to_string(DepKind::normal) == "dependencies");
  CHECK(to_string(DepKind::dev) == "dev-dependencies");
  CHECK(to_string(DepKind::build) == "build-dependencies");
}

TEST_CASE("manifest: wrong shapes are reported and the rest is kept") {
  auto r = parse_manifest(R"([package]
name = "svc"
version = 3

[dependencies]
tokio = 1
tracing = "0.1"
opentelemetry = { version = "0.27", features = "trace" }
opentelemetry_sdk = { version = 27, features = ["trace", 1], optional = "yes" }
)",
                          "svc/Cargo.toml");
  REQUIRE(r.manifest);
  const Manifest& m = *r.manifest;
  CHECK(keys(m.dependencies) ==
        std::vector<std::string>{"tracing", "opentelemetry", "opentelemetry_sdk"});
  CHECK(values(dep(m, "opentelemetry_sdk")->features) == std::vector<std::string>{"trace"});
  CHECK_FALSE(dep(m, "opentelemetry_sdk")->req);
  CHECK(dep(m, "opentelemetry")->req->value == "0.27");
  REQUIRE(r.diagnostics.size() == 6);
  auto check = [&](size_t i, int line, int col, const std::string& msg) {
    CAPTURE(i);
    CHECK(r.diagnostics[i].rule == "manifest-invalid");
    CHECK(r.diagnostics[i].loc == Location{"svc/Cargo.toml", line, col});
    CHECK(r.diagnostics[i].message == msg);
  };
  check(0, 3, 11, "package.version must be a string or { workspace = true }");
  check(1, 6, 1, "dependency \"tokio\" must be a version string or a table");
  check(2, 8, 48, "features of dependency \"opentelemetry\" must be an array of strings");
  check(3, 9, 33, "version of dependency \"opentelemetry_sdk\" must be a string");
  check(4, 9, 58, "features of dependency \"opentelemetry_sdk\" must be an array of strings");
  check(5, 9, 73, "optional of dependency \"opentelemetry_sdk\" must be a boolean");
}

TEST_CASE("manifest: package without a name") {
  auto r = parse_manifest("\n[package]\nversion = \"1.0.0\"\n", "a/Cargo.toml");
  REQUIRE(r.manifest);
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].rule == "manifest-invalid");
  CHECK(r.diagnostics[0].loc == Location{"a/Cargo.toml", 2, 1});
  CHECK(r.diagnostics[0].message == "[package] has no name");
  REQUIRE(r.manifest->package);
  CHECK(r.manifest->package->name.value == "");
  CHECK(r.manifest->package->version->value == "1.0.0");

  auto wrong = parse_manifest("[package]\nname = [\"a\"]\n", "Cargo.toml");
  REQUIRE(wrong.diagnostics.size() == 1);
  CHECK(wrong.diagnostics[0].loc == Location{"Cargo.toml", 2, 8});
  CHECK(wrong.diagnostics[0].message == "package.name must be a string");
}

TEST_CASE("manifest: neither package nor workspace") {
  auto empty = parse_manifest("", "x/Cargo.toml");
  REQUIRE(empty.manifest);
  REQUIRE(empty.diagnostics.size() == 1);
  CHECK(empty.diagnostics[0].rule == "manifest-invalid");
  CHECK(empty.diagnostics[0].loc == Location{"x/Cargo.toml", 1, 1});
  CHECK(empty.diagnostics[0].message ==
        "Cargo.toml is empty: it declares neither [package] nor [workspace]");

  auto comments = parse_manifest("# nothing here\n\n", "Cargo.toml");
  REQUIRE(comments.diagnostics.size() == 1);
  CHECK(comments.diagnostics[0].message ==
        "Cargo.toml is empty: it declares neither [package] nor [workspace]");

  auto deps_only = parse_manifest("[dependencies]\ntokio = \"1\"\n", "Cargo.toml");
  REQUIRE(deps_only.manifest);
  REQUIRE(deps_only.diagnostics.size() == 1);
  CHECK(deps_only.diagnostics[0].message ==
        "Cargo.toml declares neither [package] nor [workspace]");
  CHECK(deps_only.manifest->dependencies.size() == 1);
}

TEST_CASE("manifest: syntax errors carry the parser's position") {
  auto r = parse_manifest("[package]\nname = \"a\"\n[dependencies]\ntokio = { version = \"1\"\n",
                          "svc/Cargo.toml");
  CHECK_FALSE(r.manifest);
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].rule == "manifest-parse-error");
  CHECK(r.diagnostics[0].loc.file == "svc/Cargo.toml");
  CHECK(r.diagnostics[0].loc.line == 4);
  CHECK(r.diagnostics[0].loc.column == 24);
  CHECK(r.diagnostics[0].message ==
        "Error while parsing inline table: expected key or closing '}', saw '\\n'");

  auto dup = parse_manifest("[package]\nname = \"a\"\nname = \"b\"\n", "Cargo.toml");
  CHECK_FALSE(dup.manifest);
  REQUIRE(dup.diagnostics.size() == 1);
  CHECK(dup.diagnostics[0].loc == Location{"Cargo.toml", 3, 8});
  CHECK(dup.diagnostics[0].message ==
        "Error while parsing key-value pair: cannot redefine existing string 'name'");
}

TEST_CASE("manifest: columns count characters, not bytes") {
  auto r = parse_manifest("[package]\nname = \"a\"\ndescription = \"Ünïcode\"\n[dependencies]\n"
                          "x = { features = [\"é\"], version = \"1\" }\n",
                          "Cargo.toml");
  REQUIRE(r.manifest);
  CHECK(r.diagnostics.empty());
  CHECK(r.manifest->dependencies[0].req->loc == Location{"Cargo.toml", 5, 35});
}

TEST_CASE("manifest: wrong target and section shapes") {
  auto r = parse_manifest(R"(lib = 1
bin = { name = "x" }
dependencies = ["tokio"]
target = 3
[package]
name = "a"
[[example]]
name = 5
)",
                          "Cargo.toml");
  REQUIRE(r.manifest);
  std::vector<std::string> found;
  for (const auto& d : r.diagnostics) {
    found.push_back(std::to_string(d.loc.line) + ":" + std::to_string(d.loc.column) + " " +
                    d.message);
  }
  CHECK(found == std::vector<std::string>{
                     "1:7 [lib] must be a table", "2:7 [[bin]] must be an array of tables",
                     "3:16 [dependencies] must be a table", "4:10 [target] must be a table",
                     "8:8 name of [[example]] must be a string"});
  REQUIRE(r.manifest->package);
  REQUIRE(r.manifest->package->targets.size() == 1);
  CHECK(r.manifest->package->targets[0].kind == "example");
}

TEST_CASE("manifest: path dependencies leaving the repository") {
  auto r = parse_manifest(R"([package]
name = "svc"
[dependencies]
sibling = { path = "../sibling" }
up = { path = "../../../up" }
abs = { path = "/usr/src/abs" }
[workspace.dependencies]
shared = { path = "../shared" }
)",
                          "crates/svc/Cargo.toml");
  REQUIRE(r.manifest);
  CHECK(keys(r.manifest->dependencies) == std::vector<std::string>{"sibling", "up", "abs"});
  CHECK(dep(*r.manifest, "up")->path == "../../../up");
  REQUIRE(r.diagnostics.size() == 2);
  CHECK(r.diagnostics[0].rule == "path-outside-repo");
  CHECK(r.diagnostics[0].loc == Location{"crates/svc/Cargo.toml", 5, 15});
  CHECK(r.diagnostics[0].message ==
        "path dependency \"up\" points outside the repository: \"../../../up\"");
  CHECK(r.diagnostics[1].loc == Location{"crates/svc/Cargo.toml", 6, 16});
  CHECK(r.diagnostics[1].message ==
        "path dependency \"abs\" points outside the repository: \"/usr/src/abs\"");

  auto root = parse_manifest("[workspace]\n[workspace.dependencies]\nx = { path = \"../x\" }\n",
                             "Cargo.toml");
  REQUIRE(root.diagnostics.size() == 1);
  CHECK(root.diagnostics[0].loc == Location{"Cargo.toml", 3, 14});
  CHECK(root.diagnostics[0].message ==
        "path dependency \"x\" points outside the repository: \"../x\"");
}

TEST_CASE("manifest: a workspace entry cannot itself inherit") {
  auto r = parse_manifest("[workspace]\n[workspace.dependencies]\ntokio = \"1\"\n"
                          "tracing.workspace = true\n",
                          "Cargo.toml");
  REQUIRE(r.manifest);
  CHECK(keys(r.manifest->workspace->dependencies) == std::vector<std::string>{"tokio"});
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].rule == "manifest-invalid");
  CHECK(r.diagnostics[0].loc == Location{"Cargo.toml", 4, 1});
  CHECK(r.diagnostics[0].message ==
        "dependency \"tracing\" in [workspace.dependencies] cannot inherit from the workspace");
}
