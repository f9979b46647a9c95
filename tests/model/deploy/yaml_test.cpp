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
  CHECK(r.problem->loc.file == "compose.yml");
  CHECK(r.problem->loc.line == 4);
  CHECK(r.problem->message == "not valid YAML: end of sequence flow not found");
  CHECK(r.documents.empty());

  YamlParseResult tab = parse_yaml("a: 1\n b: 2\n", "x.yml");
  REQUIRE(tab.problem);
  CHECK(tab.problem->rule == "deploy-parse-error");
  CHECK(where(tab.problem->loc) == "x.yml:2:3");
  CHECK(tab.problem->message == "not valid YAML: illegal map value");
}

TEST_CASE("deploy yaml: a token that starts no node is an error, not yaml-cpp 0.7's endless loop") {
  // yaml-cpp 0.7 returned an empty document at the `,` for ever, allocating each time
  // (upstream #1040); found by the audit fuzz target as an out-of-memory.
  YamlParseResult comma = parse_yaml(",\n", "docker-compose.yml");
  REQUIRE(comma.problem);
  CHECK(comma.problem->rule == "deploy-parse-error");
  CHECK(where(comma.problem->loc) == "docker-compose.yml:1:1");
  CHECK(comma.problem->message ==
        "not valid YAML: unexpected character ',': no YAML node starts here");
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

  YamlParseResult nul = parse_yaml(std::string("a: 1\0", 5), "n.yml");
  REQUIRE(nul.problem);
  CHECK(nul.problem->message == "holds NUL bytes, so it is not YAML text: not audited");
}

TEST_CASE("deploy yaml: deep nesting is refused by the parser, not the stack") {
  std::string deep(5000, '[');
  YamlParseResult r = parse_yaml(deep, "deep.yml");
  REQUIRE(r.problem);
  CHECK(r.problem->rule == "deploy-parse-error");
}
