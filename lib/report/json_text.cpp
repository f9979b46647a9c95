#include "report/json_text.h"

#include "common/display.h"

namespace otelaudit {

namespace {

using Json = nlohmann::ordered_json;

// `dumped` (a JSON string as nlohmann writes it, valid UTF-8) with the C1 controls and format
// characters written as \u escapes: the value is the same, but a terminal showing the report
// meets no 8-bit CSI or bidi override.
void append_escaping_unsafe(std::string& out, std::string_view dumped) {
  static constexpr char digits[] = "0123456789abcdef";
  auto unit = [&](char32_t u) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4)
      out += digits[(u >> shift) & 0xF];
  };
  for (std::size_t i = 0; i < dumped.size();) {
    char32_t cp = 0;
    const std::size_t len = utf8_sequence(dumped, i, cp);
    if (len > 1 && is_unsafe_code_point(cp)) {
      if (cp >= 0x10000) {
        unit(0xD800 + ((cp - 0x10000) >> 10));
        unit(0xDC00 + ((cp - 0x10000) & 0x3FF));
      } else {
        unit(cp);
      }
    } else {
      out.append(dumped, i, len == 0 ? 1 : len);
    }
    i += len == 0 ? 1 : len;
  }
}

void write_string(std::string& out, const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80) {
      append_escaping_unsafe(out, Json(s).dump(-1, ' ', false, Json::error_handler_t::replace));
      return;
    }
  out += '"';
  std::size_t run = 0; // start of the bytes not yet copied
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s, run, i - run);
    run = i + 1;
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default: {
      static constexpr char digits[] = "0123456789abcdef";
      out += "\\u00";
      out += digits[c >> 4];
      out += digits[c & 0xF];
    }
    }
  }
  out.append(s, run, std::string::npos);
  out += '"';
}

void write(std::string& out, const Json& j, std::size_t depth) {
  constexpr std::size_t kIndent = 2;
  switch (j.type()) {
  case Json::value_t::object: {
    if (j.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!first) out += ",\n";
      first = false;
      out.append((depth + 1) * kIndent, ' ');
      write_string(out, it.key());
      out += ": ";
      write(out, it.value(), depth + 1);
    }
    out += '\n';
    out.append(depth * kIndent, ' ');
    out += '}';
    return;
  }
  case Json::value_t::array: {
    if (j.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    bool first = true;
    for (const Json& e : j) {
      if (!first) out += ",\n";
      first = false;
      out.append((depth + 1) * kIndent, ' ');
      write(out, e, depth + 1);
    }
    out += '\n';
    out.append(depth * kIndent, ' ');
    out += ']';
    return;
  }
  case Json::value_t::string:
    write_string(out, j.get_ref<const std::string&>());
    return;
  default:
    out += j.dump(-1, ' ', false, Json::error_handler_t::replace);
    return;
  }
}

} // namespace

std::string json_text(const nlohmann::ordered_json& j) {
  std::string out;
  write(out, j, 0);
  return out;
}

} // namespace otelaudit
