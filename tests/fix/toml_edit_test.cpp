// The fixer's TOML editor: each change replaces only the bytes of the value (or key) it is
// about, whatever form the entry is written in.
#include <doctest/doctest.h>

#include <string>

#include "model/cargo/manifest.h"
#include "fix/fix.h"
#include "fix/toml_edit.h"
#include "fix/toml_spans.h"

using namespace otelaudit;
using namespace otelaudit::fix;

namespace {

using Path = std::vector<std::string>;

std::string edit(const std::string& text, const EntryChange& change) {
  std::string error;
  std::optional<Document> doc = read_document(text, error);
  REQUIRE_MESSAGE(doc.has_value(), error);
  std::vector<TextEdit> edits;
  REQUIRE_MESSAGE(entry_edits(text, *doc, change, edits, error), error);
  std::optional<std::string> out = apply_edits(text, edits);
  REQUIRE(out.has_value());
  // Whatever the editor writes must still be a manifest.
  CHECK_MESSAGE(parse_manifest(*out, "Cargo.toml").manifest.has_value(), *out);
  return *out;
}

std::string failure(const std::string& text, const EntryChange& change) {
  std::string error;
  std::optional<Document> doc = read_document(text, error);
  REQUIRE(doc.has_value());
  std::vector<TextEdit> edits;
  CHECK_FALSE(entry_edits(text, *doc, change, edits, error));
  CHECK(edits.empty());
  return error;
}

EntryChange version(Path path, std::string v) {
  EntryChange c;
  c.path = std::move(path);
  c.version = std::move(v);
  return c;
}

EntryChange features(Path path, std::vector<std::string> add) {
  EntryChange c;
  c.path = std::move(path);
  c.add_features = std::move(add);
  return c;
}

const Path kOtel{"dependencies", "opentelemetry"};

} // namespace

TEST_CASE("toml spans: keys, values and lines as written") {
  const std::string text = "# top\n[package]\nname = \"x\"\n\n[dependencies]\n"
                           "\"quoted\" . 'part' = { version = '1', features = [\"a\", 'b',] }\n"
                           "when = 1979-05-27 07:32:00Z # a date with a space\n";
  std::string error;
  std::optional<Document> doc = read_document(text, error);
  REQUIRE_MESSAGE(doc.has_value(), error);
  REQUIRE(doc->tables.size() == 3);
  CHECK(doc->tables[0].root);
  const KeyValue& kv = doc->tables[2].entries.at(0);
  REQUIRE(kv.key.size() == 2);
  CHECK(kv.key[0].name == "quoted");
  CHECK(text.substr(kv.key[0].span.begin, kv.key[0].span.end - kv.key[0].span.begin) ==
        "\"quoted\"");
  CHECK(kv.key[1].name == "part");
  CHECK(kv.value.kind == Value::Kind::table);
  CHECK(kv.value.entries.at(1).value.items.size() == 2);
  CHECK(kv.value.entries.at(1).value.items[1].quote == '\'');
  CHECK(text.substr(kv.line_begin, kv.line_end - kv.line_begin).ends_with("] }\n"));
  CHECK(doc->tables[2].entries.at(1).value.span.end -
            doc->tables[2].entries.at(1).value.span.begin ==
        std::string("1979-05-27 07:32:00Z").size());
}

TEST_CASE("toml spans: escapes decode, CR LF is kept as the newline, and bad text is refused") {
  std::string error;
  auto doc = read_document("a = \"\\u00e9\\t\\\"\"\r\nb = \"\"\"\r\nx\\\r\n   y\"\"\"\r\n", error);
  REQUIRE_MESSAGE(doc.has_value(), error);
  CHECK(doc->newline == "\r\n");
  CHECK(doc->tables[0].entries[0].value.str == "\xC3\xA9\t\"");
  CHECK(doc->tables[0].entries[1].value.str == "xy");
  CHECK_FALSE(read_document("a = [1, 2\n", error).has_value());
  CHECK(error == "line 2, column 1: expected ',' or ']' in an array");
  CHECK_FALSE(read_document("a = \"x\nb = 1\n", error).has_value());
  CHECK(error == "line 1, column 7: a newline in a single-line string");
  std::string deep(300, '[');
  CHECK_FALSE(read_document("a = " + deep, error).has_value());
  CHECK(error.ends_with("values nested too deeply"));
}

