#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "model/cargo/workspace.h"
#include "model/rust/facts.h"
#include "model/rust/modules.h"
#include "source/tree.h"

using namespace otelaudit;
using rust::ModDecl;

namespace {

// `mod name;` at line:column, refined with the setters below.
struct Mod {
  ModDecl d;
  std::vector<std::string> parents; // the enclosing inline modules, outermost first
  Mod(std::string name, int line, int column) {
    d.name = std::move(name);
    d.pos = {line, column};
  }
  Mod& path(std::string p) {
    d.path_attr = std::move(p);
    return *this;
  }
  Mod& cfg_test() {
    d.cfg_test = true;
    return *this;
  }
  Mod& inline_body() {
    d.inline_body = true;
    return *this;
  }
  Mod& in(std::vector<std::string> names) {
    parents = std::move(names);
    return *this;
  }
};

// A repository: its files (manifests with text, .rs files with their `mod` items).
struct Repo {
  std::map<std::string, std::string> manifests;
  std::map<std::string, std::vector<Mod>> sources;

  ModuleTree build() const {
    std::map<std::string, std::string> files = manifests;
    std::map<std::string, rust::FileFacts> facts;
    std::vector<std::string> rs_files;
    for (const auto& [file, mods] : sources) {
      files[file] = "";
      rs_files.push_back(file);
      std::vector<ModDecl>& out = facts[file].mods;
      for (const auto& m : mods) {
        // As the extractor links them: each enclosing module is the latest inline module of
        // that name listed before, inside the one before it.
        ModDecl d = m.d;
        d.parent = -1;
        for (const std::string& name : m.parents) {
          int found = -1;
          for (int k = static_cast<int>(out.size()) - 1; k >= 0 && found < 0; --k)
            if (out[k].inline_body && out[k].name == name && out[k].parent == d.parent) found = k;
          REQUIRE_MESSAGE(found >= 0, "no inline module " << name << " before " << d.name);
          d.parent = found;
        }
        out.push_back(std::move(d));
      }
    }
    MemoryTree tree(files);
    CargoModel cargo = load_cargo(tree);
    CHECK(cargo.diagnostics.empty());
    return build_module_tree(rs_files, facts, cargo);
  }
};

// One line per file: `file package scope roots`, so a failing check shows the whole tree.
std::string render(const ModuleTree& t) {
  std::string out;
  for (const auto& f : t.files) {
    out += f.file + " [" + f.package + "] " + std::string(to_string(f.scope));
    if (f.orphan) out += " orphan";
    for (const auto& r : f.crate_roots)
      out += " <" + r;
    out += "\n";
  }
  return out;
}

std::vector<std::string> diags(const ModuleTree& t) {
  std::vector<std::string> out;
  for (const auto& d : t.diagnostics) {
    out.push_back(d.rule + " " + d.loc.file + ":" + std::to_string(d.loc.line) + ":" +
                  std::to_string(d.loc.column) + " " + d.message);
  }
  return out;
}

const char* kPackage = R"([package]
name = "NAME"
version = "0.1.0"
)";

std::string package(const std::string& name, const std::string& extra = "") {
  std::string text = kPackage;
  text.replace(text.find("NAME"), 4, name);
  return text + extra;
}

} // namespace

TEST_CASE("modules: scope names") {
  CHECK(to_string(CodeScope::production) == "production");
  CHECK(to_string(CodeScope::test) == "test");
  CHECK(to_string(CodeScope::bench) == "bench");
  CHECK(to_string(CodeScope::example) == "example");
  CHECK(to_string(CodeScope::build_script) == "build-script");
}

