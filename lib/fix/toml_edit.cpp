#include "fix/toml_edit.h"

#include <algorithm>
#include <tuple>

namespace otelaudit::fix {

namespace {

using Path = std::vector<std::string>;

/// One `key = value` with the full key path it assigns (table header, enclosing inline tables
/// and its own dotted key).
struct Assignment {
  Path full;
  const KeyValue* kv = nullptr;
  const Table* table = nullptr;
  const Value* parent = nullptr; // the inline table holding it; nullptr at a table's top level
  std::size_t base = 0;          // how much of `full` comes before the kv's own key
};

void flatten(const KeyValue& kv, const Path& prefix, const Table& table, const Value* parent,
             std::vector<Assignment>& out) {
  Assignment a;
  a.full = prefix;
  for (const KeyPart& p : kv.key)
    a.full.push_back(p.name);
  a.kv = &kv;
  a.table = &table;
  a.parent = parent;
  a.base = prefix.size();
  out.push_back(a);
  if (kv.value.kind == Value::Kind::table)
    for (const KeyValue& sub : kv.value.entries)
      flatten(sub, a.full, table, &kv.value, out); // a copy: `out` grows while recursing
}

std::vector<Assignment> assignments(const Document& doc) {
  std::vector<Assignment> out;
  for (const Table& t : doc.tables) {
    Path header;
    for (const KeyPart& p : t.header)
      header.push_back(p.name);
    for (const KeyValue& kv : t.entries)
      flatten(kv, header, t, nullptr, out);
  }
  return out;
}

bool starts_with(const Path& full, const Path& prefix) {
  return full.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), full.begin());
}

Path header_path(const Table& t) {
  Path out;
  for (const KeyPart& p : t.header)
    out.push_back(p.name);
  return out;
}

/// Where one dependency entry is written.
struct Entry {
  const Assignment* node = nullptr;      // `x = "1"` or `x = { … }`
  const Table* table = nullptr;          // [dependencies.x]
  std::vector<const Assignment*> fields; // every `version`, `features`, … of the entry
  std::vector<const Assignment*> below;  // every assignment under the entry's path
  std::vector<const Table*> tables;      // every header under the entry's path

  // `x.a.b = 1` alone still declares the entry x (a table whose field `a` Cargo ignores).
  bool found() const { return node || table || !below.empty(); }
  const Assignment* field(std::string_view name) const {
    for (const Assignment* a : fields)
      if (a->full.back() == name) return a;
    return nullptr;
  }
};

Entry locate(const Document& doc, const std::vector<Assignment>& all, const Path& path) {
  Entry e;
  for (const Assignment& a : all) {
    if (!starts_with(a.full, path)) continue;
    if (a.full.size() == path.size())
      e.node = &a;
    else
      e.below.push_back(&a);
    if (a.full.size() == path.size() + 1) e.fields.push_back(&a);
  }
  for (const Table& t : doc.tables) {
    if (t.root || t.array) continue;
    const Path h = header_path(t);
    if (!starts_with(h, path)) continue;
    e.tables.push_back(&t);
    if (h.size() == path.size()) e.table = &t;
  }
  return e;
}

std::size_t line_start(std::string_view text, std::size_t at) {
  const std::size_t nl = at == 0 ? std::string_view::npos : text.rfind('\n', at - 1);
  return nl == std::string_view::npos ? 0 : nl + 1;
}

bool has_newline(std::string_view text, std::size_t from, std::size_t to) {
  return text.substr(from, to - from).find('\n') != std::string_view::npos;
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

/// A string value's text in `quote` style when it can hold `s`, else a basic string.
std::string string_text(std::string_view s, char quote) {
  if (quote == '\'' && s.find('\'') == std::string_view::npos &&
      s.find('\n') == std::string_view::npos)
    return "'" + std::string(s) + "'";
  return basic_string(s);
}

/// The quote the array's strings are written with (a basic string when it has none).
char array_quote(const Value& arr) {
  for (const Value& v : arr.items)
    if (v.kind == Value::Kind::string && !v.multiline) return v.quote;
  return '"';
}

std::string list_text(const std::vector<std::string>& items, char quote) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i ? ", " : "") + string_text(items[i], quote);
  return out + "]";
}

class Editor {
public:
  Editor(std::string_view text, const Document& doc, std::vector<TextEdit>& out)
      : text_(text), doc_(doc), out_(out), all_(assignments(doc)) {}

