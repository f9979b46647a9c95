#pragma once
#include <string>
#include <vector>

#include "model/cargo/manifest.h"

namespace otelaudit {

/// The manifest line that declares `dep` at `version` with `features` (the suggested change
/// of a finding), keeping a rename and default-features = false as written.
std::string dependency_line(const Dependency& dep, const std::string& version,
                            const std::vector<std::string>& features);

/// The features written for `dep`, in order.
std::vector<std::string> feature_names(const Dependency& dep);

/// `"a", "b"` for messages.
std::string quoted_list(const std::vector<std::string>& items);

} // namespace otelaudit
