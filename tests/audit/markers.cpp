#include "audit/markers.h"

#include <cctype>
#include <optional>
#include <regex>
#include <sstream>
#include <string_view>

#include "rules/rule_table.h"

namespace otelaudit::markers {

namespace {

/// One entry of a marker list: `2×rule@severity`, `rule@severity` or `rule`.
struct Item {
  int count = 1;
  bool counted = false; // a count was written
  std::string rule;
  std::string severity; // as written, empty when none
};

bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

void skip_spaces(std::string_view text, std::size_t& pos) {
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t'))
    ++pos;
}

/// Reads one item at `pos`. False when none starts there; `error` is set when something that
/// looks like one is malformed.
bool parse_item(std::string_view text, std::size_t& pos, Item& item, std::string& error) {
  std::size_t p = pos;
  if (p < text.size() && is_digit(text[p])) {
    int n = 0;
    while (p < text.size() && is_digit(text[p]) && n < 1000)
      n = n * 10 + (text[p++] - '0');
    if (text.substr(p).starts_with("\xC3\x97"))
      p += 2; // U+00D7 MULTIPLICATION SIGN
    else if (p < text.size() && text[p] == 'x')
      ++p;
    else {
      error = "a count must be followed by \xC3\x97 or x";
      return false;
    }
    item.count = n;
    item.counted = true;
  }
  const std::size_t start = p;
  if (p < text.size() && is_lower(text[p]))
    while (p < text.size() && (is_lower(text[p]) || is_digit(text[p]) || text[p] == '-'))
      ++p;
  if (p == start) {
    if (item.counted) error = "a count without a rule id";
    return false;
  }
  item.rule = std::string(text.substr(start, p - start));
  if (p < text.size() && text[p] == '@') {
    const std::size_t s = ++p;
    while (p < text.size() && is_lower(text[p]))
      ++p;
    item.severity = std::string(text.substr(s, p - s));
    if (item.severity.empty()) {
      error = "'@' without a severity";
      return false;
    }
  }
  pos = p;
  return true;
}

/// Reads the list at `pos` ("a@high, 2×b@low") into `items`; an empty or malformed list is an
/// error.
std::string parse_list(std::string_view text, std::size_t pos, std::vector<Item>& items) {
  skip_spaces(text, pos);
  for (;;) {
    Item item;
    std::string error;
    if (!parse_item(text, pos, item, error)) return error.empty() ? "an empty marker list" : error;
    items.push_back(std::move(item));
    skip_spaces(text, pos);
    if (pos >= text.size() || text[pos] != ',') return "";
    ++pos;
    skip_spaces(text, pos);
  }
}

/// Checks `items` of one `kind` marker at `place` and records them.
void record(Markers& out, const Place& place, std::string_view kind,
            const std::vector<Item>& items) {
  const std::string where = place.first + ":" + std::to_string(place.second) + ": ";
  for (const Item& item : items) {
    if (find_rule(item.rule) == nullptr) {
      out.errors.push_back(where + "unknown rule id \"" + item.rule + "\" in a " +
                           std::string(kind) + " marker");
      continue;
    }
    if (kind == "must-not") {
      if (item.counted || !item.severity.empty())
        out.errors.push_back(where + "a must-not marker names a rule id alone: \"" + item.rule +
                             "\"");
      else
        out.must_not.insert({place.first, place.second, item.rule});
      continue;
    }
    if (item.severity.empty()) {
      out.errors.push_back(where + "expect marker \"" + item.rule +
                           "\" without a severity (write " + item.rule + "@SEVERITY)");
      continue;
    }
    const std::optional<Severity> severity = parse_severity(item.severity);
    if (!severity) {
      out.errors.push_back(where + "unknown severity \"" + item.severity + "\" in \"" + item.rule +
                           "@" + item.severity + "\"");
      continue;
    }
    if (item.count < 1) {
      out.errors.push_back(where + "a count below 1 in an expect marker of \"" + item.rule + "\"");
      continue;
    }
    out.expect[place][{item.rule, *severity}] += item.count;
  }
}

std::string format(const Counts& counts) {
  if (counts.empty()) return "nothing";
  std::string out;
  for (const auto& [key, n] : counts) {
    if (!out.empty()) out += ", ";
    if (n != 1) out += std::to_string(n) + "\xC3\x97";
    out += key.first + "@" + std::string(to_string(key.second));
  }
  return out;
}

} // namespace

Markers read_markers(const Tree& tree) {
  // `# expect: a@high, 2×b@low; must-not: c` holds two markers: every one of them counts.
  static const std::regex head(R"((?:#|//|;)\s*(expect|must-not):)");
  Markers out;
  for (const std::string& file : tree.files()) {
    std::string error;
    const std::optional<std::string> text = tree.read(file, error);
    if (!text) continue;
    if (file == "expect.txt") {
      // Findings no comment can point at (an empty file): `file:line: marker list`.
      std::istringstream in(*text);
      std::string line;
      int n = 0;
      static const std::regex entry(R"(^(.+):(\d+):(.*)$)");
      while (std::getline(in, line)) {
        ++n;
        std::smatch m;
        if (!std::regex_match(line, m, entry)) {
          if (!line.empty())
            out.errors.push_back("expect.txt:" + std::to_string(n) +
                                 ": not a \"file:line: marker\" line");
          continue;
        }
        std::vector<Item> items;
        const std::string list = m[3];
        if (std::string e = parse_list(list, 0, items); !e.empty())
          out.errors.push_back("expect.txt:" + std::to_string(n) + ": " + e);
        record(out, {m[1], std::stoi(m[2])}, "expect", items);
      }
      continue;
    }
    // Markers live in the audited files themselves, never in prose about them.
    if (file.ends_with(".md") || file.ends_with(".txt")) continue;
    std::istringstream in(*text);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      for (auto m = std::sregex_iterator(line.begin(), line.end(), head);
           m != std::sregex_iterator(); ++m) {
        std::vector<Item> items;
        const std::size_t after = static_cast<std::size_t>(m->position() + m->length());
        if (std::string e = parse_list(line, after, items); !e.empty())
          out.errors.push_back(file + ":" + std::to_string(n) + ": " + e);
        record(out, {file, n}, (*m)[1].str(), items);
      }
    }
  }
  for (const auto& [file, line, rule] : out.must_not) {
    auto it = out.expect.find({file, line});
    if (it == out.expect.end()) continue;
    for (const auto& [key, n] : it->second)
      if (key.first == rule)
        out.errors.push_back(file + ":" + std::to_string(line) + ": \"" + rule +
                             "\" is both expected and must-not");
  }
  return out;
}