  bool run(const EntryChange& change, std::string& error) {
    const Entry e = locate(doc_, all_, change.path);
    if (!e.found()) return fail(error, "no entry is written at " + dotted(change.path));
    if (e.node && e.node->kv->value.kind != Value::Kind::string &&
        e.node->kv->value.kind != Value::Kind::table)
      return fail(error, dotted(change.path) + " is neither a string nor a table");
    if (change.remove) return remove_entry(e, error);

    std::optional<std::vector<std::string>> features = change.set_features;
    if (change.rename && !rename(e, change.path, *change.rename, error)) return false;
    if (change.drop_package)
      if (const Assignment* p = e.field("package"); p && !remove_field(*p, error)) return false;

    // A string entry that gains fields becomes an inline table, in one edit.
    const bool string_node = e.node && e.node->kv->value.kind == Value::Kind::string;
    std::vector<std::string> added = change.add_features;
    if (string_node && (!added.empty() || (features && !features->empty()))) {
      const Value& v = e.node->kv->value;
      std::string version =
          change.version ? string_text(*change.version, v.quote) : std::string(span_text(v.span));
      std::vector<std::string> list = features ? *features : added;
      out_.push_back(
          {v.span.begin, v.span.end,
           "{ version = " + version + ", features = " + list_text(list, v.quote) + " }"});
      return true;
    }
    if (change.version && !set_version(e, *change.version, error)) return false;
    const Assignment* fa = e.field("features");
    if (fa && fa->kv->value.kind != Value::Kind::array)
      return fail(error, "the features of " + dotted(change.path) + " are not an array");
    if (features) {
      if (features->empty()) return fa ? remove_field(*fa, error) : true;
      if (fa) {
        const Value& arr = fa->kv->value;
        out_.push_back({arr.span.begin, arr.span.end, list_text(*features, array_quote(arr))});
        return true;
      }
      return add_field(e, change.path, "features", list_text(*features, '"'), error);
    }
    if (!change.remove_features.empty()) {
      if (!fa) return fail(error, dotted(change.path) + " has no features to remove");
      const Value& arr = fa->kv->value;
      auto removed = [&](const std::string& f) {
        return std::find(change.remove_features.begin(), change.remove_features.end(), f) !=
               change.remove_features.end();
      };
      std::erase_if(added, [&](const std::string& f) {
        return !removed(f) && std::any_of(arr.items.begin(), arr.items.end(),
                                          [&](const Value& v) { return v.str == f; });
      });
      if (added.empty()) return remove_items(arr, change.remove_features, error);
      // Removed and added in one array: one edit, the array written again on one line from
      // the kept elements' own text and the new ones (two edits of it would overlap).
      if (std::none_of(arr.items.begin(), arr.items.end(),
                       [&](const Value& v) { return removed(v.str); }))
        return fail(error, "none of the features to remove is listed");
      std::string list;
      for (const Value& v : arr.items)
        if (!removed(v.str)) list += (list.empty() ? "" : ", ") + std::string(span_text(v.span));
      for (const std::string& f : added)
        list += (list.empty() ? "" : ", ") + string_text(f, array_quote(arr));
      out_.push_back({arr.span.begin, arr.span.end, "[" + list + "]"});
      return true;
    }
    if (fa)
      std::erase_if(added, [&](const std::string& f) {
        return std::any_of(fa->kv->value.items.begin(), fa->kv->value.items.end(),
                           [&](const Value& v) { return v.str == f; });
      });
    if (added.empty()) return true;
    if (fa) return add_items(fa->kv->value, added);
    return add_field(e, change.path, "features", list_text(added, '"'), error);
  }

private:
  static bool fail(std::string& error, std::string what) {
    error = std::move(what);
    return false;
  }

  static std::string dotted(const Path& path) {
    std::string out;
    for (const std::string& p : path)
      out += (out.empty() ? "" : ".") + key_text(p);
    return out;
  }

  std::string_view span_text(Span s) const { return text_.substr(s.begin, s.end - s.begin); }

  bool set_version(const Entry& e, const std::string& version, std::string& error) {
    const Value* v = nullptr;
    if (e.node && e.node->kv->value.kind == Value::Kind::string)
      v = &e.node->kv->value;
    else if (const Assignment* f = e.field("version"))
      v = &f->kv->value;
    if (!v || v->kind != Value::Kind::string)
      return fail(error, "no version requirement is written for the entry");
    out_.push_back(
        {v->span.begin, v->span.end, string_text(version, v->multiline ? '"' : v->quote)});
    return true;
  }

  // Every place the entry's own key is written: its line, its dotted fields, its headers.
  bool rename(const Entry& e, const Path& path, const std::string& name, std::string& error) {
    const std::size_t index = path.size() - 1;
    std::vector<const Assignment*> written = e.below;
    if (e.node) written.push_back(e.node);
    for (const Assignment* a : written)
      if (index >= a->base) {
        const KeyPart& part = a->kv->key[index - a->base];
        out_.push_back({part.span.begin, part.span.end, key_text(name)});
      }
    for (const Table* t : e.tables) {
      const KeyPart& part = t->header[index];
      out_.push_back({part.span.begin, part.span.end, key_text(name)});
    }
    (void)error;
    return true;
  }