TEST_CASE("toml edit: a version string keeps its quotes, comments and spacing") {
  CHECK(edit("[dependencies]\nopentelemetry = \"0.26\"  # pinned\n", version(kOtel, "0.27")) ==
        "[dependencies]\nopentelemetry = \"0.27\"  # pinned\n");
  CHECK(edit("[dependencies]\nopentelemetry='0.26'\n", version(kOtel, "0.27")) ==
        "[dependencies]\nopentelemetry='0.27'\n");
  CHECK(edit("[dependencies]\nopentelemetry   =   {   version   =   \"0.26\"  }  \n",
             version(kOtel, "^0.27")) ==
        "[dependencies]\nopentelemetry   =   {   version   =   \"^0.27\"  }  \n");
  CHECK(
      edit("[dependencies.opentelemetry]\n# c\nversion = \"0.26\" # v\n", version(kOtel, "0.27")) ==
      "[dependencies.opentelemetry]\n# c\nversion = \"0.27\" # v\n");
  CHECK(edit("[dependencies]\nopentelemetry.version = \"0.26\"\n", version(kOtel, "0.27")) ==
        "[dependencies]\nopentelemetry.version = \"0.27\"\n");
  CHECK(edit("dependencies.opentelemetry = \"0.26\"\n[package]\nname = \"x\"\n",
             version(kOtel, "0.27")) ==
        "dependencies.opentelemetry = \"0.27\"\n[package]\nname = \"x\"\n");
  CHECK(edit("[target.'cfg(unix)'.dependencies]\nopentelemetry = \"0.26\"\n",
             version({"target", "cfg(unix)", "dependencies", "opentelemetry"}, "0.27")) ==
        "[target.'cfg(unix)'.dependencies]\nopentelemetry = \"0.27\"\n");
  CHECK(edit("[workspace.dependencies]\n\"opentelemetry\" = \"0.26\"\n",
             version({"workspace", "dependencies", "opentelemetry"}, "0.27")) ==
        "[workspace.dependencies]\n\"opentelemetry\" = \"0.27\"\n");
}

TEST_CASE("toml edit: features join an array in its own layout") {
  CHECK(edit("[dependencies]\nopentelemetry = { version = \"1\", features = [\"a\"] }\n",
             features(kOtel, {"b", "c"})) ==
        "[dependencies]\nopentelemetry = { version = \"1\", features = [\"a\", \"b\", \"c\"] }\n");
  CHECK(edit("[dependencies]\nopentelemetry = { version = \"1\", features = ['a'] }\n",
             features(kOtel, {"b"})) ==
        "[dependencies]\nopentelemetry = { version = \"1\", features = ['a', 'b'] }\n");
  CHECK(edit("[dependencies]\nopentelemetry = { version = \"1\", features = [] }\n",
             features(kOtel, {"b"})) ==
        "[dependencies]\nopentelemetry = { version = \"1\", features = [\"b\"] }\n");
  // Already listed: nothing changes.
  CHECK(edit("[dependencies]\nopentelemetry = { version = \"1\", features = [\"a\"] }\n",
             features(kOtel, {"a"})) ==
        "[dependencies]\nopentelemetry = { version = \"1\", features = [\"a\"] }\n");
  // One element per line, trailing comma.
  CHECK(
      edit("[dependencies.opentelemetry]\nfeatures = [\n    \"a\",  # one\n]\n",
           features(kOtel, {"b", "c"})) ==
      "[dependencies.opentelemetry]\nfeatures = [\n    \"a\",  # one\n    \"b\",\n    \"c\",\n]\n");
  // One element per line, no trailing comma: the old last one gets its comma.
  CHECK(edit("[dependencies.opentelemetry]\nfeatures = [\n  \"a\"  # one\n]\n",
             features(kOtel, {"b", "c"})) ==
        "[dependencies.opentelemetry]\nfeatures = [\n  \"a\",  # one\n  \"b\",\n  \"c\"\n]\n");
  // Several per line: appended to the last line.
  CHECK(edit("[dependencies.opentelemetry]\nfeatures = [\n  \"a\", \"b\",\n  \"c\", \"d\"]\n",
             features(kOtel, {"e"})) ==
        "[dependencies.opentelemetry]\nfeatures = [\n  \"a\", \"b\",\n  \"c\", \"d\", \"e\"]\n");
}

