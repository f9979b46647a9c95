#include "model/deploy/yaml.h"

#include <yaml.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <iterator>
#include <limits>
#include <new>
#include <unordered_map>

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

/// What the limits count of a value: its nodes (an alias's target again at each use), the
/// levels below it and the bytes of its scalars. Only values count: a scalar key is part of
/// its entry, a complex key counts as one node and its value not at all (neither is read).
struct Cost {
  std::size_t nodes = 0;
  std::size_t bytes = 0;
  int height = 0;
};

constexpr std::size_t kHuge = std::numeric_limits<std::size_t>::max() / 4;
constexpr int kEndless = std::numeric_limits<int>::max() / 4;

/// An alias of an anchor still being read (an alias inside its own anchor) would expand for
/// ever: as deep as no limit allows.
constexpr Cost kCycle{0, 0, kEndless};

std::size_t add_sat(std::size_t a, std::size_t b) {
  return std::min(a + std::min(b, kHuge), kHuge);
}

void add_child(Cost& parent, const Cost& child) {
  parent.nodes = add_sat(parent.nodes, child.nodes);
  parent.bytes = add_sat(parent.bytes, child.bytes);
  parent.height = std::max(parent.height, std::min(child.height, kEndless - 1) + 1);
}

/// Where byte `offset` of `text` is, the column in characters (libyaml's reader errors give a
/// byte offset, its marks count characters).
Location at_offset(std::string_view text, std::size_t offset, const std::string& file) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  return {file, line, column};
}

/// Turns libyaml's marks into the project's positions. libyaml counts a lone CR, NEL, LS and
/// PS as line breaks (YAML 1.1), the project (and the reports that show the line) only LF.
/// Where the text has none of those, libyaml's line and column are the project's; else a
/// mark's index, which counts the characters before it (a leading byte order mark aside),
/// gives the position by walking the UTF-8 text to it, on from the last one asked since the
/// events come in order. UTF-16 text, which libyaml reads too, keeps libyaml's own count.
class Positions {
public:
  Positions(std::string_view text, const std::string& file) : text_(text), file_(file) {
    utf16_ = text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF");
    start_ = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    byte_ = start_;
    libyaml_counts_ = utf16_ || !other_breaks(text);
  }

  Location at(const yaml_mark_t& m) {
    if (libyaml_counts_)
      return {file_, static_cast<int>(m.line) + 1, static_cast<int>(m.column) + 1};
    walk_to(m);
    return {file_, line_, column_};
  }
  std::string text(const yaml_mark_t& m) {
    Location loc = at(m);
    return "line " + std::to_string(loc.line) + ", column " + std::to_string(loc.column);
  }
  /// The first byte of the character at the mark; '\0' past the end.
  char byte_at(const yaml_mark_t& m) {
    walk_to(m);
    return !utf16_ && byte_ < text_.size() ? text_[byte_] : '\0';
  }

private:
  /// Whether `text` has a line break other than LF and CR LF.
  static bool other_breaks(std::string_view text) {
    for (auto cr = text.find('\r'); cr != std::string_view::npos; cr = text.find('\r', cr + 1))
      if (cr + 1 == text.size() || text[cr + 1] != '\n') return true;
    return text.find("\xC2\x85") != std::string_view::npos ||
           text.find("\xE2\x80\xA8") != std::string_view::npos ||
           text.find("\xE2\x80\xA9") != std::string_view::npos;
  }

  void walk_to(const yaml_mark_t& m) {
    if (utf16_) {
      line_ = static_cast<int>(m.line) + 1;
      column_ = static_cast<int>(m.column) + 1;
      return;
    }
    if (m.index < index_) { // back to a context's start: walk again from the beginning
      byte_ = start_;
      index_ = 0;
      line_ = column_ = 1;
    }
    for (; index_ < m.index && byte_ < text_.size(); ++index_) {
      auto c = static_cast<unsigned char>(text_[byte_]);
      if (c == '\n') {
        ++line_;
        column_ = 1;
      } else {
        ++column_;
      }
      byte_ += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; // libyaml checked the UTF-8
    }
  }

  std::string_view text_;
  const std::string& file_;
  bool utf16_ = false;
  bool libyaml_counts_ = true; // libyaml's line and column are the project's
  std::size_t start_ = 0, byte_ = 0, index_ = 0;
  int line_ = 1, column_ = 1;
};