TEST_CASE("modules: workspace of two packages with every auto-discovered target") {
  Repo repo;
  repo.manifests = {
      {"Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n"},
      {"crates/core/Cargo.toml", package("core")},
      {"crates/app/Cargo.toml", package("app")},
  };
  repo.sources = {
      {"crates/core/src/lib.rs", {Mod("util", 1, 5)}},
      {"crates/core/src/util.rs", {}},
      {"crates/core/src/old.rs", {}},
      {"crates/core/build.rs", {}},
      {"crates/app/src/main.rs", {}},
      {"crates/app/src/bin/tool.rs", {}},
      {"crates/app/src/bin/multi/main.rs", {Mod("cli", 1, 5)}},
      {"crates/app/src/bin/multi/cli.rs", {}},
      {"crates/app/tests/it.rs", {Mod("common", 2, 5)}},
      {"crates/app/tests/common/mod.rs", {}},
      {"crates/app/tests/stale/helper.rs", {}},
      {"crates/app/tests/suite/main.rs", {}},
      {"crates/app/benches/b.rs", {}},
      {"crates/app/benches/unused/data.rs", {}},
      {"crates/app/examples/demo.rs", {}},
      {"crates/app/examples/multi/main.rs", {}},
      {"crates/app/examples/notes/draft.rs", {}},
      {"scripts/gen.rs", {}},
  };
  ModuleTree t = repo.build();
  CHECK(render(t) == "crates/app/benches/b.rs [app] bench <crates/app/benches/b.rs\n"
                     "crates/app/benches/unused/data.rs [app] bench orphan\n"
                     "crates/app/examples/demo.rs [app] example <crates/app/examples/demo.rs\n"
                     "crates/app/examples/multi/main.rs [app] example "
                     "<crates/app/examples/multi/main.rs\n"
                     "crates/app/examples/notes/draft.rs [app] example orphan\n"
                     "crates/app/src/bin/multi/cli.rs [app] production "
                     "<crates/app/src/bin/multi/main.rs\n"
                     "crates/app/src/bin/multi/main.rs [app] production "
                     "<crates/app/src/bin/multi/main.rs\n"
                     "crates/app/src/bin/tool.rs [app] production <crates/app/src/bin/tool.rs\n"
                     "crates/app/src/main.rs [app] production <crates/app/src/main.rs\n"
                     "crates/app/tests/common/mod.rs [app] test <crates/app/tests/it.rs\n"
                     "crates/app/tests/it.rs [app] test <crates/app/tests/it.rs\n"
                     "crates/app/tests/stale/helper.rs [app] test orphan\n"
                     "crates/app/tests/suite/main.rs [app] test <crates/app/tests/suite/main.rs\n"
                     "crates/core/build.rs [core] build-script <crates/core/build.rs\n"
                     "crates/core/src/lib.rs [core] production <crates/core/src/lib.rs\n"
                     "crates/core/src/old.rs [core] production orphan\n"
                     "crates/core/src/util.rs [core] production <crates/core/src/lib.rs\n"
                     "scripts/gen.rs [] production orphan\n");
  CHECK(diags(t).empty());

  const SourceFile* util = t.find("crates/core/src/util.rs");
  REQUIRE(util != nullptr);
  CHECK(util->manifest_file == "crates/core/Cargo.toml");
  const SourceFile* gen = t.find("scripts/gen.rs");
  REQUIRE(gen != nullptr);
  CHECK(gen->package == "");
  CHECK(gen->manifest_file == "");
  CHECK(t.find("crates/core/src/missing.rs") == nullptr);
  CHECK(t.find("") == nullptr);
  CHECK(t.find("zzz.rs") == nullptr);
}

TEST_CASE("modules: nested, mod.rs and inline module forms") {
  Repo repo;
  repo.manifests = {{"Cargo.toml", package("forms")}};
  repo.sources = {
      {"src/lib.rs",
       {Mod("a", 1, 5), Mod("c", 2, 5), Mod("outer", 3, 5).inline_body(),
        Mod("inner", 3, 17).in({"outer"}), Mod("deep", 4, 5).inline_body().in({"outer"}),
        Mod("leaf", 4, 20).in({"outer", "deep"})}},
      // a non-mod-rs file: its children live in src/a/, inline ones after its own name
      {"src/a.rs", {Mod("b", 1, 5), Mod("inl", 2, 5).inline_body(), Mod("x", 2, 15).in({"inl"})}},
      {"src/a/b.rs", {}},
      {"src/a/inl/x.rs", {}},
      {"src/b.rs", {}}, // what a mod-rs reading of src/a.rs would wrongly take
      // a mod.rs file: its children live beside it
      {"src/c/mod.rs", {Mod("d", 1, 5)}},
      {"src/c/d.rs", {}},
      {"src/outer/inner/mod.rs", {}},
      {"src/outer/deep/leaf.rs", {}},
  };
  ModuleTree t = repo.build();
  CHECK(render(t) == "src/a.rs [forms] production <src/lib.rs\n"
                     "src/a/b.rs [forms] production <src/lib.rs\n"
                     "src/a/inl/x.rs [forms] production <src/lib.rs\n"
                     "src/b.rs [forms] production orphan\n"
                     "src/c/d.rs [forms] production <src/lib.rs\n"
                     "src/c/mod.rs [forms] production <src/lib.rs\n"
                     "src/lib.rs [forms] production <src/lib.rs\n"
                     "src/outer/deep/leaf.rs [forms] production <src/lib.rs\n"
                     "src/outer/inner/mod.rs [forms] production <src/lib.rs\n");
  CHECK(diags(t).empty());
}

