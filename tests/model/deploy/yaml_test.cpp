#include "support/location_string.h"

#include <doctest/doctest.h>

#include "model/deploy/yaml.h"

using namespace otelaudit;
using namespace otelaudit::deploy;

TEST_CASE("deploy yaml: scalars, maps and sequences keep 1-based positions") {
  YamlParseResult r = parse_yaml(
      "services:\n  api:\n    image: \"x:1\"\n    ports: [4317, '4318']\n", "compose.yml");
  REQUIRE_FALSE(r.problem);
  REQUIRE(r.documents.size() == 1);
  const YamlNode& doc = r.documents[0];
  const YamlEntry* services = doc.find_entry("services");
  REQUIRE(services);
  CHECK(where(services->key_loc) == "compose.yml:1:1");
  const YamlNode* api = services->value.find("api");
  REQUIRE(api);
  const YamlNode* image = api->find("image");
  REQUIRE(image);
  CHECK(image->scalar == "x:1");
  CHECK_FALSE(image->plain);
  CHECK(where(image->loc) == "compose.yml:3:12");
  const YamlNode* ports = api->find("ports");
  REQUIRE(ports);
  REQUIRE(ports->items.size() == 2);
  CHECK(ports->items[0].scalar == "4317");
  CHECK(ports->items[0].plain);
  CHECK(where(ports->items[1].loc) == "compose.yml:4:19");
  CHECK(api->scalar_at("missing").empty());
}

TEST_CASE("deploy yaml: lines are counted at LF only, columns in characters") {
  // libyaml also ends lines at a lone CR, NEL, LS and PS (YAML 1.1); the reports show lines
  // split at LF, so positions are counted that way. A leading byte order mark is not counted.
  YamlParseResult r = parse_yaml("\xEF\xBB\xBF"
                                 "a: x \xC2\x85 y\r\n"
                                 "b: [\xC3\xA9t\xC3\xA9, z]\r"
                                 "c: 1\n",
                                 "n.yml");
  REQUIRE_FALSE(r.problem);
  const YamlNode& doc = r.documents.at(0);
  CHECK(where(doc.find_entry("a")->key_loc) == "n.yml:1:1");
  CHECK(where(doc.find_entry("b")->key_loc) == "n.yml:2:1");
  CHECK(where(doc.find("b")->items.at(1).loc) == "n.yml:2:10");
  CHECK(where(doc.find_entry("c")->key_loc) == "n.yml:2:13");
  CHECK(doc.scalar_at("c") == "1");

  YamlParseResult bad = parse_yaml("a: 1\rb: [x\r", "n.yml");
  REQUIRE(bad.problem);
  CHECK(where(bad.problem->loc) == "n.yml:1:12");
  CHECK(bad.problem->message == "not valid YAML: did not find expected ',' or ']' (while "
                                "parsing a flow sequence started at line 1, column 9)");
}

TEST_CASE("deploy yaml: every document of a multi-document stream") {
  YamlParseResult r = parse_yaml("kind: A\n---\nkind: B\n---\n", "k8s.yaml");
  REQUIRE_FALSE(r.problem);
  REQUIRE(r.documents.size() == 3);
  CHECK(r.documents[0].scalar_at("kind") == "A");
  CHECK(r.documents[1].scalar_at("kind") == "B");
  CHECK(r.documents[1].loc.line == 3);
  CHECK(r.documents[2].kind == YamlNode::Kind::null);
}

