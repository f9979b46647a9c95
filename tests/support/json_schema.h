#pragma once
// Validates JSON documents against the JSON Schemas of docs/schema with Debian's
// python3-jsonschema (tests/schema/validate.py), for the tests that write reports and scan
// documents.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace otelaudit::testsupport {

/// What the validator said: one line per violation (FILE: /pointer: message), and its exit code.
struct SchemaCheck {
  int code = -1;
  std::string output;
};

/// Checks each file against the schema its "schema" field names, in `schema_dir` (default: the
/// source tree's docs/schema).
inline SchemaCheck
validate_json_files(const std::vector<std::filesystem::path>& files,
                    const std::filesystem::path& schema_dir = OTEL_AUDIT_SOURCE_DIR
                    "/docs/schema") {
  std::string cmd = "/usr/bin/python3 '" OTEL_AUDIT_SOURCE_DIR "/tests/schema/validate.py' '" +
                    schema_dir.string() + "'";
  for (const auto& f : files)
    cmd += " '" + f.string() + "'";
  cmd += " 2>&1";
  SchemaCheck r;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
      r.output.append(buf, n);
    const int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  return r;
}

/// validate_json_files for one document given as text (written to a temporary file named
/// `name`, which appears in the messages).
inline SchemaCheck validate_json_text(const std::string& text, const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("otel-audit-schema-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::filesystem::path file = dir / name;
  std::ofstream(file, std::ios::binary) << text;
  SchemaCheck r = validate_json_files({file});
  std::filesystem::remove_all(dir);
  // Messages name the document as the caller does.
  for (std::size_t at = r.output.find(file.string()); at != std::string::npos;
       at = r.output.find(file.string()))
    r.output.replace(at, file.string().size(), name);
  return r;
}

} // namespace otelaudit::testsupport