TEST_CASE("modules: #[path] is relative to the declaring file's directory") {
  Repo repo;
  repo.manifests = {{"Cargo.toml", package("paths")}};
  repo.sources = {
      {"src/lib.rs",
       {Mod("generated", 2, 5).path("gen/out.rs"), Mod("net", 3, 5),
        Mod("thread", 5, 5).inline_body().path("thread_files"),
        Mod("local_data", 6, 9).path("tls.rs").in({"thread"})}},
      {"src/gen/out.rs", {}},
      // non-mod-rs file: a file-level #[path] is still beside it, not under src/net/
      {"src/net.rs",
       {Mod("tcp", 1, 5).path("impls/tcp.rs"), Mod("inline", 2, 5).inline_body(),
        Mod("inner", 3, 9).path("other.rs").in({"inline"}),
        // rustc joins an inline module's own #[path] to the file's directory, without the
        // non-mod-rs name
        Mod("blk", 5, 5).inline_body().path("blocks"), Mod("item", 6, 9).in({"blk"})}},
      {"src/blocks/item.rs", {}},
      {"src/impls/tcp.rs", {Mod("util", 1, 5)}},
      // a file named by #[path] is a mod-rs file to its children
      {"src/impls/util.rs", {}},
      {"src/impls/tcp/util.rs", {}},
      // inside an inline module of a non-mod-rs file: the file's name comes first
      {"src/net/inline/other.rs", {}},
      {"src/thread_files/tls.rs", {}},
  };
  ModuleTree t = repo.build();
  CHECK(render(t) == "src/blocks/item.rs [paths] production <src/lib.rs\n"
                     "src/gen/out.rs [paths] production <src/lib.rs\n"
                     "src/impls/tcp.rs [paths] production <src/lib.rs\n"
                     "src/impls/tcp/util.rs [paths] production orphan\n"
                     "src/impls/util.rs [paths] production <src/lib.rs\n"
                     "src/lib.rs [paths] production <src/lib.rs\n"
                     "src/net.rs [paths] production <src/lib.rs\n"
                     "src/net/inline/other.rs [paths] production <src/lib.rs\n"
                     "src/thread_files/tls.rs [paths] production <src/lib.rs\n");
  CHECK(diags(t).empty());
}

TEST_CASE("modules: #[path] going up stays inside the repository") {
  Repo repo;
  repo.manifests = {{"crates/a/Cargo.toml", package("a")}};
  repo.sources = {
      {"crates/a/src/lib.rs", {Mod("shared", 1, 5).path("../../../shared/common.rs")}},
      {"shared/common.rs", {}},
  };
  ModuleTree t = repo.build();
  CHECK(render(t) == "crates/a/src/lib.rs [a] production <crates/a/src/lib.rs\n"
                     "shared/common.rs [] production <crates/a/src/lib.rs\n");
  CHECK(diags(t).empty());
}

TEST_CASE("modules: cfg'd twins of an inline module hold their children in the first one's "
          "directory") {
  Repo repo;
  repo.manifests = {{"Cargo.toml", package("twins")}};
  repo.sources = {
      {"src/lib.rs",
       {Mod("x", 2, 5).inline_body(), Mod("y", 2, 15).in({"x"}),
        Mod("x", 4, 5).inline_body().path("other"), Mod("z", 4, 25).in({"x"})}},
      {"src/x/y.rs", {}},
      {"src/x/z.rs", {}},
      {"src/other/z.rs", {}},
  };
  ModuleTree t = repo.build();
  CHECK(render(t) == "src/lib.rs [twins] production <src/lib.rs\n"
                     "src/other/z.rs [twins] production orphan\n"
                     "src/x/y.rs [twins] production <src/lib.rs\n"
                     "src/x/z.rs [twins] production <src/lib.rs\n");
  CHECK(diags(t).empty());
}