TEST_CASE("deploy yaml: aliases are resolved and merge keys applied, explicit keys win") {
  YamlParseResult r = parse_yaml("x-env: &env\n"
                                 "  ENVIRONMENT: production\n"
                                 "  LOG_FORMAT: json\n"
                                 "services:\n"
                                 "  api:\n"
                                 "    environment:\n"
                                 "      <<: *env\n"
                                 "      LOG_FORMAT: text\n"
                                 "    labels: *env\n",
                                 "compose.yml");
  REQUIRE_FALSE(r.problem);
  const YamlNode* api = r.documents[0].find("services")->find("api");
  const YamlNode* env = api->find("environment");
  REQUIRE(env->entries.size() == 2);
  CHECK(env->entries[0].key == "LOG_FORMAT");
  CHECK(env->entries[0].value.scalar == "text");
  CHECK(env->entries[1].key == "ENVIRONMENT");
  CHECK(env->entries[1].value.scalar == "production");
  // A value reached through an alias keeps the position of the anchored original.
  CHECK(where(env->entries[1].value.loc) == "compose.yml:2:16");
  CHECK(api->find("labels")->scalar_at("LOG_FORMAT") == "json");
}

TEST_CASE("deploy yaml: a quoted << is an ordinary key") {
  YamlParseResult r = parse_yaml("a: &a {x: 1}\nb:\n  \"<<\": *a\n", "f.yaml");
  REQUIRE_FALSE(r.problem);
  const YamlNode* b = r.documents[0].find("b");
  REQUIRE(b->entries.size() == 1);
  CHECK(b->entries[0].key == "<<");
}

TEST_CASE("deploy yaml: malformed YAML is a located parse error") {
  YamlParseResult r = parse_yaml("services:\n  api:\n    image: [unclosed\n", "compose.yml");
  REQUIRE(r.problem);
  CHECK(r.problem->rule == "deploy-parse-error");
  CHECK(where(r.problem->loc) == "compose.yml:4:1");
  CHECK(r.problem->message == "not valid YAML: did not find expected ',' or ']' (while parsing a "
                              "flow sequence started at line 3, column 12)");
  CHECK(r.documents.empty());

  YamlParseResult indent = parse_yaml("a: 1\n b: 2\n", "x.yml");
  REQUIRE(indent.problem);
  CHECK(indent.problem->rule == "deploy-parse-error");
  CHECK(where(indent.problem->loc) == "x.yml:2:3");
  CHECK(indent.problem->message ==
        "not valid YAML: mapping values are not allowed in this context");
}

TEST_CASE("deploy yaml: an unterminated quoted scalar is located where the text ends") {
  YamlParseResult r = parse_yaml(
      "services:\n  api:\n    image: \"otel/collector:0.91\n    ports: [4317]\n", "compose.yml");
  REQUIRE(r.problem);
  CHECK(r.problem->rule == "deploy-parse-error");
  CHECK(where(r.problem->loc) == "compose.yml:5:1");
  CHECK(r.problem->message == "not valid YAML: found unexpected end of stream (while scanning a "
                              "quoted scalar started at line 3, column 12)");
}

TEST_CASE("deploy yaml: a tab in the indentation is named") {
  YamlParseResult r = parse_yaml("services:\n  api:\n\timage: x\n", "compose.yml");
  REQUIRE(r.problem);
  CHECK(r.problem->rule == "deploy-parse-error");
  CHECK(where(r.problem->loc) == "compose.yml:3:1");
  CHECK(r.problem->message == "not valid YAML: found character that cannot start any token (a "
                              "tab, which YAML does not allow in indentation)");
}

TEST_CASE("deploy yaml: invalid UTF-8 and control characters are located parse errors") {
  // The column counts characters: "café-" is five.
  YamlParseResult bad = parse_yaml("services:\n  api:\n    image: caf\xC3\xA9-\xFF\n", "c.yml");
  REQUIRE(bad.problem);
  CHECK(bad.problem->rule == "deploy-parse-error");
  CHECK(where(bad.problem->loc) == "c.yml:3:17");
  CHECK(bad.problem->message == "not valid YAML: invalid leading UTF-8 octet (byte 0xFF)");

  YamlParseResult cut = parse_yaml("a: 1\nb: \xC3\n", "c.yml");
  REQUIRE(cut.problem);
  CHECK(where(cut.problem->loc) == "c.yml:2:5");
  CHECK(cut.problem->message == "not valid YAML: invalid trailing UTF-8 octet (byte 0x0A)");

  YamlParseResult control = parse_yaml("x: \x01\n", "c.yml");
  REQUIRE(control.problem);
  CHECK(where(control.problem->loc) == "c.yml:1:4");
  CHECK(control.problem->message == "not valid YAML: control characters are not allowed (U+0001)");
}

