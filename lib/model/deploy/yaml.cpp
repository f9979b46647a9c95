#include "model/deploy/yaml.h"

#include <sstream>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <exception>

namespace otelaudit::deploy {

const YamlEntry* YamlNode::find_entry(std::string_view key) const {
  for (const YamlEntry& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}

const YamlNode* YamlNode::find(std::string_view key) const {
  const YamlEntry* e = find_entry(key);
  return e ? &e->value : nullptr;
}

std::string YamlNode::scalar_at(std::string_view key) const {
  const YamlNode* v = find(key);
  return v && v->is_scalar() ? v->scalar : std::string();
}

namespace {

Location to_location(const std::string& file, const YAML::Mark& m) {
  if (m.is_null() || m.line < 0) return {file, 0, 0};
  return {file, m.line + 1, m.column + 1};
}

/// Copies yaml-cpp's node graph into YamlNodes. yaml-cpp shares the node of an anchor between
/// its aliases (and an alias inside its own anchor makes a cycle), so a naive copy is
/// exponential or endless: every node copied counts against the limits, and the first limit
/// crossed stops the whole file.
class Converter {
public:
  Converter(const std::string& file, const YamlLimits& limits) : file_(file), limits_(limits) {}

  bool convert(const YAML::Node& in, YamlNode& out, int depth) {
    if (++nodes_ > limits_.max_nodes)
      return fail("expands to more than " + std::to_string(limits_.max_nodes) +
                  " nodes once aliases are resolved");
    if (depth > limits_.max_depth)
      return fail("nests deeper than " + std::to_string(limits_.max_depth) +
                  " levels once aliases are resolved");
    out.loc = to_location(file_, in.Mark());
    switch (in.Type()) {
    case YAML::NodeType::Scalar:
      out.kind = YamlNode::Kind::scalar;
      scalar_bytes_ += in.Scalar().size();
      if (scalar_bytes_ > limits_.max_scalar_bytes)
        return fail("holds more than " + std::to_string(limits_.max_scalar_bytes) +
                    " bytes of text once aliases are resolved");
      out.scalar = in.Scalar();
      out.plain = in.Tag() != "!";
      return true;
    case YAML::NodeType::Sequence:
      out.kind = YamlNode::Kind::sequence;
      for (const YAML::Node& item : in) {
        out.items.emplace_back();
        if (!convert(item, out.items.back(), depth + 1)) return false;
      }
      return true;
    case YAML::NodeType::Map:
      return convert_map(in, out, depth);
    default:
      out.kind = YamlNode::Kind::null;
      return true;
    }
  }

  const std::string& reason() const { return reason_; }

private:
  bool fail(std::string why) {
    if (reason_.empty()) reason_ = std::move(why);
    return false;
  }

  bool convert_map(const YAML::Node& in, YamlNode& out, int depth) {
    out.kind = YamlNode::Kind::map;
    std::vector<YamlNode> merges;
    for (auto it = in.begin(); it != in.end(); ++it) {
      // Copies: `it->first` lives in a proxy that dies at the end of the expression.
      const YAML::Node key = it->first;
      const YAML::Node item = it->second;
      if (key.Type() != YAML::NodeType::Scalar && key.Type() != YAML::NodeType::Null) {
        if (++nodes_ > limits_.max_nodes)
          return fail("expands to more than " + std::to_string(limits_.max_nodes) +
                      " nodes once aliases are resolved");
        continue; // a complex key names nothing a deployment rule looks for
      }
      std::string name = key.Type() == YAML::NodeType::Scalar ? key.Scalar() : std::string();
      YamlNode value;
      if (!convert(item, value, depth + 1)) return false;
      // `<<` is a merge only when plain; yaml-cpp 0.7 leaves merging to the reader.
      if (name == "<<" && key.Tag() != "!") {
        merges.push_back(std::move(value));
        continue;
      }
      out.entries.push_back({std::move(name), to_location(file_, key.Mark()), std::move(value)});
    }
    // Keys written in the map win over merged ones; an earlier merge source wins over a later.
    for (YamlNode& m : merges) {
      std::vector<YamlNode*> sources;
      if (m.is_map()) sources.push_back(&m);
      for (YamlNode& item : m.items)
        if (item.is_map()) sources.push_back(&item);
      for (YamlNode* src : sources)
        for (YamlEntry& e : src->entries)
          if (!out.find_entry(e.key)) out.entries.push_back(e);
    }
    return true;
  }

  const std::string& file_;
  const YamlLimits& limits_;
  std::size_t nodes_ = 0;
  std::size_t scalar_bytes_ = 0;
  std::string reason_;
};

} // namespace

Location first_template_action(std::string_view text, const std::string& file) {
  auto at = text.find("{{");
  if (at == std::string_view::npos) return {file, 0, 0};
  int line = 1, column = 1;
  for (std::size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  return {file, line, column};
}

/// yaml-cpp 0.7 (Debian 12) loops for ever, allocating, on a token that starts no node at
/// the top of a document, such as a lone `,` (upstream issue #1040, fixed in 0.8 by
/// "avoid possible infinite loop in LoadAll()"): each next document is an empty one at the
/// same place, the token never consumed. This pass reads the events only and throws the
/// ParserException yaml-cpp should have thrown when a document ends where the previous one
/// did without reading anything, so that LoadAll is called only on text it gets through.
class ProgressCheck : public YAML::EventHandler {
public:
  explicit ProgressCheck(std::string_view text) : text_(text) {}

  void run() {
    std::string copy(text_);
    std::istringstream in(copy);
    YAML::Parser parser(in);
    std::size_t documents = 0;
    while (true) {
      events_ = 0;
      empty_ = false;
      if (!parser.HandleNextDocument(*this)) return;
      if (events_ == 1 && empty_) {
        if (had_empty_ && same(empty_at_, previous_empty_)) {
          std::string what = "unexpected character";
          if (empty_at_.pos >= 0 && static_cast<std::size_t>(empty_at_.pos) < text_.size())
            what += std::string(" '") + text_[static_cast<std::size_t>(empty_at_.pos)] + "'";
          throw YAML::ParserException(empty_at_, what + ": no YAML node starts here");
        }
        had_empty_ = true;
        previous_empty_ = empty_at_;
      } else {
        had_empty_ = false;
      }
      // Every document reads at least one byte; more documents than bytes is the same loop.
      if (++documents > text_.size() + 1)
        throw YAML::ParserException(YAML::Mark::null_mark(), "the YAML parser made no progress");
    }
  }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override {
    if (++events_ == 1) {
      empty_ = true;
      empty_at_ = mark;
    }
  }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { ++events_; }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {
    ++events_;
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    ++events_;
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    ++events_;
  }
  void OnMapEnd() override {}

private:
  static bool same(const YAML::Mark& a, const YAML::Mark& b) {
    return a.pos == b.pos && a.line == b.line && a.column == b.column;
  }

  std::string_view text_;
  std::size_t events_ = 0;
  bool empty_ = false, had_empty_ = false;
  YAML::Mark empty_at_ = YAML::Mark::null_mark(), previous_empty_ = YAML::Mark::null_mark();
};

YamlParseResult parse_yaml(std::string_view text, const std::string& file,
                           const YamlLimits& limits) {
  YamlParseResult result;
  if (text.size() > limits.max_bytes) {
    result.problem =
        Diagnostic{"deploy-file-skipped",
                   {file, 0, 0},
                   "YAML file of " + std::to_string(text.size()) + " bytes, over the " +
                       std::to_string(limits.max_bytes) + "-byte limit: not audited"};
    return result;
  }
  if (text.find('\0') != std::string_view::npos) {
    result.problem = Diagnostic{"deploy-file-skipped",
                                {file, 0, 0},
                                "holds NUL bytes, so it is not YAML text: not audited"};
    return result;
  }
  std::vector<YAML::Node> docs;
  try {
    ProgressCheck(text).run();
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    Location tmpl = first_template_action(text, file);
    if (tmpl.line > 0) {
      result.problem = Diagnostic{"deploy-file-skipped", tmpl,
                                  "template (`{{ }}`) that is not plain YAML, e.g. a Helm "
                                  "template: not audited"};
    } else {
      result.problem =
          Diagnostic{"deploy-parse-error", to_location(file, e.mark), "not valid YAML: " + e.msg};
    }
    return result;
  } catch (const std::exception& e) {
    result.problem =
        Diagnostic{"deploy-parse-error", {file, 0, 0}, std::string("not valid YAML: ") + e.what()};
    return result;
  }
  Converter converter(file, limits);
  for (const YAML::Node& doc : docs) {
    YamlNode node;
    bool ok = false;
    try {
      ok = converter.convert(doc, node, 0);
    } catch (const std::exception& e) {
      result.documents.clear();
      result.problem = Diagnostic{
          "deploy-parse-error", {file, 0, 0}, std::string("not valid YAML: ") + e.what()};
      return result;
    }
    if (!ok) {
      result.documents.clear();
      result.problem = Diagnostic{"deploy-file-skipped", to_location(file, doc.Mark()),
                                  "YAML that " + converter.reason() + ": not audited"};
      return result;
    }
    result.documents.push_back(std::move(node));
  }
  return result;
}

} // namespace otelaudit::deploy