TEST_CASE("modules: cfg(test) modules and everything below them are test code") {
  Repo repo;
  repo.manifests = {{"Cargo.toml", package("scoped")}};
  repo.sources = {
      {"src/lib.rs",
       {Mod("tests", 10, 5).cfg_test(), Mod("checks", 12, 5).inline_body().cfg_test(),
        Mod("helpers", 13, 9).in({"checks"}), Mod("shared", 15, 5).cfg_test()}},
      {"src/tests.rs", {Mod("fixtures", 1, 5)}},
      {"src/tests/fixtures.rs", {}},
      {"src/checks/helpers.rs", {}},
      // test code from the library, production code from the binary: production wins
      {"src/main.rs", {Mod("shared", 1, 5)}},
      {"src/shared.rs", {}},
  };
  ModuleTree t = repo.build();
  CHECK(render(t) == "src/checks/helpers.rs [scoped] test <src/lib.rs\n"
                     "src/lib.rs [scoped] production <src/lib.rs\n"
                     "src/main.rs [scoped] production <src/main.rs\n"
                     "src/shared.rs [scoped] production <src/lib.rs <src/main.rs\n"
                     "src/tests.rs [scoped] test <src/lib.rs\n"
                     "src/tests/fixtures.rs [scoped] test <src/lib.rs\n");
}

TEST_CASE("modules: a file reached by several roots takes the most production scope") {
  Repo repo;
  repo.manifests = {{"Cargo.toml", package("multi")}};
  repo.sources = {
      {"build.rs", {Mod("common", 1, 5).path("src/common.rs")}},
      {"tests/it.rs", {Mod("common", 1, 5).path("../src/common.rs")}},
      {"examples/demo.rs", {Mod("common", 1, 5).path("../src/common.rs")}},
      {"benches/b.rs", {Mod("common", 1, 5).path("../src/common.rs"), Mod("support", 2, 5)}},
      // a crate root is a mod-rs file: its children live beside it, not in benches/b/
      {"benches/support/mod.rs", {}},
      {"src/common.rs", {}},
  };
  ModuleTree t = repo.build();
  CHECK(render(t) == "benches/b.rs [multi] bench <benches/b.rs\n"
                     "benches/support/mod.rs [multi] bench <benches/b.rs\n"
                     "build.rs [multi] build-script <build.rs\n"
                     "examples/demo.rs [multi] example <examples/demo.rs\n"
                     "src/common.rs [multi] build-script <benches/b.rs <build.rs "
                     "<examples/demo.rs <tests/it.rs\n"
                     "tests/it.rs [multi] test <tests/it.rs\n");
}

TEST_CASE("modules: missing modules and paths leaving the repository are reported") {
  Repo repo;
  repo.manifests = {{"crates/x/Cargo.toml", package("x")}};
  repo.sources = {
      {"crates/x/src/lib.rs",
       {Mod("config", 3, 9), Mod("secrets", 7, 5).path("../../../../etc/passwd"),
        Mod("abs", 8, 5).path("/etc/passwd"), Mod("gone", 9, 5).path("gen/none.rs"),
        Mod("sub", 10, 5)}},
      {"crates/x/src/sub.rs",
       {Mod("deeper", 2, 5), Mod("blk", 4, 5).inline_body().path("../../../../.."),
        Mod("hidden", 5, 9).in({"blk"})}},
      // a second root reaching the same declarations reports them once
      {"crates/x/src/main.rs", {Mod("sub", 1, 5)}},
  };
  ModuleTree t = repo.build();
  CHECK(diags(t) ==
        std::vector<std::string>{
            "module-not-found crates/x/src/lib.rs:3:9 module \"config\" not found: expected "
            "crates/x/src/config.rs or crates/x/src/config/mod.rs",
            "path-outside-repo crates/x/src/lib.rs:7:5 #[path] \"../../../../etc/passwd\" points "
            "outside the repository",
            "path-outside-repo crates/x/src/lib.rs:8:5 #[path] \"/etc/passwd\" points outside "
            "the repository",
            "module-not-found crates/x/src/lib.rs:9:5 module \"gone\" not found: expected "
            "crates/x/src/gen/none.rs",
            "module-not-found crates/x/src/sub.rs:2:5 module \"deeper\" not found: expected "
            "crates/x/src/sub/deeper.rs or crates/x/src/sub/deeper/mod.rs",
            "path-outside-repo crates/x/src/sub.rs:4:5 #[path] \"../../../../..\" points "
            "outside the repository",
        });
  CHECK(render(t) == "crates/x/src/lib.rs [x] production <crates/x/src/lib.rs\n"
                     "crates/x/src/main.rs [x] production <crates/x/src/main.rs\n"
                     "crates/x/src/sub.rs [x] production <crates/x/src/lib.rs "
                     "<crates/x/src/main.rs\n");
}