  // A new `name = value` for the entry, in the entry's own form.
  bool add_field(const Entry& e, const Path& path, const std::string& name,
                 const std::string& value, std::string& error) {
    const std::string field = key_text(name) + " = " + value;
    if (e.node) {
      const Value& v = e.node->kv->value;
      if (v.entries.empty()) {
        out_.push_back({v.span.begin, v.span.end, "{ " + field + " }"});
      } else {
        out_.push_back(
            {v.entries.back().value.span.end, v.entries.back().value.span.end, ", " + field});
      }
      return true;
    }
    if (e.table) {
      // After the table's last entry, indented as it is.
      std::size_t at = e.table->line_end;
      std::string indent;
      if (!e.table->entries.empty()) {
        const KeyValue& last = e.table->entries.back();
        at = last.line_end;
        const std::size_t begin = last.line_begin;
        const std::string_view lead = text_.substr(begin, last.key.front().span.begin - begin);
        if (blank(lead)) indent = std::string(lead);
      }
      insert_line(at, indent + field);
      return true;
    }
    // Dotted fields (`x.version = "1"`): one more line like the last of them.
    const Assignment* last = nullptr;
    for (const Assignment* a : e.fields)
      if (!last || a->kv->line_end > last->kv->line_end) last = a;
    if (!last || last->parent || path.size() < last->base + 1)
      return fail(error, "cannot add a field to " + dotted(path) + " as it is written");
    const KeyValue& kv = *last->kv;
    const std::size_t field_part = path.size() - last->base;
    const std::string_view lead =
        text_.substr(kv.line_begin, kv.key[field_part].span.begin - kv.line_begin);
    insert_line(kv.line_end, std::string(lead) + field);
    return true;
  }

  void insert_line(std::size_t at, const std::string& line) {
    if (at >= text_.size() && !text_.empty() && text_.back() != '\n')
      out_.push_back({text_.size(), text_.size(), doc_.newline + line});
    else
      out_.push_back({at, at, line + doc_.newline});
  }

  bool remove_field(const Assignment& a, std::string& error) {
    if (!a.parent) {
      out_.push_back({a.kv->line_begin, a.kv->line_end, ""});
      return true;
    }
    const std::vector<KeyValue>& entries = a.parent->entries;
    std::size_t j = 0;
    while (j < entries.size() && &entries[j] != a.kv)
      ++j;
    if (j == entries.size()) return fail(error, "an inline table entry could not be found");
    const Span own{entries[j].key.front().span.begin, entries[j].value.span.end};
    if (entries.size() == 1) {
      out_.push_back({a.parent->span.begin, a.parent->span.end, "{}"});
    } else if (j + 1 < entries.size()) {
      out_.push_back({own.begin, entries[j + 1].key.front().span.begin, ""});
    } else {
      out_.push_back({entries[j - 1].value.span.end, own.end, ""});
    }
    return true;
  }

  // The entry's line, or every table and line written under its path.
  bool remove_entry(const Entry& e, std::string& error) {
    if (e.node) return remove_field(*e.node, error);
    for (const Table* t : e.tables)
      out_.push_back(
          {t->line_begin, t->entries.empty() ? t->line_end : t->entries.back().line_end, ""});
    for (const Assignment* a : e.below)
      if (!a->parent && std::find(e.tables.begin(), e.tables.end(), a->table) == e.tables.end())
        out_.push_back({a->kv->line_begin, a->kv->line_end, ""});
    return true;
  }

