#include "fix/toml_spans.h"

#include <string>

#include "common/utf8.h"

namespace otelaudit::fix {

namespace {

/// Why reading stopped, at which byte.
struct ReadError {
  std::size_t at;
  std::string what;
};

bool bare_key_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Nesting beyond this is refused: arrays and inline tables recurse, and untrusted text must
// not exhaust the stack.
constexpr int kMaxDepth = 200;

class Reader {
public:
  explicit Reader(std::string_view text) : t_(text) {}

  Document document() {
    Document doc;
    if (t_.starts_with("\xEF\xBB\xBF")) i_ = 3;
    if (auto nl = t_.find('\n'); nl != std::string_view::npos && nl > 0 && t_[nl - 1] == '\r')
      doc.newline = "\r\n";
    Table root;
    root.root = true;
    doc.tables.push_back(std::move(root));
    while (i_ < t_.size()) {
      const std::size_t line_begin = i_;
      skip_ws();
      if (at_newline() || at('#') || eof()) {
        end_of_line();
        continue;
      }
      if (at('[')) {
        doc.tables.push_back(header(line_begin));
        continue;
      }
      KeyValue kv = key_value(line_begin, 0);
      kv.line_end = end_of_line();
      doc.tables.back().entries.push_back(std::move(kv));
    }
    return doc;
  }

private:
  bool eof() const { return i_ >= t_.size(); }
  bool at(char c) const { return i_ < t_.size() && t_[i_] == c; }
  bool at(std::string_view s) const { return t_.substr(i_).starts_with(s); }
  bool at_newline() const { return at('\n') || at("\r\n"); }

  [[noreturn]] void fail(std::string what) const { throw ReadError{i_, std::move(what)}; }

  void skip_ws() {
    while (at(' ') || at('\t'))
      ++i_;
  }

  // White space, comments and newlines: what may sit between array elements.
  void skip_blank() {
    while (true) {
      skip_ws();
      if (at('#')) {
        comment();
      } else if (at('\n')) {
        ++i_;
      } else if (at("\r\n")) {
        i_ += 2;
      } else {
        return;
      }
    }
  }

  void comment() {
    while (!eof() && !at_newline()) {
      if (t_[i_] == '\r') fail("a carriage return not followed by a newline");
      ++i_;
    }
  }

  // After a value or header: white space, a comment, then the newline (or the end of the
  // text). Returns the offset just after it.
  std::size_t end_of_line() {
    skip_ws();
    if (at('#')) comment();
    if (at('\n')) {
      ++i_;
    } else if (at("\r\n")) {
      i_ += 2;
    } else if (!eof()) {
      fail("expected the end of the line");
    }
    return i_;
  }

  Table header(std::size_t line_begin) {
    Table table;
    table.line_begin = line_begin;
    ++i_;
    if (at('[')) {
      table.array = true;
      ++i_;
    }
    skip_ws();
    table.header = key();
    skip_ws();
    if (!at(']')) fail("expected ']' after the table name");
    ++i_;
    if (table.array) {
      if (!at(']')) fail("expected ']]' after the table name");
      ++i_;
    }
    table.line_end = end_of_line();
    return table;
  }

  std::vector<KeyPart> key() {
    std::vector<KeyPart> parts;
    while (true) {
      parts.push_back(key_part());
      skip_ws();
      if (!at('.')) return parts;
      ++i_;
      skip_ws();
    }
  }

  KeyPart key_part() {
    KeyPart part;
    part.span.begin = i_;
    if (at('"') && !at("\"\"\"")) {
      part.name = basic(false);
    } else if (at('\'') && !at("'''")) {
      part.name = literal(false);
    } else {
      while (!eof() && bare_key_char(t_[i_]))
        ++i_;
      if (i_ == part.span.begin) fail("expected a key");
      part.name = std::string(t_.substr(part.span.begin, i_ - part.span.begin));
    }
    part.span.end = i_;
    return part;
  }

  KeyValue key_value(std::size_t line_begin, int depth) {
    KeyValue kv;
    kv.line_begin = line_begin;
    kv.key = key();
    skip_ws();
    if (!at('=')) fail("expected '=' after a key");
    ++i_;
    skip_ws();
    kv.value = value(depth);
    return kv;
  }

  Value value(int depth) {
    if (depth > kMaxDepth) fail("values nested too deeply");
    Value v;
    v.span.begin = i_;
    if (at("\"\"\"")) {
      v.kind = Value::Kind::string;
      v.quote = '"';
      v.multiline = true;
      v.str = basic(true);
    } else if (at('"')) {
      v.kind = Value::Kind::string;
      v.quote = '"';
      v.str = basic(false);
    } else if (at("'''")) {
      v.kind = Value::Kind::string;
      v.quote = '\'';
      v.multiline = true;
      v.str = literal(true);
    } else if (at('\'')) {
      v.kind = Value::Kind::string;
      v.quote = '\'';
      v.str = literal(false);
    } else if (at('[')) {
      v.kind = Value::Kind::array;
      array(v, depth);
    } else if (at('{')) {
      v.kind = Value::Kind::table;
      inline_table(v, depth);
    } else {
      scalar();
    }
    v.span.end = i_;
    return v;
  }

  void array(Value& v, int depth) {
    ++i_;
    while (true) {
      skip_blank();
      if (at(']')) break;
      v.items.push_back(value(depth + 1));
      skip_blank();
      if (at(',')) {
        ++i_;
        continue;
      }
      if (!at(']')) fail("expected ',' or ']' in an array");
    }
    ++i_;
  }