TEST_CASE("modules: a package nested in another's directory owns its own files") {
  Repo repo;
  repo.manifests = {
      {"Cargo.toml", package("outer")},
      {"tools/gen/Cargo.toml", package("gen")},
  };
  repo.sources = {
      {"src/lib.rs", {}},
      {"tools/gen/src/main.rs", {Mod("emit", 1, 5)}},
      {"tools/gen/src/emit.rs", {}},
      {"tools/gen/src/unused.rs", {}},
      {"tools/gen/tests/smoke.rs", {}},
      {"tools/loose.rs", {}},
  };
  ModuleTree t = repo.build();
  CHECK(render(t) == "src/lib.rs [outer] production <src/lib.rs\n"
                     "tools/gen/src/emit.rs [gen] production <tools/gen/src/main.rs\n"
                     "tools/gen/src/main.rs [gen] production <tools/gen/src/main.rs\n"
                     "tools/gen/src/unused.rs [gen] production orphan\n"
                     "tools/gen/tests/smoke.rs [gen] test <tools/gen/tests/smoke.rs\n"
                     "tools/loose.rs [outer] production orphan\n");
  const SourceFile* emit = t.find("tools/gen/src/emit.rs");
  REQUIRE(emit != nullptr);
  CHECK(emit->manifest_file == "tools/gen/Cargo.toml");
  const SourceFile* loose = t.find("tools/loose.rs");
  REQUIRE(loose != nullptr);
  CHECK(loose->manifest_file == "Cargo.toml");
}