/// libyaml's error as a located `deploy-parse-error`: its problem, then its context (what it
/// was reading, and where that started when elsewhere).
Diagnostic parse_error(const yaml_parser_t& p, std::string_view text, const std::string& file,
                       Positions& positions) {
  std::string msg = p.problem ? p.problem : "the YAML parser ran out of memory";
  Location loc;
  if (p.error == YAML_READER_ERROR) {
    loc = at_offset(text, p.problem_offset, file);
    if (p.problem_value != -1) {
      char value[16];
      bool octet = msg.find("octet") != std::string::npos;
      std::snprintf(value, sizeof value, octet ? "byte 0x%02X" : "U+%04X",
                    static_cast<unsigned>(p.problem_value));
      msg += std::string(" (") + value + ")";
    }
  } else {
    bool tab = positions.byte_at(p.problem_mark) == '\t';
    loc = positions.at(p.problem_mark);
    if (tab)
      msg += " (a tab, which YAML does not allow in indentation)";
    else if (p.context && p.context_mark.index != p.problem_mark.index)
      msg += std::string(" (") + p.context + " started at " + positions.text(p.context_mark) + ")";
    else if (p.context)
      msg += std::string(" (") + p.context + ")";
  }
  return {"deploy-parse-error", std::move(loc), "not valid YAML: " + msg};
}

/// libyaml's parser and the event it last gave, released on every way out.
class EventParser {
public:
  explicit EventParser(std::string_view text) {
    if (!yaml_parser_initialize(&parser_)) throw std::bad_alloc();
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
  }
  EventParser(const EventParser&) = delete;
  EventParser& operator=(const EventParser&) = delete;
  ~EventParser() {
    release();
    yaml_parser_delete(&parser_);
  }

  /// The next event; false on a syntax error (see parser()).
  bool next() {
    release();
    if (!yaml_parser_parse(&parser_, &event_)) return false;
    has_event_ = true;
    return true;
  }
  const yaml_event_t& event() const { return event_; }
  const yaml_parser_t& parser() const { return parser_; }

private:
  void release() {
    if (has_event_) yaml_event_delete(&event_);
    has_event_ = false;
  }

  yaml_parser_t parser_;
  yaml_event_t event_;
  bool has_event_ = false;
};

std::string_view text_of(const yaml_char_t* s) {
  return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
}

/// Builds the located nodes of every document straight from libyaml's events, in one pass.
///
/// Anchors: an anchored collection is moved into its slot when it ends and the tree keeps a
/// placeholder there, as at each of its aliases; the placeholders are filled with copies
/// when the document ends. A copy at each anchor would make nested anchors quadratic, copies
/// at each alias as they come would expand a bomb before its size is known. The limits are
/// checked as the events come, with each anchor's cost known when it ends: an alias adds its
/// anchor's cost, so a billion-laughs file stops at the alias that crosses the node limit,
/// before anything is copied.
class Reader {
public:
  Reader(std::string_view text, const std::string& file, const YamlLimits& limits)
      : text_(text), file_(file), limits_(limits), positions_(text, file) {}

  YamlParseResult run() {
    YamlParseResult result;
    EventParser events(text_);
    while (true) {
      if (!events.next()) {
        result.problem = parse_error(events.parser(), text_, file_, positions_);
        return result;
      }
      const yaml_event_t& e = events.event();
      switch (e.type) {
      case YAML_STREAM_END_EVENT:
        result.documents = std::move(documents_);
        return result;
      case YAML_DOCUMENT_START_EVENT:
        anchors_.clear();
        anchor_slot_.clear();
        has_root_ = false;
        break;
      case YAML_DOCUMENT_END_EVENT:
        if (has_root_) {
          if (!anchors_.empty() && !fill(root_, 0)) break;
          documents_.push_back(std::move(root_));
        }
        root_ = YamlNode();
        break;
      case YAML_SCALAR_EVENT:
        on_scalar(e);
        break;
      case YAML_ALIAS_EVENT:
        on_alias(e);
        break;
      case YAML_SEQUENCE_START_EVENT:
        on_start(e, YamlNode::Kind::sequence, e.data.sequence_start.anchor);
        break;
      case YAML_MAPPING_START_EVENT:
        on_start(e, YamlNode::Kind::map, e.data.mapping_start.anchor);
        break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        on_end();
        break;
      default:
        break;
      }
      if (problem_) {
        result.problem = std::move(problem_);
        return result;
      }
    }
  }

private:
  enum class KeyKind { plain, merge, complex };

