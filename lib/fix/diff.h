#pragma once
#include <string>
#include <string_view>

namespace otelaudit::fix {

/// A unified diff (git's format, 3 lines of context) of one file from `before` to `after`,
/// named `a/<path>` and `b/<path>` so that `git apply` and `patch -p1` take it from the
/// directory `path` is relative to. Lines keep their bytes (a CRLF file's lines end in CR); a
/// last line without a newline is marked as diff marks it. Empty when the texts are equal.
std::string unified_diff(const std::string& path, std::string_view before, std::string_view after);

/// A path as git writes it in a patch: in double quotes with C escapes when it holds a
/// quote, a backslash, a control character or a byte above 0x7F, else as it is.
std::string git_quoted(const std::string& path);

} // namespace otelaudit::fix