TEST_CASE("deploy yaml: an alias of no anchor is a located parse error") {
  // Anchors end with their document.
  YamlParseResult r = parse_yaml("a: &a 1\n---\nb: *a\n", "x.yml");
  REQUIRE(r.problem);
  CHECK(r.problem->rule == "deploy-parse-error");
  CHECK(where(r.problem->loc) == "x.yml:3:4");
  CHECK(r.problem->message == "not valid YAML: found undefined alias *a");
}

TEST_CASE("deploy yaml: a token that starts no node is a located error") {
  // yaml-cpp 0.7 returned an empty document at the `,` for ever, allocating each time
  // (upstream #1040); found by the audit fuzz target as an out-of-memory.
  YamlParseResult comma = parse_yaml(",\n", "docker-compose.yml");
  REQUIRE(comma.problem);
  CHECK(comma.problem->rule == "deploy-parse-error");
  CHECK(where(comma.problem->loc) == "docker-compose.yml:1:1");
  CHECK(comma.problem->message ==
        "not valid YAML: did not find expected node content (while parsing a block node)");
  CHECK(comma.documents.empty());

  YamlParseResult later = parse_yaml("a: 1\n---\n  ,\n", "x.yml");
  REQUIRE(later.problem);
  CHECK(where(later.problem->loc) == "x.yml:3:3");
  CHECK(later.documents.empty());

  // Empty documents that do move on are still documents.
  YamlParseResult empties = parse_yaml("---\n---\n---\n", "x.yml");
  CHECK_FALSE(empties.problem);
  CHECK(empties.documents.size() == 3);
}

TEST_CASE("deploy yaml: a template that is not YAML is skipped at its first {{") {
  YamlParseResult r =
      parse_yaml("apiVersion: v1\nkind: Pod\nspec:\n  {{- include \"x\" . | nindent 2 }}\n"
                 "  containers: []\n",
                 "chart/templates/pod.yaml");
  REQUIRE(r.problem);
  CHECK(r.problem->rule == "deploy-file-skipped");
  CHECK(where(r.problem->loc) == "chart/templates/pod.yaml:4:3");
  CHECK(r.problem->message ==
        "template (`{{ }}`) that is not plain YAML, e.g. a Helm template: not audited");
}

TEST_CASE("deploy yaml: a billion-laughs bomb stops at the node limit") {
  std::string bomb =
      "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  std::string prev = "a";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string name(1, c);
    bomb += name + ": &" + name + " [";
    for (int i = 0; i < 9; ++i)
      bomb += (i ? ",*" : "*") + prev;
    bomb += "]\n";
    prev = name;
  }
  YamlParseResult r = parse_yaml(bomb, "bomb.yaml");
  REQUIRE(r.problem);
  CHECK(r.problem->rule == "deploy-file-skipped");
  CHECK(where(r.problem->loc) == "bomb.yaml:1:1");
  CHECK(r.problem->message ==
        "YAML that expands to more than 100000 nodes once aliases are resolved: not audited");
  CHECK(r.documents.empty());
}

