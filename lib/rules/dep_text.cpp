#include "rules/dep_text.h"

namespace otelaudit {

std::vector<std::string> feature_names(const Dependency& dep) {
  std::vector<std::string> out;
  for (const Located& f : dep.features)
    out.push_back(f.value);
  return out;
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items) {
    if (!out.empty()) out += ", ";
    out += '"' + i + '"';
  }
  return out;
}

std::string dependency_line(const Dependency& dep, const std::string& version,
                            const std::vector<std::string>& features) {
  bool renamed = dep.key != dep.package;
  if (!renamed && features.empty() && dep.default_features && !dep.optional)
    return dep.key + " = \"" + version + "\"";
  std::string out = dep.key + " = { ";
  if (renamed) out += "package = \"" + dep.package + "\", ";
  out += "version = \"" + version + "\"";
  if (!dep.default_features) out += ", default-features = false";
  if (!features.empty()) out += ", features = [" + quoted_list(features) + "]";
  if (dep.optional) out += ", optional = true";
  return out + " }";
}

} // namespace otelaudit
