#include "fix/diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace otelaudit::fix {

namespace {

/// Lines with their newline (the last one may have none).
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    out.push_back(text.substr(start, end - start));
    start = end;
  }
  return out;
}

enum class Op { equal, remove, insert };

/// The edit script from `a` to `b`: common prefix and suffix, and between them a longest common
/// subsequence of lines (manifests are small; past a size limit the middle is replaced whole).
std::vector<Op> script(const std::vector<std::string_view>& a,
                       const std::vector<std::string_view>& b) {
  std::size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre])
    ++pre;
  std::size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre &&
         a[a.size() - 1 - suf] == b[b.size() - 1 - suf])
    ++suf;
  const std::size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  std::vector<Op> out(pre, Op::equal);
  constexpr std::size_t kLimit = 4'000'000;
  if (n > 0 && m > 0 && (n + 1) * (m + 1) <= kLimit) {
    // lcs[i][j]: the longest common subsequence of a[pre+i..] and b[pre+j..].
    std::vector<std::vector<unsigned>> lcs(n + 1, std::vector<unsigned>(m + 1, 0));
    for (std::size_t i = n; i-- > 0;)
      for (std::size_t j = m; j-- > 0;)
        lcs[i][j] = a[pre + i] == b[pre + j] ? lcs[i + 1][j + 1] + 1
                                             : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[pre + i] == b[pre + j]) {
        out.push_back(Op::equal);
        ++i;
        ++j;
      } else if (j < m && (i == n || lcs[i][j + 1] > lcs[i + 1][j])) {
        out.push_back(Op::insert);
        ++j;
      } else {
        out.push_back(Op::remove);
        ++i;
      }
    }
  } else {
    out.insert(out.end(), n, Op::remove);
    out.insert(out.end(), m, Op::insert);
  }
  out.insert(out.end(), suf, Op::equal);
  return out;
}

std::string range(std::size_t start, std::size_t count) {
  // Git's form: an empty range names the line before it; a one-line range has no count.
  if (count == 0) return fmt::format("{},0", start);
  if (count == 1) return fmt::format("{}", start + 1);
  return fmt::format("{},{}", start + 1, count);
}

void line(std::string& out, char mark, std::string_view text) {
  out += mark;
  out += text;
  if (text.empty() || text.back() != '\n') out += "\n\\ No newline at end of file\n";
}

} // namespace

std::string git_quoted(const std::string& path) {
  bool plain = true;
  for (unsigned char c : path)
    plain = plain && c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
  if (plain) return path;
  std::string out = "\"";
  for (unsigned char c : path) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\a':
      out += "\\a";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\v':
      out += "\\v";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\r':
      out += "\\r";
      break;
    default:
      if (c < 0x20 || c >= 0x7F)
        out += fmt::format("\\{:03o}", c);
      else
        out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string unified_diff(const std::string& path, std::string_view before, std::string_view after) {
  if (before == after) return {};
  const std::vector<std::string_view> a = lines_of(before), b = lines_of(after);
  const std::vector<Op> ops = script(a, b);
  constexpr std::size_t kContext = 3;

  const std::string name_a = git_quoted("a/" + path), name_b = git_quoted("b/" + path);
  std::string out =
      "diff --git " + name_a + " " + name_b + "\n--- " + name_a + "\n+++ " + name_b + "\n";
  // Hunks: runs of changes closer than twice the context share one.
  std::size_t k = 0;
  std::size_t ai = 0, bi = 0; // lines of a and b before ops[k]
  std::size_t printed = 0;    // ops up to here are in a hunk already
  while (k < ops.size()) {
    if (ops[k] == Op::equal) {
      ++k;
      ++ai;
      ++bi;
      continue;
    }
    std::size_t first = k, last = k; // [first, last]: changes of this hunk
    for (std::size_t j = k + 1; j < ops.size(); ++j) {
      if (ops[j] == Op::equal) continue;
      if (j - last - 1 > 2 * kContext) break;
      last = j;
    }
    const std::size_t lead = std::min(kContext, first - printed);
    const std::size_t start = first - lead;
    const std::size_t end = std::min(ops.size(), last + 1 + kContext);
    const std::size_t a0 = ai - lead, b0 = bi - lead;
    std::size_t a_count = 0, b_count = 0;
    for (std::size_t j = start; j < end; ++j) {
      if (ops[j] != Op::insert) ++a_count;
      if (ops[j] != Op::remove) ++b_count;
    }
    out += "@@ -" + range(a0, a_count) + " +" + range(b0, b_count) + " @@\n";
    std::size_t x = a0, y = b0;
    for (std::size_t j = start; j < end; ++j) {
      switch (ops[j]) {
      case Op::equal:
        line(out, ' ', a[x]);
        ++x;
        ++y;
        break;
      case Op::remove:
        line(out, '-', a[x]);
        ++x;
        break;
      case Op::insert:
        line(out, '+', b[y]);
        ++y;
        break;
      }
    }
    k = printed = end;
    ai = x;
    bi = y;
  }
  return out;
}

} // namespace otelaudit::fix
