#include "source/tree.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

namespace otelaudit {

namespace fs = std::filesystem;

namespace {

bool skipped_directory(const std::string& name) {
  return name == ".git" || name == "target" || name == "node_modules";
}

} // namespace

std::string_view unreadable_rule(std::string_view read_error) {
  return read_error.substr(0, 11) == "git object " ? "git-object-missing" : "file-unreadable";
}

DirTree::DirTree(fs::path root) : root_(std::move(root)) {
  std::error_code ec;
  fs::recursive_directory_iterator it(root_, fs::directory_options::none, ec), end;
  if (ec) {
    diagnostics_.push_back({"file-unreadable", {".", 0, 0}, "cannot list directory: " + ec.message()});
    return;
  }
  while (it != end) {
    const fs::directory_entry& entry = *it;
    std::string rel = fs::relative(entry.path(), root_, ec).generic_string();
    std::error_code sec;
    if (entry.is_symlink(sec)) {
      diagnostics_.push_back({"symlink-skipped", {rel, 0, 0},
                              "symbolic link not followed: audited repositories are untrusted"});
    } else if (entry.is_directory(sec)) {
      if (skipped_directory(entry.path().filename().string())) it.disable_recursion_pending();
    } else if (entry.is_regular_file(sec)) {
      files_.push_back(rel);
    }
    it.increment(ec);
    if (ec) {
      diagnostics_.push_back({"file-unreadable", {rel, 0, 0}, "cannot list: " + ec.message()});
      ec.clear();
    }
  }
  std::sort(files_.begin(), files_.end());
}

std::optional<std::string> DirTree::read(const std::string& path, std::string& error) const {
  std::ifstream in(root_ / path, std::ios::binary);
  if (!in) {
    error = "cannot open file";
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    error = "read error";
    return std::nullopt;
  }
  return std::move(ss).str();
}

MemoryTree::MemoryTree(std::map<std::string, std::string> files) : content_(std::move(files)) {
  for (const auto& [name, _] : content_) names_.push_back(name);
}

std::optional<std::string> MemoryTree::read(const std::string& path, std::string& error) const {
  auto it = content_.find(path);
  if (it == content_.end()) {
    error = "no such file";
    return std::nullopt;
  }
  return it->second;
}

} // namespace otelaudit