TEST_CASE("toml edit: a missing features field is added in the entry's form") {
  // A string becomes an inline table, its quotes kept.
  CHECK(edit("[dependencies]\nopentelemetry = '0.26' # c\n", [] {
          EntryChange c = features(kOtel, {"a"});
          c.version = "0.27";
          return c;
        }()) == "[dependencies]\nopentelemetry = { version = '0.27', features = ['a'] } # c\n");
  CHECK(edit("[dependencies]\nopentelemetry = { version = \"1\" }\n", features(kOtel, {"a"})) ==
        "[dependencies]\nopentelemetry = { version = \"1\", features = [\"a\"] }\n");
  CHECK(edit("[dependencies]\nopentelemetry = {}\n", features(kOtel, {"a"})) ==
        "[dependencies]\nopentelemetry = { features = [\"a\"] }\n");
  // A table: a new line after its last entry, indented like it.
  CHECK(edit("[dependencies.opentelemetry]\n  version = \"1\"\n\n[features]\n",
             features(kOtel, {"a"})) ==
        "[dependencies.opentelemetry]\n  version = \"1\"\n  features = [\"a\"]\n\n[features]\n");
  CHECK(edit("[dependencies.opentelemetry]\n[x]\n", features(kOtel, {"a"})) ==
        "[dependencies.opentelemetry]\nfeatures = [\"a\"]\n[x]\n");
  // Dotted keys: one more dotted line.
  CHECK(edit("[dependencies]\n  opentelemetry . version = \"1\"\nx = 1\n",
             features(kOtel, {"a"})) == "[dependencies]\n  opentelemetry . version = \"1\"\n  "
                                        "opentelemetry . features = [\"a\"]\nx = 1\n");
  // CR LF and a last line without a newline.
  CHECK(edit("[dependencies.opentelemetry]\r\nversion = \"1\"", features(kOtel, {"a"})) ==
        "[dependencies.opentelemetry]\r\nversion = \"1\"\r\nfeatures = [\"a\"]");
  CHECK(edit("[dependencies.opentelemetry]\r\nversion = \"1\"\r\n", features(kOtel, {"a"})) ==
        "[dependencies.opentelemetry]\r\nversion = \"1\"\r\nfeatures = [\"a\"]\r\n");
}