  /// A collection being read.
  struct Frame {
    YamlNode node;         // its items and entries wait in items_ and entries_ until it ends
    std::size_t first = 0; // where they start there
    Cost cost;
    int anchor = -1;      // the slot it fills when it ends
    bool counted = true;  // false inside a complex key or its value: neither is ever read
    bool is_key = false;  // a complex key: dropped when it ends
    bool has_key = false; // a map whose key waits for its value
    KeyKind key_kind = KeyKind::plain;
    std::string key;
    Location key_loc;
    std::vector<YamlNode> merges; // `<<` values, applied when the map ends
  };

  /// An anchored value; a collection's content lives here while its document is read.
  struct Anchor {
    YamlNode node;
    Cost cost = kCycle; // until it ends, an alias of it is an alias inside itself
    bool complete = false;
  };

  // A placeholder for an anchored collection: a null, which is otherwise always plain,
  // marked not plain, with its slot in the column.
  static YamlNode placeholder(int slot) {
    YamlNode n;
    n.plain = false;
    n.loc.column = slot;
    return n;
  }
  static bool is_placeholder(const YamlNode& n) {
    return n.kind == YamlNode::Kind::null && !n.plain;
  }
  const YamlNode& resolve(const YamlNode& n) const {
    return is_placeholder(n) ? anchors_[static_cast<std::size_t>(n.loc.column)].node : n;
  }

  bool fail(std::string why) {
    problem_ = Diagnostic{"deploy-file-skipped", root_loc_, "YAML that " + why + ": not audited"};
    return false;
  }
  bool too_many_nodes() {
    return fail("expands to more than " + std::to_string(limits_.max_nodes) +
                " nodes once aliases are resolved");
  }
  bool too_deep() {
    return fail("nests deeper than " + std::to_string(limits_.max_depth) +
                " levels once aliases are resolved");
  }

  /// Counts a value at `depth` against the limits, checked in the order a node-by-node walk
  /// meets them: nodes, depth, text.
  bool charge(const Cost& c, int depth) {
    if (add_sat(nodes_, c.nodes) > limits_.max_nodes) return too_many_nodes();
    if (depth + std::min(c.height, kEndless) > limits_.max_depth) return too_deep();
    if (add_sat(bytes_, c.bytes) > limits_.max_scalar_bytes)
      return fail("holds more than " + std::to_string(limits_.max_scalar_bytes) +
                  " bytes of text once aliases are resolved");
    nodes_ = add_sat(nodes_, c.nodes);
    bytes_ = add_sat(bytes_, c.bytes);
    return true;
  }

  int depth() const { return static_cast<int>(frames_.size()); }
  bool at_key() const {
    return !frames_.empty() && frames_.back().node.is_map() && !frames_.back().has_key;
  }
  /// Whether a value read now is counted (and kept).
  bool value_counted() const {
    if (frames_.empty()) return true;
    const Frame& f = frames_.back();
    return f.counted && !(f.node.is_map() && f.key_kind == KeyKind::complex);
  }

  void set_key(KeyKind kind, std::string key, Location loc) {
    Frame& f = frames_.back();
    f.has_key = true;
    f.key_kind = kind;
    f.key = std::move(key);
    f.key_loc = std::move(loc);
  }
  /// A collection as a key names nothing a deployment rule looks for: one node, not read.
  bool complex_key() {
    Frame& f = frames_.back();
    if (f.counted) {
      if (add_sat(nodes_, 1) > limits_.max_nodes) return too_many_nodes();
      ++nodes_;
      f.cost.nodes = add_sat(f.cost.nodes, 1);
    }
    set_key(KeyKind::complex, {}, {});
    return true;
  }
  void key_from(YamlNode n) {
    if (n.is_map() || n.is_seq()) {
      complex_key();
      return;
    }
    bool merge = n.is_scalar() && n.plain && n.scalar == "<<"; // a quoted "<<" is a key
    set_key(merge ? KeyKind::merge : KeyKind::plain, std::move(n.scalar), std::move(n.loc));
  }

