#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// A TOML reader that keeps the byte span of every key, value, entry and table header, so that
// an edit can change one value and leave every other byte of the file as it was (toml++ keeps
// values, not their text). It is only run on text toml++ has already accepted: it reads TOML
// 1.0 and refuses what it does not understand rather than guessing.

namespace otelaudit::fix {

/// Bytes [begin, end) of the text.
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

/// One part of a dotted key, decoded (`"a.b"` is one part named a.b), with its text.
struct KeyPart {
  std::string name;
  Span span; // the part as written, quotes included
};

struct KeyValue;

/// A value with its span; arrays and inline tables with their elements.
struct Value {
  enum class Kind { string, array, table, scalar };
  Kind kind = Kind::scalar;
  Span span;                     // the whole value: quotes, brackets or braces included
  std::string str;               // the decoded text of a string
  char quote = 0;                // '"' or '\'' for a string
  bool multiline = false;        // a """ or ''' string
  std::vector<Value> items;      // array elements, in order
  std::vector<KeyValue> entries; // inline table entries, in order
};

/// `key = value`, at the top level of a table or inside an inline table.
struct KeyValue {
  std::vector<KeyPart> key;
  Value value;
  std::size_t line_begin = 0; // start of the line the key is on
  std::size_t line_end = 0;   // just after the newline that ends the value's line (or the text)
};

/// A `[header]` or `[[header]]` section with its entries; the document's first table is the
/// root (no header).
struct Table {
  std::vector<KeyPart> header;
  bool array = false;         // [[header]]
  bool root = false;          // the entries before any header
  std::size_t line_begin = 0; // the header's line (0 for the root)
  std::size_t line_end = 0;   // just after the header's line
  std::vector<KeyValue> entries;
};

/// A TOML document as written.
struct Document {
  std::vector<Table> tables;
  std::string newline = "\n"; // "\r\n" when the first line ends so
};

/// Reads `text`; nullopt with `error` (`line L, column C: what`) when it is not TOML this
/// reader understands.
std::optional<Document> read_document(std::string_view text, std::string& error);

/// The text of a basic string holding `s` (`"…"` with the escapes TOML needs).
std::string basic_string(std::string_view s);

/// `name` as a key: bare when TOML allows it, else a basic string.
std::string key_text(std::string_view name);

} // namespace otelaudit::fix