TEST_CASE("deploy yaml: a bomb of 9^40 nodes stops at the alias that crosses the limit") {
  // Expanded before the limit was checked this would never end; the reading stops at the
  // alias whose anchor's counted size crosses it, even with a syntax error further on.
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 40; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int j = 1; j < 9; ++j)
      bomb += ", " + prev;
    bomb += "]\n";
  }
  bomb += "broken: [\n";
  YamlParseResult r = parse_yaml(bomb, "bomb.yaml");
  REQUIRE(r.problem);
  CHECK(r.problem->rule == "deploy-file-skipped");
  CHECK(where(r.problem->loc) == "bomb.yaml:1:1");
  CHECK(r.problem->message ==
        "YAML that expands to more than 100000 nodes once aliases are resolved: not audited");
  CHECK(r.documents.empty());

  // Just under the limit: read, every alias expanded.
  YamlLimits limits;
  limits.max_nodes = 1 + 10 + 1 + 9 * 10 + 11; // root, a, b (9 copies of a), c short of one copy
  YamlParseResult fits = parse_yaml("a: &a [x, x, x, x, x, x, x, x, x]\n"
                                    "b: [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                                    "c: [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n",
                                    "fits.yaml", limits);
  REQUIRE(fits.problem);
  CHECK(fits.problem->message ==
        "YAML that expands to more than 113 nodes once aliases are resolved: not audited");
  limits.max_nodes = 1 + 10 + 2 * (1 + 9 * 10);
  fits = parse_yaml("a: &a [x, x, x, x, x, x, x, x, x]\n"
                    "b: [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                    "c: [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n",
                    "fits.yaml", limits);
  REQUIRE_FALSE(fits.problem);
  const YamlNode* c = fits.documents.at(0).find("c");
  REQUIRE(c);
  REQUIRE(c->items.size() == 9);
  CHECK(c->items[8].items.size() == 9);
  CHECK(where(c->items[8].items[8].loc) == "fits.yaml:1:32");
}

TEST_CASE("deploy yaml: nested anchors, aliases in merged maps and a redefined anchor") {
  YamlParseResult r = parse_yaml("base: &base\n"
                                 "  env: &env {A: 1, B: &b [x, y]}\n"
                                 "  port: 4317\n"
                                 "svc:\n"
                                 "  <<: [*base, {port: 1, extra: *b}]\n"
                                 "  own: *env\n"
                                 "again: &b {C: 3}\n"
                                 "late: *b\n",
                                 "a.yml");
  REQUIRE_FALSE(r.problem);
  const YamlNode& doc = r.documents.at(0);
  // The anchored originals stay where they were written.
  CHECK(doc.find("base")->find("env")->find("B")->items.size() == 2);
  const YamlNode* svc = doc.find("svc");
  REQUIRE(svc->entries.size() == 4);
  CHECK(svc->entries[0].key == "own");
  CHECK(svc->entries[1].key == "env"); // from base, the earlier source
  CHECK(svc->entries[2].key == "port");
  CHECK(svc->entries[2].value.scalar == "4317");
  CHECK(where(svc->entries[2].key_loc) == "a.yml:3:3");
  CHECK(svc->entries[3].key == "extra");
  CHECK(svc->entries[3].value.items.at(1).scalar == "y");
  CHECK(svc->find("env")->find("B")->items.at(0).scalar == "x");
  CHECK(svc->find("own")->scalar_at("A") == "1");
  CHECK(where(svc->find("own")->loc) == "a.yml:2:8");
  // An alias names the latest anchor of its name.
  CHECK(doc.find("late")->scalar_at("C") == "3");
}

TEST_CASE("deploy yaml: nulls, quoted and tagged scalars, complex and alias keys") {
  YamlParseResult r = parse_yaml("a: ~\n"
                                 "b: \"\"\n"
                                 "c: null\n"
                                 "d: !!str null\n"
                                 "e: |\n"
                                 "  text\n"
                                 "f:\n"
                                 "? [complex, key]\n"
                                 ": ignored\n"
                                 "&k name: v\n"
                                 "*k : again\n"
                                 "\"<<\": {x: 1}\n",
                                 "n.yml");
  REQUIRE_FALSE(r.problem);
  const YamlNode& doc = r.documents.at(0);
  CHECK(doc.find("a")->kind == YamlNode::Kind::null);
  CHECK(doc.find("b")->is_scalar());
  CHECK_FALSE(doc.find("b")->plain);
  CHECK(doc.find("c")->kind == YamlNode::Kind::null);
  CHECK(doc.find("d")->scalar == "null");
  CHECK(doc.find("e")->scalar == "text\n");
  CHECK_FALSE(doc.find("e")->plain);
  CHECK(doc.find("f")->kind == YamlNode::Kind::null);
  CHECK(where(doc.find("f")->loc) == "n.yml:7:3"); // where the value is missing
  std::vector<std::string> keys;
  for (const YamlEntry& e : doc.entries)
    keys.push_back(e.key);
  CHECK(keys == std::vector<std::string>{"a", "b", "c", "d", "e", "f", "name", "name", "<<"});
  CHECK(where(doc.entries[7].key_loc) == "n.yml:10:1"); // the alias key is the anchored one
}

TEST_CASE("deploy yaml: an alias inside its own anchor stops at the depth limit") {
  YamlParseResult r = parse_yaml("a: &a [1, *a]\n", "cycle.yaml");
  REQUIRE(r.problem);
  CHECK(r.problem->rule == "deploy-file-skipped");
  CHECK(r.problem->message ==
        "YAML that nests deeper than 256 levels once aliases are resolved: not audited");
}

TEST_CASE("deploy yaml: size, text and NUL limits") {
  YamlLimits small;
  small.max_bytes = 10;
  YamlParseResult big = parse_yaml("key: value that is long\n", "big.yml", small);
  REQUIRE(big.problem);
  CHECK(big.problem->rule == "deploy-file-skipped");
  CHECK(big.problem->message == "YAML file of 24 bytes, over the 10-byte limit: not audited");

  YamlLimits text;
  text.max_scalar_bytes = 20;
  YamlParseResult long_alias = parse_yaml("a: &a 0123456789\nb: [*a, *a]\n", "t.yml", text);
  REQUIRE(long_alias.problem);
  CHECK(long_alias.problem->message ==
        "YAML that holds more than 20 bytes of text once aliases are resolved: not audited");

  YamlParseResult nul = parse_yaml(std::string("a: 1\nb: x\0", 10), "n.yml");
  REQUIRE(nul.problem);
  CHECK(nul.problem->rule == "deploy-file-skipped");
  CHECK(where(nul.problem->loc) == "n.yml:2:5");
  CHECK(nul.problem->message == "holds NUL bytes, so it is not YAML text: not audited");
}

TEST_CASE("deploy yaml: deep nesting stops at the depth limit as it is read") {
  // Unclosed (5,000 levels) or closed (100,000): the 257th level ends the reading, so neither
  // libyaml's stacks nor the tree grow past it.
  for (std::size_t levels : {std::size_t{5000}, std::size_t{100000}}) {
    std::string deep(levels, '[');
    if (levels == 100000) deep += std::string(levels, ']');
    YamlParseResult r = parse_yaml(deep, "deep.yml");
    REQUIRE(r.problem);
    CHECK(r.problem->rule == "deploy-file-skipped");
    CHECK(where(r.problem->loc) == "deep.yml:1:1");
    CHECK(r.problem->message ==
          "YAML that nests deeper than 256 levels once aliases are resolved: not audited");
  }
  // Block maps, each key one level further in.
  std::string block;
  for (std::size_t i = 0; i < 300; ++i)
    block += std::string(i * 2, ' ') + "k" + std::to_string(i) + ":\n";
  YamlParseResult r = parse_yaml(block, "block.yml");
  REQUIRE(r.problem);
  CHECK(where(r.problem->loc) == "block.yml:1:1");
  CHECK(r.problem->message ==
        "YAML that nests deeper than 256 levels once aliases are resolved: not audited");

  YamlLimits limits;
  limits.max_depth = 3;
  CHECK_FALSE(parse_yaml("a: {b: [1]}\n", "ok.yml", limits).problem); // the 1 is level 3
  CHECK(parse_yaml("a: {b: [[1]]}\n", "deep.yml", limits).problem);
}