  int define(const yaml_char_t* name) {
    anchors_.emplace_back();
    int slot = static_cast<int>(anchors_.size() - 1);
    anchor_slot_[std::string(text_of(name))] = slot;
    return slot;
  }

  /// Hands a finished value to the collection it belongs to, or makes it the document.
  void deliver(YamlNode&& n, const Cost& c) {
    if (frames_.empty()) {
      root_ = std::move(n);
      has_root_ = true;
      return;
    }
    Frame& f = frames_.back();
    if (f.node.is_seq()) {
      items_.push_back(std::move(n));
      add_child(f.cost, c);
      return;
    }
    switch (f.key_kind) {
    case KeyKind::complex:
      break;
    case KeyKind::merge:
      f.merges.push_back(std::move(n));
      add_child(f.cost, c);
      break;
    case KeyKind::plain:
      entries_.push_back({std::move(f.key), std::move(f.key_loc), std::move(n)});
      add_child(f.cost, c);
      break;
    }
    f.has_key = false;
    f.key_kind = KeyKind::plain;
  }

  void on_scalar(const yaml_event_t& e) {
    const auto& s = e.data.scalar;
    YamlNode n;
    n.loc = positions_.at(e.start_mark);
    std::string_view value(reinterpret_cast<const char*>(s.value), s.length);
    // Not plain: written quoted or as a block, or tagged with the non-specific "!" (the tag
    // YAML gives such scalars); another explicit tag counts as plain. Untagged, a plain null
    // word (or nothing) is a null.
    std::string_view tag = text_of(s.tag);
    n.plain = s.tag ? tag != "!" : s.style == YAML_PLAIN_SCALAR_STYLE;
    bool null =
        !s.tag && s.style == YAML_PLAIN_SCALAR_STYLE &&
        (value.empty() || value == "~" || value == "null" || value == "Null" || value == "NULL");
    if (!null) {
      n.kind = YamlNode::Kind::scalar;
      n.scalar = std::string(value);
    } else {
      n.plain = true;
    }
    Cost c{1, n.scalar.size(), 0};
    if (at_key()) {
      if (s.anchor) {
        int slot = define(s.anchor);
        anchors_[slot] = {n, c, true};
      }
      key_from(std::move(n));
      return;
    }
    if (frames_.empty()) root_loc_ = n.loc;
    if (value_counted() && !charge(c, depth())) return;
    if (s.anchor) {
      int slot = define(s.anchor);
      anchors_[slot] = {n, c, true};
    }
    deliver(std::move(n), c);
  }

  void on_alias(const yaml_event_t& e) {
    std::string_view name = text_of(e.data.alias.anchor);
    auto it = anchor_slot_.find(std::string(name));
    if (it == anchor_slot_.end()) {
      problem_ = Diagnostic{"deploy-parse-error", positions_.at(e.start_mark),
                            "not valid YAML: found undefined alias *" + std::string(name)};
      return;
    }
    int slot = it->second;
    const Anchor& a = anchors_[slot];
    if (at_key()) {
      if (!a.complete) { // the collection it names is still open
        complex_key();
        return;
      }
      key_from(a.node);
      return;
    }
    if (frames_.empty()) root_loc_ = positions_.at(e.start_mark);
    Cost c = a.cost;
    if (value_counted() && !charge(c, depth())) return;
    bool collection = !a.complete || a.node.is_map() || a.node.is_seq();
    deliver(collection ? placeholder(slot) : YamlNode(a.node), c);
  }

  void on_start(const yaml_event_t& e, YamlNode::Kind kind, const yaml_char_t* anchor) {
    Location loc = positions_.at(e.start_mark);
    bool key = at_key(), counted = !key && value_counted();
    if (key) {
      if (!complex_key()) return;
    } else {
      if (frames_.empty()) root_loc_ = loc;
      if (counted && !charge({1, 0, 0}, depth())) return;
    }
    // Nesting is bounded in what is not read too: libyaml's stacks and ours grow with it.
    if (!counted && depth() > limits_.max_depth) {
      too_deep();
      return;
    }
    Frame& f = frames_.emplace_back();
    f.node.kind = kind;
    f.node.loc = std::move(loc);
    f.first = kind == YamlNode::Kind::sequence ? items_.size() : entries_.size();
    f.counted = counted;
    f.is_key = key;
    f.cost = {1, 0, 0};
    if (anchor) f.anchor = define(anchor);
  }