TEST_CASE("toml edit: renaming a key, dropping package, replacing features, removing entries") {
  EntryChange replace;
  replace.path = {"dependencies", "jaeger"};
  replace.rename = "opentelemetry-otlp";
  replace.version = "0.27";
  replace.drop_package = true;
  replace.set_features = std::vector<std::string>{"trace", "logs"};
  CHECK(edit("[dependencies]\njaeger = { package = \"opentelemetry-jaeger\", version = \"0.20\", "
             "features = [\"rt-tokio\"] } # old\n",
             replace) == "[dependencies]\nopentelemetry-otlp = { version = \"0.27\", features = "
                         "[\"trace\", \"logs\"] } # old\n");
  replace.path = {"dependencies", "opentelemetry-jaeger"};
  replace.drop_package = false;
  CHECK(
      edit("[dependencies.opentelemetry-jaeger]\nversion = \"0.20\"\n", replace) ==
      "[dependencies.opentelemetry-otlp]\nversion = \"0.27\"\nfeatures = [\"trace\", \"logs\"]\n");
  CHECK(edit("[dependencies]\nopentelemetry-jaeger.version = "
             "\"0.20\"\nopentelemetry-jaeger.features = "
             "[\"x\"]\n",
             replace) ==
        "[dependencies]\nopentelemetry-otlp.version = \"0.27\"\nopentelemetry-otlp."
        "features = [\"trace\", \"logs\"]\n");
  EntryChange member;
  member.path = {"dependencies", "opentelemetry-jaeger"};
  member.rename = "opentelemetry-otlp";
  member.set_features = std::vector<std::string>{};
  CHECK(edit("[dependencies]\nopentelemetry-jaeger = { workspace = true, features = [\"x\"] }\n",
             member) == "[dependencies]\nopentelemetry-otlp = { workspace = true }\n");
  CHECK(edit("[dependencies]\nopentelemetry-jaeger.workspace = true\n", member) ==
        "[dependencies]\nopentelemetry-otlp.workspace = true\n");

  EntryChange remove;
  remove.path = {"dependencies", "opentelemetry-jaeger"};
  remove.remove = true;
  CHECK(edit("[dependencies]\n# keep\nopentelemetry-jaeger = \"0.20\" # gone\ntracing = \"0.1\"\n",
             remove) == "[dependencies]\n# keep\ntracing = \"0.1\"\n");
  CHECK(edit("[dependencies.opentelemetry-jaeger]\nversion = \"0.20\"\n\n[features]\n", remove) ==
        "\n[features]\n");
  // Found by the fix_edit fuzz target: a table below the entry's path declares it too.
  CHECK(edit("[dependencies.opentelemetry-jaeger.x]\na = 1\n[dependencies]\nb = \"1\"\n", remove) ==
        "[dependencies]\nb = \"1\"\n");
  CHECK(edit("[target.x]\ndependencies = { a = \"1\", opentelemetry-jaeger = \"0.20\" }\n", [] {
          EntryChange c;
          c.path = {"target", "x", "dependencies", "opentelemetry-jaeger"};
          c.remove = true;
          return c;
        }()) == "[target.x]\ndependencies = { a = \"1\" }\n");
}

TEST_CASE("toml edit: removing features (the move of a feature to another crate)") {
  EntryChange c;
  c.path = kOtel;
  c.remove_features = {"rt-tokio"};
  CHECK(edit("[dependencies]\nopentelemetry = { version = \"1\", features = [\"trace\", "
             "\"rt-tokio\", \"logs\"] }\n",
             c) == "[dependencies]\nopentelemetry = { version = \"1\", features = [\"trace\", "
                   "\"logs\"] }\n");
  CHECK(edit("[dependencies.opentelemetry]\nfeatures = [\n  \"trace\",\n  \"rt-tokio\", # x\n]\n",
             c) == "[dependencies.opentelemetry]\nfeatures = [\n  \"trace\",\n]\n");
  CHECK(edit("[dependencies]\nopentelemetry = { version = \"1\", features = [\"rt-tokio\"] }\n",
             c) == "[dependencies]\nopentelemetry = { version = \"1\", features = [] }\n");
  CHECK(failure("[dependencies]\nopentelemetry = { version = \"1\", features = [\"a\"] }\n", c) ==
        "none of the features to remove is listed");
  // Removed and added in one array: one edit of it, never two that overlap.
  c.add_features = {"logs", "metrics"};
  CHECK(edit("[dependencies.opentelemetry]\nfeatures = [\n  'trace',\n  'rt-tokio',\n]\n", c) ==
        "[dependencies.opentelemetry]\nfeatures = ['trace', 'logs', 'metrics']\n");
  CHECK(edit("[dependencies]\nopentelemetry = { version = \"1\", features = [\"logs\", "
             "\"rt-tokio\"] }\n",
             c) == "[dependencies]\nopentelemetry = { version = \"1\", features = [\"logs\", "
                   "\"metrics\"] }\n");
}

