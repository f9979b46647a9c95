#pragma once
#include <string_view>

namespace otelaudit {

/// How open_beneath resolves a path: the kernel's openat2 when it has it, or a walk of
/// openat(O_NOFOLLOW) calls, one per component (what older kernels get; tests force it).
enum class BeneathMode { automatic, walk };

/// Opens `path` ('/'-separated, relative) below the directory `dir_fd` without following any
/// symbolic link on the way and without leaving the directory: a component that is a symbolic
/// link, `..`, `.`, an empty component or an absolute path fails with ELOOP (link) or EXDEV
/// (the others). `flags` are open(2) flags (O_CLOEXEC and O_NOFOLLOW are added). A directory
/// of an audited repository can be swapped for a link to `/` between listing and reading;
/// O_NOFOLLOW alone covers only the last component. Returns the descriptor, or -1 with errno.
int open_beneath(int dir_fd, std::string_view path, int flags,
                 BeneathMode mode = BeneathMode::automatic);

} // namespace otelaudit