  void on_end() {
    Frame& f = frames_.back();
    // Moved into place at once: one allocation of the right size, no growth.
    if (f.node.is_seq()) {
      auto first = items_.begin() + static_cast<std::ptrdiff_t>(f.first);
      f.node.items.assign(std::make_move_iterator(first), std::make_move_iterator(items_.end()));
      items_.erase(first, items_.end());
    } else {
      auto first = entries_.begin() + static_cast<std::ptrdiff_t>(f.first);
      f.node.entries.assign(std::make_move_iterator(first),
                            std::make_move_iterator(entries_.end()));
      entries_.erase(first, entries_.end());
      merge(f);
    }
    YamlNode n;
    if (f.anchor >= 0) {
      anchors_[static_cast<std::size_t>(f.anchor)] = {std::move(f.node), f.cost, true};
      n = placeholder(f.anchor);
    } else {
      n = std::move(f.node);
    }
    Cost cost = f.cost;
    bool is_key = f.is_key;
    frames_.pop_back();
    if (!is_key) deliver(std::move(n), cost);
  }

  /// `<<` merge keys: the entries of the merged maps (one map or a sequence of maps) that the
  /// map does not have. Keys written in the map win over merged ones, an earlier merged map
  /// over a later one.
  void merge(Frame& f) {
    for (const YamlNode& m : f.merges) {
      const YamlNode& value = resolve(m);
      std::vector<const YamlNode*> sources;
      if (value.is_map()) sources.push_back(&value);
      for (const YamlNode& item : value.items)
        if (const YamlNode& src = resolve(item); src.is_map()) sources.push_back(&src);
      for (const YamlNode* src : sources)
        for (const YamlEntry& e : src->entries)
          if (!f.node.find_entry(e.key)) f.node.entries.push_back(e);
    }
  }

  /// Replaces the placeholders under `n` with copies of their anchors. The limits were
  /// checked as the aliases came, so the copies stay within them; the depth bound only
  /// guards against a cycle that would have slipped through.
  bool fill(YamlNode& n, int level) {
    if (level > 2 * limits_.max_depth + 2) return too_deep();
    if (is_placeholder(n)) n = anchors_[static_cast<std::size_t>(n.loc.column)].node;
    for (YamlNode& item : n.items)
      if (!fill(item, level + 1)) return false;
    for (YamlEntry& e : n.entries)
      if (!fill(e.value, level + 1)) return false;
    return true;
  }

  std::string_view text_;
  const std::string& file_;
  const YamlLimits& limits_;
  Positions positions_;
  std::vector<YamlNode> documents_;
  std::vector<Frame> frames_;
  std::vector<YamlNode> items_;    // the items of the open sequences, innermost last
  std::vector<YamlEntry> entries_; // the entries of the open maps, innermost last
  YamlNode root_;
  bool has_root_ = false;
  Location root_loc_;
  std::vector<Anchor> anchors_;                      // this document's, by slot
  std::unordered_map<std::string, int> anchor_slot_; // the latest slot of each name
  std::size_t nodes_ = 0, bytes_ = 0;                // the whole file's, as counted
  std::optional<Diagnostic> problem_;
};

} // namespace

Location first_template_action(std::string_view text, const std::string& file) {
  auto at = text.find("{{");
  if (at == std::string_view::npos) return {file, 0, 0};
  return at_offset(text, at, file);
}

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
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    result.problem = Diagnostic{"deploy-file-skipped", at_offset(text, nul, file),
                                "holds NUL bytes, so it is not YAML text: not audited"};
    return result;
  }
  try {
    result = Reader(text, file, limits).run();
  } catch (const std::exception& e) {
    result = YamlParseResult();
    result.problem =
        Diagnostic{"deploy-parse-error", {file, 0, 0}, std::string("not valid YAML: ") + e.what()};
  }
  if (result.problem) {
    result.documents.clear();
    if (result.problem->rule == "deploy-parse-error") {
      Location tmpl = first_template_action(text, file);
      if (tmpl.line > 0)
        result.problem = Diagnostic{"deploy-file-skipped", tmpl,
                                    "template (`{{ }}`) that is not plain YAML, e.g. a Helm "
                                    "template: not audited"};
    }
  }
  return result;
}

} // namespace otelaudit::deploy