TEST_CASE("modules: declared target paths are crate roots") {
  Repo repo;
  repo.manifests = {{"Cargo.toml", package("custom", R"(
[lib]
path = "lib/mod.rs"

[[bin]]
name = "run"
path = "cli/run.rs"

[[example]]
name = "tour"
path = "samples/tour.rs"

[[test]]
name = "smoke"
path = "checks/smoke.rs"

[[bench]]
name = "speed"
path = "perf/speed.rs"
)")}};
  repo.sources = {
      {"lib/mod.rs", {Mod("x", 1, 5)}},
      {"lib/x.rs", {}},
      {"src/lib.rs", {}}, // replaced by [lib] path: not compiled
      {"cli/run.rs", {}},
      {"samples/tour.rs", {}},
      {"checks/smoke.rs", {}},
      {"perf/speed.rs", {}},
  };
  ModuleTree t = repo.build();
  CHECK(render(t) == "checks/smoke.rs [custom] test <checks/smoke.rs\n"
                     "cli/run.rs [custom] production <cli/run.rs\n"
                     "lib/mod.rs [custom] production <lib/mod.rs\n"
                     "lib/x.rs [custom] production <lib/mod.rs\n"
                     "perf/speed.rs [custom] bench <perf/speed.rs\n"
                     "samples/tour.rs [custom] example <samples/tour.rs\n"
                     "src/lib.rs [custom] production orphan\n");
}

TEST_CASE("modules: #[path] cycles end") {
  Repo repo;
  repo.manifests = {{"Cargo.toml", package("cyclic")}};
  repo.sources = {
      {"src/lib.rs", {Mod("a", 1, 5).path("a.rs")}},
      {"src/a.rs", {Mod("back", 1, 5).path("lib.rs"), Mod("again", 2, 5).path("./a.rs")}},
  };
  ModuleTree t = repo.build();
  CHECK(render(t) == "src/a.rs [cyclic] production <src/lib.rs\n"
                     "src/lib.rs [cyclic] production <src/lib.rs\n");
  CHECK(diags(t).empty());
}

TEST_CASE("modules: module chains stop at depth 256") {
  Repo repo;
  repo.manifests = {{"Cargo.toml", package("deep")}};
  repo.sources["src/lib.rs"] = {Mod("m1", 1, 5).path("m1.rs")};
  for (int i = 1; i <= 260; ++i) {
    std::string next = "m" + std::to_string(i + 1);
    repo.sources["src/m" + std::to_string(i) + ".rs"] = {Mod(next, 1, 5).path(next + ".rs")};
  }
  ModuleTree t = repo.build();
  const SourceFile* last = t.find("src/m256.rs");
  REQUIRE(last != nullptr);
  CHECK_FALSE(last->orphan);
  const SourceFile* beyond = t.find("src/m257.rs");
  REQUIRE(beyond != nullptr);
  CHECK(beyond->orphan);
  // m261.rs does not exist, but the walk never got far enough to look for it
  CHECK(diags(t).empty());
}

TEST_CASE("modules: the depth cap counts the shortest way to a file") {
  Repo repo;
  repo.manifests = {{"Cargo.toml", package("short")}};
  // m200 is one step from the root as well as 200 steps down the chain
  repo.sources["src/lib.rs"] = {Mod("shortcut", 1, 5).path("m200.rs"),
                                Mod("m1", 2, 5).path("m1.rs")};
  for (int i = 1; i <= 299; ++i) {
    std::string next = "m" + std::to_string(i + 1);
    repo.sources["src/m" + std::to_string(i) + ".rs"] = {Mod(next, 1, 5).path(next + ".rs")};
  }
  ModuleTree t = repo.build();
  int orphans = 0;
  for (const auto& f : t.files)
    orphans += f.orphan ? 1 : 0;
  CHECK(orphans == 0);
  CHECK(diags(t) == std::vector<std::string>{"module-not-found src/m299.rs:1:5 module \"m300\" not "
                                             "found: expected src/m300.rs"});
}

TEST_CASE("modules: a file pasted in with include! is compiled with its includer") {
  // Facts from real text, so the include! calls are what the extractor records.
  std::map<std::string, std::string> sources = {
      {"crates/core/src/lib.rs", "include!(\"../gen/consts.rs\");\n"
                                 "include!(\"gen2/x.rs\");\n"
                                 "include!(concat!(env!(\"OUT_DIR\"), \"/llm.v1.rs\"));\n"
                                 "include!(\"table.in\");\n"
                                 "include!(\"missing.rs\");\n"
                                 "include!(\"../../../../outside.rs\");\n"
                                 "#[cfg(test)]\nmod tests {\n    include!(\"fixtures.rs\");\n}\n"},
      {"crates/core/gen/consts.rs", "pub mod more;\n"},
      {"crates/core/gen/more.rs", ""},
      {"crates/core/src/more.rs", ""},
      {"crates/core/src/gen2/x.rs", ""},
      {"crates/core/src/fixtures.rs", ""},
      {"crates/core/src/stray.rs", ""},
  };
  std::map<std::string, std::string> files = {{"crates/core/Cargo.toml", package("core")}};
  std::map<std::string, rust::FileFacts> facts;
  std::vector<std::string> rs_files;
  for (const auto& [file, text] : sources) {
    files[file] = text;
    rs_files.push_back(file);
    facts[file] = rust::extract_facts(text);
  }
  MemoryTree tree(files);
  ModuleTree t = build_module_tree(rs_files, facts, load_cargo(tree));
  // The pasted file's `mod more;` is looked for beside it (gen/more.rs), as rustc does.
  CHECK(render(t) == "crates/core/gen/consts.rs [core] production <crates/core/src/lib.rs\n"
                     "crates/core/gen/more.rs [core] production <crates/core/src/lib.rs\n"
                     "crates/core/src/fixtures.rs [core] test <crates/core/src/lib.rs\n"
                     "crates/core/src/gen2/x.rs [core] production <crates/core/src/lib.rs\n"
                     "crates/core/src/lib.rs [core] production <crates/core/src/lib.rs\n"
                     "crates/core/src/more.rs [core] production orphan\n"
                     "crates/core/src/stray.rs [core] production orphan\n");
  CHECK(diags(t) == std::vector<std::string>{
                        "module-not-found crates/core/src/lib.rs:5:10 included file "
                        "\"missing.rs\" not found: expected crates/core/src/missing.rs",
                        "path-outside-repo crates/core/src/lib.rs:6:10 include! "
                        "\"../../../../outside.rs\" points outside the repository",
                    });
}
