#pragma once
// The entry points of the fuzz targets (fuzz/<target>.cpp), compiled into the test binary by
// the files of this directory under the names below.
#include <cstddef>
#include <cstdint>

extern "C" {
int otelaudit_fuzz_audit(const std::uint8_t* data, std::size_t size);
int otelaudit_fuzz_audit_init(int* argc, char*** argv);
int otelaudit_fuzz_config(const std::uint8_t* data, std::size_t size);
int otelaudit_fuzz_fix_edit(const std::uint8_t* data, std::size_t size);
int otelaudit_fuzz_git_loose(const std::uint8_t* data, std::size_t size);
int otelaudit_fuzz_lexer(const std::uint8_t* data, std::size_t size);
int otelaudit_fuzz_lockfile(const std::uint8_t* data, std::size_t size);
int otelaudit_fuzz_manifest(const std::uint8_t* data, std::size_t size);
int otelaudit_fuzz_modules(const std::uint8_t* data, std::size_t size);
int otelaudit_fuzz_ruleset(const std::uint8_t* data, std::size_t size);
int otelaudit_fuzz_ruleset_init(int* argc, char*** argv);
int otelaudit_fuzz_semver(const std::uint8_t* data, std::size_t size);
int otelaudit_fuzz_toml_guard(const std::uint8_t* data, std::size_t size);
int otelaudit_fuzz_yaml(const std::uint8_t* data, std::size_t size);
}