  bool add_items(const Value& arr, const std::vector<std::string>& names) {
    const char quote = array_quote(arr);
    if (arr.items.empty()) {
      out_.push_back({arr.span.begin, arr.span.end, list_text(names, quote)});
      return true;
    }
    const Value& last = arr.items.back();
    auto inline_items = [&] {
      std::string s;
      for (const std::string& n : names)
        s += ", " + string_text(n, quote);
      out_.push_back({last.span.end, last.span.end, s});
      return true;
    };
    if (!has_newline(text_, arr.span.begin, arr.span.end)) return inline_items();
    // A multi-line array with one element per line gets one line per new element, indented
    // and separated as its last element is.
    const bool shares_line =
        arr.items.size() >= 2 &&
        !has_newline(text_, arr.items[arr.items.size() - 2].span.end, last.span.begin);
    std::size_t j = last.span.end;
    while (j < text_.size() && (text_[j] == ' ' || text_[j] == '\t'))
      ++j;
    const bool comma = j < text_.size() && text_[j] == ',';
    std::size_t k = comma ? j + 1 : j;
    while (k < text_.size() && (text_[k] == ' ' || text_[k] == '\t'))
      ++k;
    const bool closes_here = k < text_.size() && text_[k] == ']';
    const std::size_t begin = line_start(text_, last.span.begin);
    const std::string_view indent = text_.substr(begin, last.span.begin - begin);
    const std::size_t eol = text_.find('\n', last.span.end);
    if (shares_line || closes_here || !blank(indent) || eol == std::string_view::npos ||
        eol > arr.span.end)
      return inline_items();
    std::string lines;
    for (std::size_t i = 0; i < names.size(); ++i)
      lines += std::string(indent) + string_text(names[i], quote) +
               (comma || i + 1 < names.size() ? "," : "") + doc_.newline;
    if (!comma) out_.push_back({last.span.end, last.span.end, ","});
    out_.push_back({eol + 1, eol + 1, lines});
    return true;
  }

  bool remove_items(const Value& arr, const std::vector<std::string>& names, std::string& error) {
    std::vector<std::size_t> gone;
    for (std::size_t i = 0; i < arr.items.size(); ++i)
      if (std::find(names.begin(), names.end(), arr.items[i].str) != names.end()) gone.push_back(i);
    if (gone.empty()) return fail(error, "none of the features to remove is listed");
    // Elements alone on their lines go with their lines; otherwise the array is rewritten on
    // one line from the kept elements' own text.
    bool by_line = has_newline(text_, arr.span.begin, arr.span.end);
    for (std::size_t i : gone) {
      const Span s = arr.items[i].span;
      const std::size_t begin = line_start(text_, s.begin);
      const bool prev_on_line = i > 0 && !has_newline(text_, arr.items[i - 1].span.end, s.begin);
      const bool next_on_line =
          i + 1 < arr.items.size() && !has_newline(text_, s.end, arr.items[i + 1].span.begin);
      const std::size_t eol = text_.find('\n', s.end);
      by_line = by_line && blank(text_.substr(begin, s.begin - begin)) && !prev_on_line &&
                !next_on_line && eol != std::string_view::npos && eol < arr.span.end;
    }
    if (by_line) {
      for (std::size_t i : gone) {
        const Span s = arr.items[i].span;
        out_.push_back({line_start(text_, s.begin), text_.find('\n', s.end) + 1, ""});
      }
      return true;
    }
    std::string kept = "[";
    bool first = true;
    for (std::size_t i = 0; i < arr.items.size(); ++i) {
      if (std::find(gone.begin(), gone.end(), i) != gone.end()) continue;
      kept += (first ? "" : ", ") + std::string(span_text(arr.items[i].span));
      first = false;
    }
    out_.push_back({arr.span.begin, arr.span.end, kept + "]"});
    return true;
  }

  std::string_view text_;
  const Document& doc_;
  std::vector<TextEdit>& out_;
  std::vector<Assignment> all_;
};

} // namespace

std::optional<std::string> apply_edits(std::string_view text, std::vector<TextEdit> edits) {
  std::stable_sort(edits.begin(), edits.end(), [](const TextEdit& a, const TextEdit& b) {
    return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
  });
  std::string out;
  std::size_t at = 0;
  for (const TextEdit& e : edits) {
    if (e.begin < at || e.end < e.begin || e.end > text.size()) return std::nullopt;
    out.append(text.substr(at, e.begin - at));
    out += e.text;
    at = e.end;
  }
  out.append(text.substr(at));
  return out;
}

bool has_entry(const Document& doc, const std::vector<std::string>& path) {
  return locate(doc, assignments(doc), path).found();
}

bool named_by_features(const Document& doc, std::string_view key) {
  const std::string k(key);
  for (const Assignment& a : assignments(doc)) {
    if (a.full.size() != 2 || a.full[0] != "features" || a.kv->value.kind != Value::Kind::array)
      continue;
    for (const Value& v : a.kv->value.items)
      if (v.str == k || v.str == "dep:" + k || v.str.starts_with(k + "/") ||
          v.str.starts_with(k + "?/"))
        return true;
  }
  return false;
}

bool entry_edits(std::string_view text, const Document& doc, const EntryChange& change,
                 std::vector<TextEdit>& out, std::string& error) {
  std::vector<TextEdit> edits;
  if (!Editor(text, doc, edits).run(change, error)) return false;
  out.insert(out.end(), edits.begin(), edits.end());
  return true;
}

} // namespace otelaudit::fix
