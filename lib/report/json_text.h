#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace otelaudit {

/// `j.dump(2, ' ', false, error_handler_t::replace)`, byte for byte, written straight into one
/// string: objects, arrays and ASCII strings by this function, numbers and strings holding
/// other bytes by nlohmann's serializer (its number format and its replacement of invalid
/// UTF-8). The reports of a large ecosystem are megabytes of mostly ASCII text, where
/// nlohmann's serializer, which decodes UTF-8 byte by byte, took a tenth of the audit.
std::string json_text(const nlohmann::ordered_json& j);

} // namespace otelaudit