TEST_CASE("toml edit: what cannot be done is refused with a reason, and nothing is edited") {
  CHECK(failure("[dependencies]\ntracing = \"1\"\n", version(kOtel, "0.27")) ==
        "no entry is written at dependencies.opentelemetry");
  CHECK(failure("[dependencies]\nopentelemetry = { path = \"../otel\" }\n", version(kOtel, "1")) ==
        "no version requirement is written for the entry");
  CHECK(failure("[dependencies]\nopentelemetry = 1\n", version(kOtel, "1")) ==
        "dependencies.opentelemetry is neither a string nor a table");
  CHECK(failure("[dependencies]\nopentelemetry = { version = \"1\", features = \"a\" }\n",
                features(kOtel, {"b"})) ==
        "the features of dependencies.opentelemetry are not an array");
  // Overlapping byte edits are never applied.
  CHECK_FALSE(apply_edits("abcdef", {{1, 4, "x"}, {3, 5, "y"}}).has_value());
  CHECK(apply_edits("abcdef", {{4, 4, "2"}, {1, 2, "B"}, {4, 4, "3"}}) ==
        std::optional<std::string>("aBcd23ef"));
}

TEST_CASE("toml edit: an entry written only as deeper dotted keys is found, and left alone") {
  // Found by the fix_edit fuzz target: `x.26.workspace = true` declares the dependency x (with
  // a field Cargo ignores), and the editor must find it like the model does.
  std::string error;
  auto doc = read_document("[dependencies]\nopentelemetry.x.workspace = true\n", error);
  REQUIRE(doc.has_value());
  CHECK(has_entry(*doc, kOtel));
  CHECK(failure("[dependencies]\nopentelemetry.x.workspace = true\n", features(kOtel, {"a"})) ==
        "cannot add a field to dependencies.opentelemetry as it is written");
  EntryChange rename;
  rename.path = kOtel;
  rename.rename = "otel";
  CHECK(edit("[dependencies]\nopentelemetry.x.workspace = true\n", rename) ==
        "[dependencies]\notel.x.workspace = true\n");
}

TEST_CASE("toml edit: [features] naming a dependency, and keys that need quotes") {
  std::string error;
  auto doc =
      read_document("[features]\nx = [\"dep:opentelemetry-jaeger\"]\ny = [\"a/b\"]\n", error);
  REQUIRE(doc.has_value());
  CHECK(named_by_features(*doc, "opentelemetry-jaeger"));
  CHECK(named_by_features(*doc, "a"));
  CHECK_FALSE(named_by_features(*doc, "b"));
  CHECK(key_text("opentelemetry_sdk") == "opentelemetry_sdk");
  CHECK(key_text("cfg(unix)") == "\"cfg(unix)\"");
  CHECK(basic_string("a\"b\\\x01") == "\"a\\\"b\\\\\\u0001\"");
}

TEST_CASE("fix: removing the entry that alone declares [workspace] is refused, not a defect") {
  fix::PlannedChange c;
  c.entry = {"Cargo.toml", true, "", DepKind::normal, "opentelemetry-jaeger", {}};
  c.remove = true;
  const std::string text =
      "[package]\nname = \"x\"\n\n[workspace.dependencies.opentelemetry-jaeger]\n"
      "version = \"0.20\"\n";
  ManifestEdit e = edit_manifest(text, "Cargo.toml", {&c});
  CHECK_FALSE(e.after.has_value());
  CHECK_FALSE(e.defect);
  CHECK(e.error == "removing the entry would remove the table it alone declares");
}