  void inline_table(Value& v, int depth) {
    ++i_;
    skip_ws();
    if (at('}')) {
      ++i_;
      return;
    }
    while (true) {
      skip_ws();
      std::size_t line_begin = t_.rfind('\n', i_ == 0 ? 0 : i_ - 1);
      line_begin = line_begin == std::string_view::npos ? 0 : line_begin + 1;
      KeyValue kv = key_value(line_begin, depth + 1);
      skip_ws();
      kv.line_end = i_;
      v.entries.push_back(std::move(kv));
      if (at(',')) {
        ++i_;
        continue;
      }
      if (at('}')) break;
      fail("expected ',' or '}' in an inline table");
    }
    ++i_;
  }

  // Numbers, booleans, dates and times: their text is kept, never read. A date and a time may
  // be separated by one space (`1979-05-27 07:32:00`).
  void scalar() {
    const std::size_t start = i_;
    auto stop = [&](char c) {
      return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ']' || c == '}' ||
             c == '#' || c == '"' || c == '\'' || c == '[' || c == '{' || c == '=';
    };
    while (!eof() && !stop(t_[i_]))
      ++i_;
    if (i_ == start) fail("expected a value");
    const std::string_view token = t_.substr(start, i_ - start);
    if (token.size() == 10 && token[4] == '-' && token[7] == '-' && at(' ') && i_ + 1 < t_.size() &&
        digit(t_[i_ + 1])) {
      ++i_;
      while (!eof() && !stop(t_[i_]))
        ++i_;
    }
  }

  // A basic or literal string from its opening quote; returns the decoded text.
  std::string basic(bool multiline) { return quoted('"', multiline); }
  std::string literal(bool multiline) { return quoted('\'', multiline); }

  // A string opened by `quote` (`"` basic, with escapes; `'` literal, without), from its
  // opening quote; returns the decoded text.
  std::string quoted(char quote, bool multiline) {
    const char closing[] = {quote, quote, quote, '\0'};
    std::string out;
    i_ += multiline ? 3 : 1;
    if (multiline) skip_first_newline();
    while (true) {
      if (eof()) fail("unterminated string");
      const char c = t_[i_];
      if (multiline && at(closing)) {
        std::size_t n = 3;
        while (n < 5 && i_ + n < t_.size() && t_[i_ + n] == quote)
          ++n;
        out.append(n - 3, quote);
        i_ += n;
        return out;
      }
      if (!multiline && c == quote) {
        ++i_;
        return out;
      }
      if (quote == '"' && c == '\\') {
        escape(out, multiline);
        continue;
      }
      if (!multiline && (c == '\n' || c == '\r')) fail("a newline in a single-line string");
      if (c == '\r' && !at("\r\n")) fail("a carriage return not followed by a newline");
      out += c;
      ++i_;
    }
  }

  void skip_first_newline() {
    if (at('\n'))
      ++i_;
    else if (at("\r\n"))
      i_ += 2;
  }

  void escape(std::string& out, bool multiline) {
    ++i_;
    if (eof()) fail("unterminated string");
    const char c = t_[i_];
    auto unicode = [&](int digits) {
      char32_t cp = 0;
      for (int k = 1; k <= digits; ++k) {
        const int h = i_ + k < t_.size() ? hex_value(t_[i_ + k]) : -1;
        if (h < 0) fail("a \\u escape needs hexadecimal digits");
        cp = cp * 16 + static_cast<char32_t>(h);
      }
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        fail("an escape that is no scalar value");
      append_utf8(out, cp);
      i_ += static_cast<std::size_t>(digits) + 1;
    };
    switch (c) {
    case 'b':
      out += '\b';
      break;
    case 't':
      out += '\t';
      break;
    case 'n':
      out += '\n';
      break;
    case 'f':
      out += '\f';
      break;
    case 'r':
      out += '\r';
      break;
    case '"':
      out += '"';
      break;
    case '\\':
      out += '\\';
      break;
    case 'u':
      unicode(4);
      return;
    case 'U':
      unicode(8);
      return;
    default:
      if (multiline && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
        // A line-ending backslash: the newline and the white space after it are dropped.
        std::size_t j = i_;
        while (j < t_.size() && (t_[j] == ' ' || t_[j] == '\t'))
          ++j;
        if (j >= t_.size() || (t_[j] != '\n' && t_[j] != '\r')) fail("an unknown escape");
        i_ = j;
        while (!eof() && (at(' ') || at('\t') || at('\n') || at("\r\n")))
          i_ += at("\r\n") ? 2 : 1;
        return;
      }
      fail("an unknown escape");
    }
    ++i_;
  }

  std::string_view t_;
  std::size_t i_ = 0;
};

} // namespace

std::optional<Document> read_document(std::string_view text, std::string& error) {
  try {
    return Reader(text).document();
  } catch (const ReadError& e) {
    std::size_t line = 1, column = 1;
    for (std::size_t k = 0; k < e.at && k < text.size(); ++k) {
      if (text[k] == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(text[k]) & 0xC0) != 0x80) {
        ++column;
      }
    }
    error = "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + e.what;
    return std::nullopt;
  }
}

std::string basic_string(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7F) {
      out += "\\u00";
      out += hex[u >> 4];
      out += hex[u & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string key_text(std::string_view name) {
  bool bare = !name.empty();
  for (char c : name)
    bare = bare && bare_key_char(c);
  return bare ? std::string(name) : basic_string(name);
}

} // namespace otelaudit::fix