std::vector<std::string> compare(const Markers& markers, const std::vector<Finding>& findings) {
  std::map<Place, Counts> actual;
  for (const Finding& f : findings)
    ++actual[{f.loc.file, f.loc.line}][{f.rule, f.severity}];
  std::vector<std::string> out = markers.errors;
  std::set<Place> places;
  for (const auto& [place, counts] : markers.expect)
    places.insert(place);
  for (const auto& [place, counts] : actual)
    places.insert(place);
  static const Counts none;
  for (const Place& place : places) {
    auto e = markers.expect.find(place);
    auto a = actual.find(place);
    const Counts& expected = e == markers.expect.end() ? none : e->second;
    const Counts& found = a == actual.end() ? none : a->second;
    if (expected != found)
      out.push_back(place.first + ":" + std::to_string(place.second) + ": expected " +
                    format(expected) + ", found " + format(found));
  }
  for (const auto& [file, line, rule] : markers.must_not) {
    auto a = actual.find({file, line});
    if (a == actual.end()) continue;
    for (const auto& [key, n] : a->second)
      if (key.first == rule)
        out.push_back(file + ":" + std::to_string(line) + ": must-not " + rule + ", found " +
                      format(Counts{{key, n}}));
  }
  return out;
}

std::vector<std::string> check_repositories(const std::vector<RepoInput>& inputs,
                                            const Ruleset& rules) {
  const AuditResult result = run_audit(inputs, rules);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const RepoResult& repo = result.repos.at(i);
    if (repo.name != inputs[i].name) {
      out.push_back(inputs[i].name + ": reported as \"" + repo.name + "\"");
      continue;
    }
    for (const std::string& d : compare(read_markers(*inputs[i].tree), repo.findings))
      out.push_back(inputs[i].name + ": " + d);
  }
  return out;
}

std::string describe(const std::vector<std::string>& differences) {
  std::string out;
  for (const std::string& d : differences)
    out += "\n  " + d;
  return out;
}

} // namespace otelaudit::markers
