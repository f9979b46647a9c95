#pragma once
#include <string>

#include "common/location.h"

/// "file:line:column", so that a failed check prints the place it got.
inline std::string where(const otelaudit::Location& l) {
  return l.file + ":" + std::to_string(l.line) + ":" + std::to_string(l.column);
}
